"""Access-log hygiene: API keys that arrive in a query string never reach the logs.

Owns a logging filter for uvicorn's access logger. Must not drop records, only redact them.
"""

from __future__ import annotations

import logging
import re

_KEYISH = re.compile(
    r"(?i)((?:^|[?&])(?:api_key|apikey|key|token|access_token|authorization|auth)=)[^&#\s]*"
)
_DP_KEY = re.compile(r"dp_[A-Za-z0-9]+_[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    """A path or URL with key-like query values replaced by `REDACTED`."""
    return _DP_KEY.sub("REDACTED", _KEYISH.sub(r"\1REDACTED", text))


class RedactKeysFilter(logging.Filter):
    """Redacts keys from uvicorn access-log arguments (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's string arguments; always keep the record."""
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_access_log_redaction() -> None:
    """Attach the filter to uvicorn's access logger."""
    logging.getLogger("uvicorn.access").addFilter(RedactKeysFilter())
