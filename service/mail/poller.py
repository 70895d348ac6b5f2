"""Polling mailboxes: read new messages, ingest them, enqueue their documents, then finish
each message (\\Seen or moved), and count failed polls to raise an alert after N in a row.

The order is the guarantee: a message is finished on the server only after its documents
are committed, so a crash in between re-reads it next time and finds it already recorded
(by UIDVALIDITY + UID, else by Message-ID): no second document, and nothing missed.
Must not parse MIME or write rows itself: `parse`, `ingest` and `mailboxes` do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from service.alerts import Alert, AlertSink
from service.api.intake import enqueue_new
from service.api.queue import TaskQueue
from service.bootstrap import Container
from service.db.session import unit_of_work
from service.db.tables import MailboxRecord
from service.mail.imap import (
    AUTHS,
    SECURITIES,
    ImapAccount,
    ImapMailbox,
    MailConfigError,
    resolve_secret,
)
from service.mail.ingest import Ingested, MailStatus, Origin, ingest_mail, uid_recorded
from service.mail.mailboxes import enabled_mailboxes, record_failure, record_success
from service.mail.parse import AttachmentRules, MailMessage, parse_mail
from service.mail.reply import Replier
from service.observability.metrics import record_mail_poll

log = logging.getLogger("docproc.mail")

ALERT_KIND = "mail_poll_failing"
_T = TypeVar("_T", bound=str)


@dataclass(slots=True)
class PollReport:
    """What one poll of one mailbox did."""

    mailbox: str
    seen: int = 0
    processed: int = 0
    rejected: int = 0
    duplicates: int = 0
    documents: int = 0
    error: str | None = None

    def count(self, outcome: Ingested) -> None:
        """Add one message's outcome."""
        if outcome.status is MailStatus.DUPLICATE:
            self.duplicates += 1
        elif outcome.status is MailStatus.REJECTED:
            self.rejected += 1
        else:
            self.processed += 1
        self.documents += outcome.created


def account_of(mailbox: MailboxRecord, timeout_s: float) -> ImapAccount:
    """The IMAP account of a mailbox row, its secret resolved from the environment."""
    return ImapAccount(
        host=mailbox.host,
        port=mailbox.port,
        username=mailbox.username,
        secret=resolve_secret(mailbox.secret_ref),
        security=_choice(mailbox.security, SECURITIES),
        auth=_choice(mailbox.auth, AUTHS),
        ca_file=mailbox.ca_file,
        timeout_s=timeout_s,
    )


def _choice(value: str, allowed: tuple[_T, ...]) -> _T:
    """A stored setting checked against its allowed values."""
    for option in allowed:
        if value == option:
            return option
    raise MailConfigError(f"unknown setting {value!r}; one of {', '.join(allowed)}")


def origin_of(
    mailbox: MailboxRecord, uidvalidity: int | None = None, uid: int | None = None
) -> Origin:
    """Where a message of this mailbox comes from, with the mailbox's rules."""
    return Origin(
        tenant_id=mailbox.tenant_id,
        channel="imap",
        mailbox_id=mailbox.id,
        uidvalidity=uidvalidity,
        uid=uid,
        allowed_senders=tuple(mailbox.allowed_senders or ()),
        project=mailbox.project,
    )


