"""OAuth tokens kept in a connector's settings row, sealed, rotated under a row lock.

`rotate` locks the row (`FOR UPDATE`; a process-wide lock too, for SQLite), reads the current
tokens, lets the caller refresh them and stores the new refresh token in the same short
transaction, so a rotated refresh token is never lost and two workers never both spend one.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.connectors.oauth import OAuthTokens
from service.connectors.vault import SecretBox
from service.db.session import unit_of_work
from service.db.tables import ConnectorConfigRecord


def tokens_of(settings: dict[str, Any]) -> OAuthTokens:
    """The tokens inside opened settings."""
    return OAuthTokens(
        refresh_token=str(settings.get("refresh_token") or ""),
        access_token=settings.get("access_token") or None,
        expires_at=float(settings.get("expires_at") or 0.0),
    )


class DbTokenStore:
    """A `TokenStore` over one `connector_configs` row."""

    _locks: ClassVar[dict[uuid.UUID, threading.Lock]] = {}
    _locks_guard: ClassVar[threading.Lock] = threading.Lock()
    # A fresh access token read once serves this process until it expires.
    _fresh: ClassVar[dict[uuid.UUID, OAuthTokens]] = {}

    def __init__(
        self,
        sessions: sessionmaker[Session],
        box: SecretBox,
        config_id: uuid.UUID,
        tenant_id: uuid.UUID,
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._config_id = config_id
        self._context = str(tenant_id)
        with self._locks_guard:
            self._lock = self._locks.setdefault(config_id, threading.Lock())

    def load(self) -> OAuthTokens:
        """The tokens as stored now (a still-fresh access token from this process's memory)."""
        known = self._fresh.get(self._config_id)
        if known is not None and known.fresh():
            return known
        with self._sessions() as session:
            record = session.get(ConnectorConfigRecord, self._config_id)
            settings = record.settings if record else {}
            tokens = tokens_of(self._box.open_settings(settings, self._context))
        self._fresh[self._config_id] = tokens
        return tokens

    def rotate(self, change: Callable[[OAuthTokens], OAuthTokens]) -> OAuthTokens:
        """Read, change and store the tokens under the row lock."""
        with self._lock, unit_of_work(self._sessions) as session:
            query = (
                select(ConnectorConfigRecord)
                .where(ConnectorConfigRecord.id == self._config_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            record = session.scalars(query).one()
            current = tokens_of(self._box.open_settings(record.settings, self._context))
            new = change(current)
            if new != current:
                sealed = self._box.seal_settings(
                    {"refresh_token": new.refresh_token, "access_token": new.access_token or ""},
                    self._context,
                )
                record.settings = {**record.settings, **sealed, "expires_at": new.expires_at}
        self._fresh[self._config_id] = new
        return new
