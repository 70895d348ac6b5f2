"""Alerts: the `AlertSink` port and its first adapter (an ERROR log line plus an `alerts` row).

Owns what an alert is (a kind, a message for a person, the tenant, structured detail, and an
optional dedupe key so a condition is raised once). Issue 11 routes alerts elsewhere (mail,
webhooks) by adding sinks; must not decide when to alert — callers do.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.db.tables import AlertRecord

log = logging.getLogger("docproc.alerts")


@dataclass(frozen=True, slots=True)
class Alert:
    """Something an operator must hear about."""

    kind: str
    message: str
    tenant_id: uuid.UUID | None = None
    dedupe_key: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class AlertSink(Protocol):
    """Where alerts go; raising one must never fail the work that raised it."""

    def raise_alert(self, alert: Alert) -> bool:
        """Record the alert; False when one with the same dedupe key was already raised."""
        ...


def log_alert(alert: Alert) -> None:
    """The structured ERROR line every sink writes first."""
    record = {"alert": alert.kind, "message": alert.message, "tenant_id": str(alert.tenant_id),
              "dedupe_key": alert.dedupe_key, **alert.detail}  # fmt: skip
    log.error("alert %s", json.dumps(record, default=str, sort_keys=True))


class DbAlertSink:
    """Alerts as an ERROR log line plus a row in `alerts` (once per dedupe key)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def raise_alert(self, alert: Alert) -> bool:
        """Log and store the alert unless its dedupe key is already stored."""
        try:
            with self.sessions() as session, session.begin():
                if alert.dedupe_key is not None and session.scalar(
                    select(AlertRecord.id).where(AlertRecord.dedupe_key == alert.dedupe_key)
                ):
                    return False
                session.add(AlertRecord(kind=alert.kind, tenant_id=alert.tenant_id,
                                        dedupe_key=alert.dedupe_key, message=alert.message,
                                        detail=alert.detail))  # fmt: skip
        except IntegrityError:  # raised concurrently by another worker: once is enough
            return False
        log_alert(alert)
        return True


@dataclass
class MemoryAlertSink:
    """Alerts kept in a list (the CLI, tests); logged like the others."""

    alerts: list[Alert] = field(default_factory=list)

    def raise_alert(self, alert: Alert) -> bool:
        """Log and keep the alert unless its dedupe key was seen."""
        if alert.dedupe_key is not None and any(
            a.dedupe_key == alert.dedupe_key for a in self.alerts
        ):
            return False
        self.alerts.append(alert)
        log_alert(alert)
        return True
