"""Alerts: the `AlertSink` port and its first adapter (an ERROR log line plus an `alerts` row).

Owns what an alert is (a kind, a message for a person, the tenant, structured detail, and an
optional dedupe key so a condition is raised once), its life in the `alerts` table (open,
notified once, resolved when the condition clears: `AlertBook`) and where people read it
(`WebhookNotifier`, Slack-compatible, and `EmailNotifier`). Must not decide when to alert:
callers and the rules in `service.observability.rules` do.
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

from service.config import MailSettings, Settings
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


# --- Delivery and life cycle (issue 11): notifiers, and open/resolved state per dedupe key ---

# Event alerts whose condition an alert rule already watches (from the database): the rule's
# alert is the one sent, so a person hears of it once.
COVERED_BY_RULES = frozenset({"outbox.dead"})


class NotifyError(RuntimeError):
    """A notifier could not hand the message over (it is tried again on the next tick)."""


class Notifier(Protocol):
    """Somewhere a person reads alerts: a chat webhook, a mailbox."""

    def notify(self, text: str) -> None:
        """Deliver one message, or raise NotifyError."""
        ...


class WebhookNotifier:
    """A Slack-compatible incoming webhook: POST {"text": …}; SSRF-guarded, no redirects."""

    def __init__(self, url: str, timeout_s: float = 10.0, allow_private: bool | None = None):
        self.url = url
        self.timeout_s = timeout_s
        self.allow_private = allow_private

    def notify(self, text: str) -> None:
        """POST the text; NotifyError unless the receiver answers 2xx."""
        import httpx

        from service.security.ssrf import guarded_client

        try:
            with guarded_client(self.timeout_s, self.allow_private) as client:
                response = client.post(self.url, json={"text": text})
        except httpx.HTTPError as error:
            raise NotifyError(f"alert webhook: {type(error).__name__}: {error}") from error
        if not 200 <= response.status_code < 300:
            raise NotifyError(f"alert webhook answered {response.status_code}")


class EmailNotifier:
    """Alerts by email through the configured SMTP server (the mail settings)."""

    def __init__(self, settings: MailSettings, recipients: list[str]) -> None:
        self.settings = settings
        self.recipients = recipients

    def notify(self, text: str) -> None:
        """Send one message to every recipient; NotifyError on any SMTP fault."""
        import smtplib
        from email.message import EmailMessage

        mail = self.settings
        message = EmailMessage()
        message["From"] = mail.smtp_from
        message["To"] = ", ".join(self.recipients)
        message["Subject"] = f"[docproc] {text.splitlines()[0][:120]}"
        message.set_content(text)
        smtp_class = smtplib.SMTP_SSL if mail.smtp_security == "ssl" else smtplib.SMTP
        try:
            with smtp_class(mail.smtp_host or "localhost", mail.smtp_port, timeout=20) as smtp:
                if mail.smtp_security == "starttls":
                    smtp.starttls()
                if mail.smtp_username and mail.smtp_password:
                    smtp.login(mail.smtp_username, mail.smtp_password.get_secret_value())
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise NotifyError(f"alert email: {type(error).__name__}: {error}") from error


def notifiers_from(settings: Settings) -> list[Notifier]:
    """The notifiers the settings ask for: webhook, email, both or none."""
    found: list[Notifier] = []
    obs = settings.observability
    if obs.alert_webhook_url is not None:
        allow = settings.allow_private_callbacks or None
        found.append(WebhookNotifier(obs.alert_webhook_url.get_secret_value(), 10.0, allow))
    if obs.alert_email_to and settings.mail.smtp_host:
        found.append(EmailNotifier(settings.mail, list(obs.alert_email_to)))
    return found


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule's finding: while it holds, the alert with its key is open."""

    key: str
    kind: str
    message: str
    tenant_id: uuid.UUID | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SyncReport:
    """What one evaluation changed: keys opened, resolved, and messages sent."""

    opened: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def alert_text(kind: str, message: str, state: str) -> str:
    """The message a person reads."""
    if state == "resolved":
        return f":white_check_mark: RESOLVED [{kind}] {message}"
    return f":rotating_light: ALERT [{kind}] {message}"


