"""Start-up checks that refuse configurations breaking the delivery guarantees (F17).

Owns pure checks of `Settings`; must not open connections or import Celery.
"""

from __future__ import annotations

from service.config import Settings

# Seconds a Redis visibility timeout must exceed the longest hard time limit by.
VISIBILITY_MARGIN_S = 60


class ConfigurationError(ValueError):
    """The settings would break a delivery guarantee; the process must not start."""


def uses_visibility_timeout(broker_url: str | None) -> bool:
    """True for brokers that redeliver unacknowledged messages after a visibility timeout."""
    return bool(broker_url) and str(broker_url).split(":", 1)[0] in {"redis", "rediss", "sqs"}


def check_broker_settings(settings: Settings) -> None:
    """Raise ConfigurationError for a soft limit not below its hard limit, a lease or a
    visibility timeout not above every hard limit."""
    for name, soft, hard_limit in _limits(settings):
        if soft >= hard_limit:
            raise ConfigurationError(f"{name}: soft time limit {soft}s must be below {hard_limit}s")
    hard = settings.worker.max_hard_time_limit_s
    if settings.worker.lease_s <= hard:
        raise ConfigurationError(
            f"document lease {settings.worker.lease_s}s must outlast the longest hard time limit "
            f"{hard}s, or the reconciler would hand a running document to a second worker"
        )
    if not uses_visibility_timeout(settings.broker.url):
        return
    needed = hard + VISIBILITY_MARGIN_S
    if settings.broker.visibility_timeout_s < needed:
        raise ConfigurationError(
            f"broker visibility timeout {settings.broker.visibility_timeout_s}s is below the "
            f"longest hard time limit {hard}s plus {VISIBILITY_MARGIN_S}s: a slow task would "
            "be delivered twice; raise DOCPROC_BROKER__VISIBILITY_TIMEOUT_S to at least "
            f"{needed}"
        )


def _limits(settings: Settings) -> list[tuple[str, int, int]]:
    worker = settings.worker
    return [
        ("ocr", worker.ocr_soft_time_limit_s, worker.ocr_time_limit_s),
        ("intake", worker.intake_soft_time_limit_s, worker.intake_time_limit_s),
        ("push", worker.push_soft_time_limit_s, worker.push_time_limit_s),
    ]
