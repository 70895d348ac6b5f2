"""The one `Settings`: every knob of the service, read once from `DOCPROC_*` environment variables.

Nested groups use `__` (`DOCPROC_DATABASE__URL`, `DOCPROC_BROKER__URL`). With nothing set,
docproc runs embedded: SQLite, blobs on disk and a broker that needs no server, all under
`DOCPROC_DATA_DIR` (default `./var`), so two instances with different data dirs never meet.
"""

from __future__ import annotations

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