class AlertBook:
    """The `alerts` table as a state machine: open once per key, notified once, resolved once.

    `sync` takes the conditions the rules found now; an open alert of a rule kind whose
    condition is gone is resolved (and a resolve message sent); alerts raised by other code
    (event alerts) are notified once and stay as they are.
    """

    def __init__(self, sessions: sessionmaker[Session], notifiers: list[Notifier]) -> None:
        self.sessions = sessions
        self.notifiers = notifiers

    def sync(self, conditions: list[Condition], rule_kinds: frozenset[str]) -> SyncReport:
        """Open, reopen and resolve alerts for these conditions, then notify what is due."""
        from service.db.tables import utcnow

        report = SyncReport()
        current = {c.key: c for c in conditions}
        resolved: list[tuple[str, str]] = []
        with self.sessions() as session, session.begin():
            for condition in current.values():
                if self._open(session, condition):
                    report.opened.append(condition.key)
            stale = session.scalars(
                select(AlertRecord).where(
                    AlertRecord.state == "open", AlertRecord.kind.in_(rule_kinds)
                )
            ).all()
            for row in stale:
                if row.dedupe_key is not None and row.dedupe_key not in current:
                    row.state, row.resolved_at = "resolved", utcnow()
                    report.resolved.append(row.dedupe_key)
                    resolved.append((row.kind, row.message))
        for kind, message in resolved:
            self._send(alert_text(kind, message, "resolved"), report, f"resolved:{kind}")
        self.deliver_pending(report)
        return report

    @staticmethod
    def _open(session: Session, condition: Condition) -> bool:
        row = session.scalar(select(AlertRecord).where(AlertRecord.dedupe_key == condition.key))
        if row is None:
            session.add(AlertRecord(kind=condition.kind, tenant_id=condition.tenant_id,
                                    dedupe_key=condition.key, message=condition.message,
                                    detail=condition.detail, state="open"))  # fmt: skip
            log_alert(Alert(condition.kind, condition.message, condition.tenant_id,
                            condition.key, condition.detail))  # fmt: skip
            return True
        if row.state == "open":
            return False  # still open: not sent again
        from service.db.tables import utcnow

        row.state, row.resolved_at, row.notified_at = "open", None, None
        row.message, row.detail, row.created_at = condition.message, condition.detail, utcnow()
        log_alert(Alert(condition.kind, condition.message, condition.tenant_id, condition.key,
                        condition.detail))  # fmt: skip
        return True

    def deliver_pending(self, report: SyncReport | None = None) -> SyncReport:
        """Notify every open alert not yet notified (rules' and other code's); mark them."""
        from service.db.tables import utcnow

        report = report if report is not None else SyncReport()
        if not self.notifiers:
            return report
        with self.sessions() as session:
            pending = session.execute(
                select(AlertRecord.id, AlertRecord.kind, AlertRecord.message).where(
                    AlertRecord.state == "open", AlertRecord.notified_at.is_(None),
                    AlertRecord.kind.not_in(COVERED_BY_RULES),
                ).order_by(AlertRecord.id).limit(100)
            ).all()  # fmt: skip
        for alert_id, kind, message in pending:
            if self._send(alert_text(kind, message, "open"), report, f"open:{kind}"):
                with self.sessions() as session, session.begin():
                    row = session.get(AlertRecord, alert_id)
                    if row is not None:
                        row.notified_at = utcnow()
        return report

    def _send(self, text: str, report: SyncReport, label: str) -> bool:
        ok = True
        for notifier in self.notifiers:
            try:
                notifier.notify(text)
            except NotifyError as error:
                log.warning("alert not delivered via %s: %s", type(notifier).__name__, error)
                ok = False
        (report.sent if ok else report.failed).append(label)
        return ok
