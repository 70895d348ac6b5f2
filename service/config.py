"""The one `Settings`: every knob of the service, read once from `DOCPROC_*` environment variables.

Nested groups use `__` (`DOCPROC_DATABASE__URL`, `DOCPROC_BROKER__URL`). With nothing set,
docproc runs embedded: SQLite, blobs on disk and a broker that needs no server, all under
`DOCPROC_DATA_DIR` (default `./var`), so two instances with different data dirs never meet.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from extractors.limits import Limits


class DatabaseSettings(BaseModel):
    """Where documents, results and events live."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; "
        "unset: SQLite at DATA_DIR/docproc.sqlite3",
    )
    echo: bool = False


class BrokerSettings(BaseModel):
    """How the API hands work to workers."""

    url: str | None = Field(
        default=None,
        description="Celery broker URL (redis://…, amqp://…); unset: a filesystem broker "
        "under DATA_DIR/broker that needs no server",
    )
    visibility_timeout_s: int = Field(default=3600, gt=0)


class StorageSettings(BaseModel):
    """Where the original files are kept (content-addressed by SHA-256)."""

    backend: Literal["disk", "s3"] = "disk"
    s3_endpoint_url: str | None = None
    s3_bucket: str = "docproc"
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None


class ApiLimits(BaseModel):
    """What one request may cost."""

    max_upload_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    max_files_per_request: int = Field(default=50, gt=0)
    requests_per_minute: int = Field(default=600, gt=0)
    max_wait_s: float = Field(default=120.0, ge=0)


class WorkerSettings(BaseModel):
    """How tasks run."""

    max_attempts: int = Field(default=3, gt=0, description="deliveries before FAILED (poison)")
    lease_s: int = Field(default=900, gt=0, description="how long a claimed document is held")
    max_memory_per_child_kb: int = Field(default=1_000_000, gt=0)
    concurrency: int = Field(default=2, gt=0)
    max_tasks_per_child: int = Field(default=50, gt=0, description="recycle a child after N")
    ocr_soft_time_limit_s: int = Field(default=600, gt=0, description="ocr queue: soft limit")
    ocr_time_limit_s: int = Field(default=720, gt=0, description="ocr queue: hard limit")
    intake_soft_time_limit_s: int = Field(
        default=300, gt=0, description="intake queue (text PDFs, reconciler): soft limit"
    )
    intake_time_limit_s: int = Field(default=360, gt=0, description="intake queue: hard limit")
    push_soft_time_limit_s: int = Field(
        default=60, gt=0, description="push queue (callbacks): soft limit"
    )
    push_time_limit_s: int = Field(default=90, gt=0, description="push queue: hard limit")
    retry_max: int = Field(default=8, ge=0, description="retries of a transient fault")
    retry_backoff_max_s: int = Field(
        default=300, gt=0, description="cap of the exponential retry countdown"
    )
    reconcile_interval_s: float = Field(
        default=60.0, gt=0, description="how often beat runs document.reconcile"
    )
    queued_stale_s: int = Field(
        default=600, gt=0, description="a QUEUED document untouched this long is re-enqueued"
    )

    @property
    def max_hard_time_limit_s(self) -> int:
        """The longest hard time limit of any queue."""
        return max(self.ocr_time_limit_s, self.intake_time_limit_s, self.push_time_limit_s)


class LlmSettings(BaseSettings):
    """The LLM tier (instructor over any OpenAI-compatible endpoint); off unless asked for.

    Read from the flat names of the issue (`DOCPROC_LLM_MODE`, `DOCPROC_LLM_BASE_URL`, …);
    `DOCPROC_LLM__MODE` style nesting through `Settings` works too.
    """

    model_config = SettingsConfigDict(env_prefix="DOCPROC_LLM_", extra="ignore", frozen=True)

    mode: Literal["off", "fallback", "always"] = "off"
    base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8000/v1")
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    vision: bool = Field(default=False, description="send page images of shaky OCR pages")
    timeout_s: float = Field(
        default=30.0, gt=0,
        description="per HTTP request; x (transport_retries + 1) x (validation_retries + 1) "
        "must stay well below the worker's soft time limit",
    )  # fmt: skip
    transport_retries: int = Field(
        default=2, ge=0, description="429/5xx/timeout retries by the openai client (Retry-After)"
    )
    validation_retries: int = Field(default=1, ge=0, description="instructor re-asks")
    threshold: float = Field(
        default=0.75, ge=0, le=1,
        description="a required field below this confidence is asked of the LLM (fallback)",
    )  # fmt: skip
    price_input_per_mtok: Decimal = Field(default=Decimal(0), ge=0)
    price_output_per_mtok: Decimal = Field(default=Decimal(0), ge=0)
    prices: dict[str, tuple[Decimal, Decimal]] = Field(
        default_factory=dict,
        description='per-model (input, output) price per million tokens, JSON: {"m": [0.15, 0.6]}',
    )
    daily_requests: int | None = Field(default=None, ge=0, description="per tenant, then pause")
    daily_cost: Decimal | None = Field(default=None, ge=0, description="per tenant, then pause")

    def price_of(self, model: str) -> tuple[Decimal, Decimal]:
        """(input, output) price per million tokens of a model."""
        return self.prices.get(model, (self.price_input_per_mtok, self.price_output_per_mtok))