class Poller:
    """Polls mailboxes with real adapters: the container's database and blobs, a task queue,
    an alert sink and an optional replier."""

    def __init__(
        self,
        container: Container,
        queue: TaskQueue,
        alerts: AlertSink,
        replier: Replier | None = None,
    ) -> None:
        self.container = container
        self.queue = queue
        self.alerts = alerts
        self.replier = replier
        self.rules = AttachmentRules.from_settings(container.settings.mail)

    def poll_all(self) -> list[PollReport]:
        """Poll every enabled mailbox once; one failing mailbox does not stop the others."""
        with self.container.sessions() as session:
            mailboxes = enabled_mailboxes(session)
        return [self.poll_guarded(mailbox) for mailbox in mailboxes]

    def poll_guarded(self, mailbox: MailboxRecord) -> PollReport:
        """Poll one mailbox, recording success or failure (and alerting after N failures)."""
        try:
            report = self.poll(mailbox)
        except Exception as error:
            log.warning("poll of mailbox %s failed: %r", mailbox.name, error)
            self._failed(mailbox, f"{type(error).__name__}: {error}")
            record_mail_poll(ok=False)
            return PollReport(mailbox.name, error=f"{type(error).__name__}: {error}")
        with unit_of_work(self.container.sessions) as session:
            record_success(session, mailbox.id)
        record_mail_poll(ok=True)
        return report

    def _failed(self, mailbox: MailboxRecord, error: str) -> None:
        threshold = self.container.settings.mail.alert_after_failures
        with unit_of_work(self.container.sessions) as session:
            row = record_failure(session, mailbox.id, error)
            if row is None or row.consecutive_failures < threshold or row.failing_since is None:
                return
            failures, since = row.consecutive_failures, row.failing_since
        self.alerts.raise_alert(
            Alert(
                kind=ALERT_KIND,
                tenant_id=mailbox.tenant_id,
                message=f"mailbox {mailbox.name!r}: {failures} failed polls in a row; {error}",
                dedupe_key=f"{ALERT_KIND}:{mailbox.id}:{since.isoformat()}",
                detail={"mailbox": mailbox.name, "failures": failures, "error": error},
            )
        )

    def poll(self, mailbox: MailboxRecord) -> PollReport:
        """Read the mailbox's new messages and ingest, enqueue and finish each in turn."""
        settings = self.container.settings.mail
        report = PollReport(mailbox.name)
        imap = ImapMailbox(account_of(mailbox, settings.imap_timeout_s))
        try:
            uidvalidity = imap.select(mailbox.folder)
            uids = imap.uids(unseen_only=mailbox.after == "seen")[: settings.max_messages_per_poll]
            sizes = imap.sizes(uids)
            for uid in uids:
                report.seen += 1
                outcome = self._one(imap, mailbox, uidvalidity, uid, sizes.get(uid, 0))
                if outcome is not None:
                    report.count(outcome)
        finally:
            imap.close()
        return report

    def _one(
        self, imap: ImapMailbox, mailbox: MailboxRecord, uidvalidity: int, uid: int, size: int
    ) -> Ingested | None:
        """One message: skip if recorded, else ingest; then finish it on the server."""
        with self.container.sessions() as session:
            recorded = uid_recorded(session, mailbox.id, uidvalidity, uid)
        outcome: Ingested | None = None
        if recorded:
            outcome = Ingested(MailStatus.DUPLICATE, "already received")
        else:
            outcome = self._ingest(imap, mailbox, uidvalidity, uid, size)
            if outcome is None:
                return None  # gone from the server meanwhile
            enqueue_new(self.queue, outcome.documents)
        self._finish(imap, mailbox, uid)
        if (
            self.replier is not None
            and mailbox.reply
            and outcome.status is not MailStatus.DUPLICATE
        ):
            self.replier.reply_quietly(outcome)
        return outcome

    def _ingest(
        self, imap: ImapMailbox, mailbox: MailboxRecord, uidvalidity: int, uid: int, size: int
    ) -> Ingested | None:
        limit = self.container.settings.mail.max_message_bytes
        too_large = size > limit
        raw = imap.fetch(uid, headers_only=too_large)
        if raw is None:
            return None
        mail = _read(raw)
        origin = origin_of(mailbox, uidvalidity, uid)
        refused = None
        if too_large:  # only the header was fetched: record why, keep nothing
            refused = f"too_large: the message is {size} bytes, over the limit of {limit}"
        return ingest_mail(self.container, mail, origin, self.rules, raw, refused)

    @staticmethod
    def _finish(imap: ImapMailbox, mailbox: MailboxRecord, uid: int) -> None:
        if mailbox.after == "move" and mailbox.move_to:
            imap.move(uid, mailbox.move_to)
        else:
            imap.mark_seen(uid)


def _read(raw: bytes) -> MailMessage:
    """Parse; a message the parser cannot read at all is kept as a malformed, empty one."""
    try:
        return parse_mail(raw)
    except Exception as error:  # a poison message must not stop the mailbox
        log.warning("unreadable message: %r", error)
        return MailMessage(None, None, None, [], [f"Unreadable: {type(error).__name__}"])


def run_loop(poller: Poller, interval_s: float, should_stop: Callable[[], bool]) -> None:
    """Poll every `interval_s` seconds until `should_stop()` is true."""
    while not should_stop():
        started = time.monotonic()
        for report in poller.poll_all():
            if report.seen or report.error:
                log.info("mail poll %s", report)
        time.sleep(max(0.0, interval_s - (time.monotonic() - started)))
