"""One received email in, its attachments stored as documents and the message recorded once.

The shared path of every channel (IMAP, raw MIME and provider webhooks): apply the sender
rules, judge each attachment, put the documents' bytes in the blob store, then in ONE
transaction record the message (unique per tenant and Message-ID), create or find a document
per attachment (the same bytes are one document, as for uploads) and mark new ones queued.
The caller commits by leaving `unit_of_work` here, on purpose: IMAP marks the message only
after this commit, and a message seen twice meets the unique key and is not processed again.
Must not enqueue or talk to IMAP: it returns what the caller sends and marks.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.bootstrap import Container
from service.db.documents import NewDocument, create_or_get_document, mark_queued, record_event
from service.db.session import unit_of_work
from service.db.tables import DocumentRecord, MailAttachmentRecord, MailMessageRecord
from service.mail.parse import AttachmentRules, Judged, MailMessage, Verdict, judge, message_key
from service.mail.rules import sender_allowed

log = logging.getLogger("docproc.mail")

_SOURCE = "email"


class MailStatus(StrEnum):
    """How a received message ended; stored and shown."""

    PROCESSED = "processed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a message came from and the rules of that place."""

    tenant_id: uuid.UUID
    channel: str
    mailbox_id: uuid.UUID | None = None
    uidvalidity: int | None = None
    uid: int | None = None
    allowed_senders: tuple[str, ...] = ()
    project: str | None = None


@dataclass(slots=True)
class Ingested:
    """What became of one message: its status, the documents (created or found) and why."""

    status: MailStatus
    reason: str | None = None
    documents: list[tuple[DocumentRecord, bool]] = field(default_factory=list)
    judged: list[Judged] = field(default_factory=list)
    sender: str | None = None
    subject: str | None = None
    message_id: str | None = None

    @property
    def created(self) -> int:
        """How many documents this message created (not found)."""
        return sum(1 for _, created in self.documents if created)


def is_recorded(session: Session, tenant_id: uuid.UUID, key: str) -> bool:
    """True when the tenant already has a message with this dedupe key."""
    query = select(MailMessageRecord.id).where(
        MailMessageRecord.tenant_id == tenant_id, MailMessageRecord.message_key == key
    )
    return session.scalar(query) is not None


def uid_recorded(session: Session, mailbox_id: uuid.UUID, uidvalidity: int, uid: int) -> bool:
    """True when this UID of this UIDVALIDITY of the mailbox was already recorded."""
    query = select(MailMessageRecord.id).where(
        MailMessageRecord.mailbox_id == mailbox_id,
        MailMessageRecord.uidvalidity == uidvalidity,
        MailMessageRecord.uid == uid,
    )
    return session.scalar(query.limit(1)) is not None


Verdicts = tuple[list[Judged], str | None]


def _verdicts(mail: MailMessage, origin: Origin, rules: AttachmentRules) -> Verdicts:
    """Each attachment judged, or all refused with the message's reason."""
    if not sender_allowed(mail.sender, origin.allowed_senders):
        reason = f"sender_not_allowed: {mail.sender or 'no sender'} is not on the allow-list"
        return [Judged(p, Verdict.REJECTED, "sender not allowed") for p in mail.parts], reason
    judged = [judge(part, rules) for part in mail.parts]
    if any(j.verdict is Verdict.DOCUMENT for j in judged):
        return judged, None
    rejected = [j.reason for j in judged if j.verdict is Verdict.REJECTED and j.reason]
    if rejected:
        return judged, rejected[0]
    if mail.defects:
        return judged, "malformed: " + ", ".join(sorted(set(mail.defects)))[:500]
    return judged, None


def _store_blobs(container: Container, judged: list[Judged]) -> None:
    folder = container.settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    for item in judged:
        sha256 = item.sha256
        if sha256 is None or container.blobs.exists(sha256):
            continue
        handle, name = tempfile.mkstemp(dir=folder, prefix="mail-", suffix=".part")
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(item.part.data)
            container.blobs.put_file(path, sha256)
        finally:
            path.unlink(missing_ok=True)


def ingest_mail(
    container: Container,
    mail: MailMessage,
    origin: Origin,
    rules: AttachmentRules,
    raw: bytes,
    refused: str | None = None,
) -> Ingested:
    """Record the message once and turn its attachments into queued documents (committed);
    with `refused`, record it as rejected for that reason and keep nothing."""
    key = message_key(mail.message_id, raw)
    with container.sessions() as session:
        if is_recorded(session, origin.tenant_id, key):
            return Ingested(MailStatus.DUPLICATE, "already received")
    judged, reason = ([], refused) if refused else _verdicts(mail, origin, rules)
    _store_blobs(container, judged)
    with unit_of_work(container.sessions) as session:
        message = MailMessageRecord(
            tenant_id=origin.tenant_id,
            mailbox_id=origin.mailbox_id,
            message_key=key,
            message_id=mail.message_id,
            channel=origin.channel,
            sender=(mail.sender or "")[:320] or None,
            subject=mail.subject,
            uidvalidity=origin.uidvalidity,
            uid=origin.uid,
            status=MailStatus.REJECTED if reason else MailStatus.PROCESSED,
            reason=reason,
            documents=0,
        )
        try:
            with session.begin_nested():
                session.add(message)
                session.flush()
        except IntegrityError:  # the same message stored concurrently: once is enough
            return Ingested(MailStatus.DUPLICATE, "already received")
        documents = _record_parts(session, message, mail, origin, judged)
        message.documents = len(documents)
    return Ingested(
        MailStatus(message.status),
        reason,
        documents,
        judged,
        mail.sender,
        mail.subject,
        mail.message_id,
    )


def _record_parts(
    session: Session,
    message: MailMessageRecord,
    mail: MailMessage,
    origin: Origin,
    judged: list[Judged],
) -> list[tuple[DocumentRecord, bool]]:
    documents: list[tuple[DocumentRecord, bool]] = []
    for item in judged:
        document_id = None
        if item.verdict is Verdict.DOCUMENT and item.kind is not None:
            document, created = create_or_get_document(session, _new_document(item, mail, origin))
            if created:
                record_event(
                    session,
                    document,
                    "mail",
                    {"sender": mail.sender, "subject": mail.subject, "message_id": mail.message_id},
                )
                mark_queued(session, document)
            documents.append((document, created))
            document_id = document.id
        session.add(
            MailAttachmentRecord(
                mail_message_id=message.id,
                part=item.part.part[:100],
                filename=(item.part.filename or "")[:255] or None,
                media_type=item.kind.value if item.kind else item.part.content_type[:100],
                size=len(item.part.data),
                sha256=item.sha256,
                outcome=item.verdict,
                reason=item.reason,
                document_id=document_id,
            )
        )
    return documents


def _new_document(item: Judged, mail: MailMessage, origin: Origin) -> NewDocument:
    from service.api.uploads import clean_filename

    assert item.kind is not None and item.sha256 is not None
    return NewDocument(
        tenant_id=origin.tenant_id,
        sha256=item.sha256,
        size=len(item.part.data),
        media_type=item.kind.value,
        filename=clean_filename((item.part.filename or "").replace("\x00", "")),
        source=_SOURCE,
        external_id=(mail.message_id or "")[:255] or None,
        project_hint=origin.project,
    )
