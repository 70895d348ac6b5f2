"""Structured logs: structlog over the standard library, JSON in production, console on a tty.

Owns `configure_logging` (called by the API factory, the worker and the CLI's service
commands), the context every line carries (`document_id`, `tenant`, `task_id`, `stage`,
bound with `bind_document`, kept in contextvars so it follows a request or a task), and a
processor that redacts secrets (Authorization headers, keys, tokens, passwords). Existing
`logging.getLogger(...)` calls keep working: their records go through the same processors.
Must not decide what is logged.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from service.config import Settings

CONTEXT_KEYS = ("document_id", "tenant", "task_id", "stage")
REDACTED = "[REDACTED]"
_SECRET_KEY = re.compile(
    r"(?i)(authorization|api[_-]?key|token|secret|password|passwd|cookie|signature|credential)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+")
_DP_KEY = re.compile(r"\bdp_[A-Za-z0-9]+_[A-Za-z0-9_\-]+")
_INLINE = re.compile(
    r"(?i)\b(password|passwd|api[_-]?key|token|secret|access_token)(\s*[=:]\s*)[^\s&,;'\"]+"
)
_URL_CREDENTIALS = re.compile(r"(://[^/\s:@]+:)[^@\s/]+@")
_configured: list[str] = []


def redact_text(text: str) -> str:
    """A string with bearer tokens, docproc keys, `password=…` values and URL passwords hidden."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _DP_KEY.sub(REDACTED, text)
    text = _INLINE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _URL_CREDENTIALS.sub(rf"\1{REDACTED}@", text)


def _redact_value(key: str, value: Any) -> Any:
    if _SECRET_KEY.search(key) and value is not None and not isinstance(value, bool | int):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, v) for v in value]
    return value


def redact_secrets(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: secret-named fields replaced, secrets inside strings masked."""
    for key, value in list(event_dict.items()):
        if key in ("event", "exc_info", "timestamp", "level", "logger"):
            if key == "event" and isinstance(value, str):
                event_dict[key] = redact_text(value)
            continue
        event_dict[key] = _redact_value(key, value)
    exception = event_dict.get("exception")
    if isinstance(exception, str):
        event_dict["exception"] = redact_text(exception)
    return event_dict


def _renderer(settings: Settings) -> Processor:
    fmt = settings.log_format
    if fmt == "auto":
        fmt = "console" if (sys.__stderr__ or sys.stderr).isatty() else "json"
    if fmt == "json":
        return structlog.processors.JSONRenderer(sort_keys=True)
    return structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_logging(settings: Settings, stream: Any = None) -> None:
    """Route structlog and the standard library through one formatter (JSON or console)."""
    renderer = _renderer(settings)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared(), structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
    )
    # The real stderr: a Celery pool child swaps sys.stderr for a proxy that logs (a loop).
    handler = logging.StreamHandler(stream or sys.__stderr__ or sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name("docproc-structlog")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "docproc-structlog"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.observability.log_level.upper())
    structlog.configure(
        processors=[
            *_shared(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _configured.append(type(renderer).__name__)


def is_configured() -> bool:
    """True once `configure_logging` ran in this process."""
    return bool(_configured)


def get_logger(name: str = "docproc") -> Any:
    """A structlog logger carrying the bound context."""
    return structlog.stdlib.get_logger(name)


def bind_document(**values: object) -> None:
    """Bind `document_id`, `tenant`, `task_id`, `stage` (None values skipped) to this context."""
    structlog.contextvars.bind_contextvars(
        **{k: str(v) for k, v in values.items() if v is not None}
    )


def clear_context() -> None:
    """Forget everything bound in this context (a task or request ended)."""
    structlog.contextvars.clear_contextvars()


@contextmanager
def bound(**values: object) -> Iterator[None]:
    """Bind values for the duration of a block, restoring the previous ones afterwards."""
    tokens = structlog.contextvars.bind_contextvars(
        **{k: str(v) for k, v in values.items() if v is not None}
    )
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def context() -> MutableMapping[str, Any]:
    """The values bound in this context (for tests and error reports)."""
    return structlog.contextvars.get_contextvars()