class ConnectorSettings(BaseModel):
    """Delivery to accounting and project systems: the outbox's schedule and the secrets key."""

    secret_key: SecretStr | None = Field(
        default=None,
        description="key for connector secrets at rest (AES-256-GCM; any passphrase, hashed "
        "to 32 bytes); unset: a random key kept in DATA_DIR/connectors.key",
    )
    max_attempts: int = Field(default=12, gt=0, description="pushes before dead-letter")
    backoff_base_s: float = Field(default=30.0, gt=0, description="first retry delay")
    backoff_max_s: float = Field(default=6 * 3600.0, gt=0, description="cap of the retry delay")
    lease_s: float = Field(default=120.0, gt=0, description="a claimed outbox row is held")
    dispatch_interval_s: float = Field(default=10.0, gt=0, description="beat: outbox.dispatch")
    dispatch_batch: int = Field(default=100, gt=0, description="rows claimed per dispatch")
    http_timeout_s: float = Field(default=20.0, gt=0, description="per request to a system")
    duplicate_window_days: int = Field(
        default=7, ge=0, description="same vendor + total within this many days is a duplicate"
    )


class WebSettings(BaseModel):
    """The web app: sign-in sessions and review previews."""

    session_hours: float = Field(default=12.0, gt=0, description="a sign-in lasts this long")
    cookie_secure: bool = Field(
        default=False, description="send the session cookie only over HTTPS (set behind TLS)"
    )
    preview_zoom: float = Field(default=1.5, gt=0, le=4, description="page image scale (72 dpi=1)")


class MailSettings(BaseModel):
    """Email intake: IMAP polling, inbound webhooks, attachment rules and the optional reply."""

    poll_interval_s: float = Field(default=60.0, gt=0, description="beat: mail.poll")
    max_messages_per_poll: int = Field(default=200, gt=0, description="per mailbox and poll")
    max_message_bytes: int = Field(
        default=100 * 1024 * 1024, gt=0, description="larger messages are recorded, not fetched"
    )
    max_attachment_bytes: int = Field(
        default=25 * 1024 * 1024, gt=0, description="larger attachments are rejected"
    )
    min_inline_image_bytes: int = Field(
        default=10 * 1024, ge=0, description="inline images below this are logos, not documents"
    )
    min_image_side_px: int = Field(
        default=100, ge=0, description="images narrower or lower than this are pixels or logos"
    )
    imap_timeout_s: float = Field(default=60.0, gt=0)
    alert_after_failures: int = Field(default=3, gt=0, description="consecutive failed polls")
    mailgun_signing_key: SecretStr | None = None
    webhook_tolerance_s: int = Field(default=300, gt=0, description="signed timestamp window")
    smtp_host: str | None = Field(default=None, description="replies; unset: no replies")
    smtp_port: int = Field(default=587, gt=0)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "docproc@localhost"


class ObservabilitySettings(BaseModel):
    """Logs, metrics, alert rules and where alerts are delivered (service/observability)."""

    log_level: str = Field(default="INFO", description="root log level")
    worker_metrics_port: int | None = Field(
        default=None, ge=0, description="a worker serves /metrics on this port; unset: the API "
        "serves every process's metrics from the shared DATA_DIR/metrics (one host)",
    )  # fmt: skip
    alert_interval_s: float = Field(default=60.0, gt=0, description="beat: alerts.evaluate")
    alert_webhook_url: SecretStr | None = Field(
        default=None, description='Slack-compatible webhook: POST {"text": …}'
    )
    alert_email_to: list[str] = Field(default_factory=list, description="via the mail SMTP")
    failure_rate: float = Field(default=0.2, gt=0, le=1, description="failed/finished alerts")
    failure_window_min: float = Field(default=60.0, gt=0, description="failure-rate window")
    failure_min_documents: int = Field(default=10, gt=0, description="rate needs this many")
    sync_stale_hours: float = Field(default=6.0, gt=0, description="mailbox/connector silent")
    queue_age_min: float = Field(default=30.0, gt=0, description="oldest QUEUED document")
    disk_free_min_percent: float = Field(default=10.0, ge=0, le=100)


class Settings(BaseSettings):
    """All of docproc's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="DOCPROC_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    data_dir: Path = Path("var")
    public_base_url: str | None = Field(
        default=None, description="absolute base for links, e.g. https://docproc.example.com"
    )
    review_threshold: float = Field(default=0.8, ge=0, le=1)
    database: DatabaseSettings = DatabaseSettings()
    broker: BrokerSettings = BrokerSettings()
    storage: StorageSettings = StorageSettings()
    api: ApiLimits = ApiLimits()
    worker: WorkerSettings = WorkerSettings()
    extraction: Limits = Limits()
    connectors: ConnectorSettings = ConnectorSettings()
    llm: LlmSettings = Field(default_factory=LlmSettings)
    mail: MailSettings = MailSettings()
    web: WebSettings = WebSettings()
    observability: ObservabilitySettings = ObservabilitySettings()
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="DOCPROC_LOG_FORMAT: json in production; auto: console on "
        "a terminal, json otherwise",
    )  # fmt: skip
    allow_private_callbacks: bool = Field(
        default=False, description="DOCPROC_ALLOW_PRIVATE_CALLBACKS: let callbacks and webhooks "
        "reach loopback and private addresses (tests, closed networks)",
    )  # fmt: skip
    test_extract_delay_s: float = Field(
        default=0.0,
        ge=0,
        description="test only: a worker pauses this long after claiming a document, so "
        "fault-injection tests can kill it mid-task",
    )

    @property
    def database_url(self) -> str:
        """The configured database, or the embedded SQLite file under the data dir."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'docproc.sqlite3').resolve()}"

    @property
    def embedded_broker(self) -> bool:
        """True when no broker URL is set and the filesystem transport is used."""
        return not self.broker.url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
