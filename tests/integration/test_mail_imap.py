"""IMAP intake against a real Dovecot on 127.0.0.1: attachments become documents once, logos
and pixels do not, nested forwards are found, over-limit and malformed mail is recorded with
its reason, a message read twice gives no second document, and failing polls raise an alert.
"""

from __future__ import annotations

import imaplib
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from service.alerts import MemoryAlertSink
from service.bootstrap import Container
from service.config import MailSettings
from service.db.session import unit_of_work
from service.db.tables import (
    DocumentRecord,
    DocumentStatus,
    EventRecord,
    MailAttachmentRecord,
    MailboxRecord,
    MailMessageRecord,
)
from service.mail.mailboxes import MailboxConfig, put_mailbox
from service.mail.poller import ALERT_KIND, Poller
from tests.conftest import (
    FakeQueue,
    TenantKey,
    blob_files,
    make_container,
    make_settings,
    new_tenant,
)
from tests.mail_fixtures import (
    MALFORMED,
    PASSWORD,
    USER,
    Dovecot,
    dovecot,
    dovecot_available,
    forwarded,
    html_with_logos,
    message,
    unique_pdf,
)

__all__ = ["dovecot"]
pytestmark = pytest.mark.integration
SECRET_ENV = "DOCPROC_TEST_MAIL_SECRET"


@pytest.fixture
def mail_container(pg_url: str, tmp_path: Path) -> Iterator[Container]:
    """A container on the session's PostgreSQL with blobs under tmp_path."""
    built = make_container(make_settings(tmp_path / "data", pg_url))
    yield built
    built.engine.dispose()


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mailbox password, where its `env:` reference points."""
    monkeypatch.setenv(SECRET_ENV, PASSWORD)


def add_mailbox(
    container: Container, server: Dovecot, tenant: TenantKey | None = None, **config: object
) -> MailboxRecord:
    """A mailbox of a (new) tenant on the Dovecot server."""
    tenant = tenant or new_tenant(container)
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "security": "none",
        "username": USER,
        "secret_ref": f"env:{SECRET_ENV}",
    }
    with unit_of_work(container.sessions) as session:
        mailbox, _ = put_mailbox(
            session,
            tenant.tenant_id,
            f"box-{uuid.uuid4().hex[:6]}",
            MailboxConfig.model_validate(values | config),
        )
    return mailbox


def poller(container: Container, sink: MemoryAlertSink | None = None) -> Poller:
    """A poller with a fake queue and a memory alert sink."""
    return Poller(container, FakeQueue(container), sink or MemoryAlertSink())


def documents(container: Container, tenant_id: uuid.UUID) -> list[DocumentRecord]:
    """The tenant's documents."""
    with container.sessions() as session:
        query = select(DocumentRecord).where(DocumentRecord.tenant_id == tenant_id)
        return list(session.scalars(query))


def mail_rows(container: Container, tenant_id: uuid.UUID) -> list[MailMessageRecord]:
    """The tenant's recorded messages."""
    with container.sessions() as session:
        query = select(MailMessageRecord).where(MailMessageRecord.tenant_id == tenant_id)
        return list(session.scalars(query.order_by(MailMessageRecord.created_at)))


def attachment_rows(container: Container, message_id: uuid.UUID) -> list[MailAttachmentRecord]:
    """One message's attachments, by part."""
    with container.sessions() as session:
        query = select(MailAttachmentRecord).where(
            MailAttachmentRecord.mail_message_id == message_id
        )
        return sorted(session.scalars(query), key=lambda row: row.part)


@pytest.mark.usefixtures("secret")
def test_three_invoices_become_three_queued_documents(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """One message with three PDFs: three documents (source email, queued, the message's
    sender, subject and Message-ID kept), and the message flagged \\Seen."""
    mailbox = add_mailbox(mail_container, dovecot, project="24-017")
    pdfs = [unique_pdf(i) for i in range(3)]
    mail = message(
        "Invoices March", [(f"inv-{i}.pdf", d, "application/pdf") for i, d in enumerate(pdfs)]
    )
    dovecot.deliver(mail.as_bytes())
    report = poller(mail_container).poll_guarded(mailbox)
    assert (report.processed, report.documents, report.error) == (1, 3, None)
    docs = documents(mail_container, mailbox.tenant_id)
    assert sorted(d.filename or "" for d in docs) == ["inv-0.pdf", "inv-1.pdf", "inv-2.pdf"]
    assert {d.source for d in docs} == {"email"} and {d.project_hint for d in docs} == {"24-017"}
    assert {d.status for d in docs} == {DocumentStatus.QUEUED}
    assert {d.external_id for d in docs} == {mail["Message-ID"]}
    [row] = mail_rows(mail_container, mailbox.tenant_id)
    assert (row.sender, row.subject, row.message_id) == (
        "ap@vendor.example",
        "Invoices March",
        mail["Message-ID"],
    )
    assert (row.status, row.documents, row.uid) == ("processed", 3, 1)
    with mail_container.sessions() as session:
        kinds = session.scalars(
            select(EventRecord.kind).where(EventRecord.document_id == docs[0].id)
        )
        assert "mail" in set(kinds)
    assert dovecot.count(criteria="UNSEEN") == 0


@pytest.mark.usefixtures("secret")
def test_forwarded_nested_eml_is_found(mail_container: Container, dovecot: Dovecot) -> None:
    """An invoice inside a forwarded .eml inside another forward becomes a document."""
    mailbox = add_mailbox(mail_container, dovecot)
    inner = message("Invoice 4711", [("nested-invoice.pdf", unique_pdf(7), "application/pdf")])
    middle = message("Fwd: Invoice 4711", sender="site@builder.example")
    middle.add_attachment(inner, filename="original.eml")
    dovecot.deliver(forwarded(middle))
    report = poller(mail_container).poll_guarded(mailbox)
    assert report.documents == 1
    [doc] = documents(mail_container, mailbox.tenant_id)
    assert doc.filename == "nested-invoice.pdf"
    [row] = mail_rows(mail_container, mailbox.tenant_id)
    assert row.sender == "pm@builder.example"


@pytest.mark.usefixtures("secret")
def test_logos_and_tracking_pixels_are_not_documents(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """HTML-only mail with two inline logos and a 1x1 pixel: only the PDF is a document; the
    images are recorded as skipped with their reason."""
    mailbox = add_mailbox(mail_container, dovecot)
    dovecot.deliver(html_with_logos(unique_pdf(11)))
    poller(mail_container).poll_guarded(mailbox)
    [doc] = documents(mail_container, mailbox.tenant_id)
    assert doc.media_type == "application/pdf"
    [row] = mail_rows(mail_container, mailbox.tenant_id)
    outcomes = {
        a.filename: (a.outcome, a.reason or "") for a in attachment_rows(mail_container, row.id)
    }
    assert outcomes["invoice.pdf"][0] == "document"
    assert outcomes["pixel.png"][0] == "skipped" and "small_image: 1x1" in outcomes["pixel.png"][1]
    assert outcomes["logo1.png"][0] == "skipped" and "small_image" in outcomes["logo1.png"][1]
    assert outcomes["logo2.png"][0] == "skipped" and "inline_image" in outcomes["logo2.png"][1]


@pytest.mark.slow
@pytest.mark.usefixtures("secret")
def test_over_limit_attachment_is_rejected_with_its_reason(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """A 40 MB attachment (limit 25 MB): recorded as rejected with the reason, no document,
    no blob, and the message is finished so it is not fetched again."""
    mailbox = add_mailbox(mail_container, dovecot)
    big = unique_pdf(1) + b"%" + b"x" * (40 * 1024 * 1024)
    dovecot.deliver(message("Big scan", [("big.pdf", big, "application/pdf")]).as_bytes())
    report = poller(mail_container).poll_guarded(mailbox)
    assert (report.rejected, report.documents) == (1, 0)
    assert documents(mail_container, mailbox.tenant_id) == []
    assert blob_files(mail_container) == []
    [row] = mail_rows(mail_container, mailbox.tenant_id)
    assert row.status == "rejected" and row.reason is not None
    assert row.reason.startswith("too_large") and "26214400" in row.reason
    [attachment] = attachment_rows(mail_container, row.id)
    assert (attachment.outcome, attachment.sha256) == ("rejected", None)
    assert attachment.size > 40 * 1024 * 1024
    assert dovecot.count(criteria="UNSEEN") == 0


@pytest.mark.usefixtures("secret")
def test_message_over_the_size_limit_is_not_fetched(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """A message larger than max_message_bytes: only its header is read; recorded as rejected
    with its size, nothing stored, and finished."""
    mailbox = add_mailbox(mail_container, dovecot)
    settings = mail_container.settings.model_copy(
        update={"mail": MailSettings(max_message_bytes=50_000)}
    )
    big = message("Huge", [("huge.pdf", unique_pdf(1) + b"%" + b"x" * 80_000, "application/pdf")])
    dovecot.deliver(big.as_bytes())
    report = poller(replace(mail_container, settings=settings)).poll_guarded(mailbox)
    assert (report.rejected, report.documents) == (1, 0)
    [row] = mail_rows(mail_container, mailbox.tenant_id)
    assert (row.subject, row.message_id) == ("Huge", big["Message-ID"])
    assert row.status == "rejected" and (row.reason or "").startswith("too_large: the message")
    assert attachment_rows(mail_container, row.id) == []
    assert documents(mail_container, mailbox.tenant_id) == [] and blob_files(mail_container) == []
    assert dovecot.count(criteria="UNSEEN") == 0


@pytest.mark.usefixtures("secret")
def test_malformed_mime_is_recorded_and_does_not_stop_the_mailbox(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """A broken multipart is recorded (no document) and finished; the next message is read."""
    mailbox = add_mailbox(mail_container, dovecot)
    good = message("Good one", [("good.pdf", unique_pdf(3), "application/pdf")])
    dovecot.deliver(MALFORMED, b"garbage without headers\r\n", good.as_bytes())
    report = poller(mail_container).poll_guarded(mailbox)
    assert report.error is None and report.seen == 3 and report.documents == 1
    rows = mail_rows(mail_container, mailbox.tenant_id)
    broken = next(r for r in rows if r.subject == "broken")
    assert broken.status == "rejected" and (broken.reason or "").startswith("malformed")
    assert [d.filename for d in documents(mail_container, mailbox.tenant_id)] == ["good.pdf"]
    assert dovecot.count(criteria="UNSEEN") == 0


@pytest.mark.usefixtures("secret")
def test_a_message_read_twice_gives_no_second_document(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """A crash between commit and \\Seen (simulated by clearing the flag), and the same
    message appended again under a new UID: one set of documents, counted as duplicates."""
    mailbox = add_mailbox(mail_container, dovecot)
    raw = message(
        "Twice",
        [("a.pdf", unique_pdf(1), "application/pdf"), ("b.pdf", unique_pdf(2), "application/pdf")],
    ).as_bytes()
    dovecot.deliver(raw)
    polling = poller(mail_container)
    assert polling.poll_guarded(mailbox).documents == 2
    client = dovecot.client()
    client.select("INBOX")
    client.uid("STORE", "1", "-FLAGS", r"(\Seen)")
    client.logout()
    dovecot.deliver(raw)  # same Message-ID, new UID (as after a UIDVALIDITY change)
    report = polling.poll_guarded(mailbox)
    assert (report.seen, report.duplicates, report.documents) == (2, 2, 0)
    assert len(documents(mail_container, mailbox.tenant_id)) == 2
    assert len(mail_rows(mail_container, mailbox.tenant_id)) == 1
    assert dovecot.count(criteria="UNSEEN") == 0


@pytest.mark.usefixtures("secret")
def test_uidvalidity_change_reads_new_mail_and_not_old(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """F16: the server renumbers (new UIDVALIDITY, UIDs reused from 1): a new message with a
    reused UID is processed; an old one read again is recognised by its Message-ID."""
    mailbox = add_mailbox(mail_container, dovecot)
    old = message("old", [("old.pdf", unique_pdf(1), "application/pdf")])
    dovecot.deliver(old.as_bytes())
    polling = poller(mail_container)
    assert polling.poll_guarded(mailbox).documents == 1
    client = dovecot.client()
    client.select("INBOX")
    client.uid("STORE", "1", "-FLAGS", r"(\Seen)")
    client.logout()
    dovecot.reset_uids()
    new = message("new", [("new.pdf", unique_pdf(2), "application/pdf")])
    dovecot.deliver(new.as_bytes())
    report = polling.poll_guarded(mailbox)
    assert (report.seen, report.duplicates, report.documents) == (2, 1, 1)
    rows = mail_rows(mail_container, mailbox.tenant_id)
    assert [r.subject for r in rows] == ["old", "new"]
    assert rows[0].uidvalidity != rows[1].uidvalidity
    assert sorted(d.filename or "" for d in documents(mail_container, mailbox.tenant_id)) == [
        "new.pdf",
        "old.pdf",
    ]


@pytest.mark.usefixtures("secret")
def test_senders_not_on_the_allow_list_are_recorded_and_rejected(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """Allow-list by domain: the vendor's mail is processed, a stranger's is recorded as
    rejected and makes no document."""
    mailbox = add_mailbox(mail_container, dovecot, allowed_senders=["@vendor.example"])
    ok = message("ok", [("ok.pdf", unique_pdf(1), "application/pdf")])
    spam = message(
        "spam", [("spam.pdf", unique_pdf(2), "application/pdf")], sender="x@stranger.example"
    )
    dovecot.deliver(ok.as_bytes(), spam.as_bytes())
    report = poller(mail_container).poll_guarded(mailbox)
    assert (report.processed, report.rejected, report.documents) == (1, 1, 1)
    rows = {r.subject: r for r in mail_rows(mail_container, mailbox.tenant_id)}
    assert rows["spam"].status == "rejected"
    assert (rows["spam"].reason or "").startswith("sender_not_allowed")
    assert [d.filename for d in documents(mail_container, mailbox.tenant_id)] == ["ok.pdf"]


@pytest.mark.usefixtures("secret")
def test_move_mode_moves_the_message_after_storing(
    mail_container: Container, dovecot: Dovecot
) -> None:
    """after=move: the message ends up in the configured folder, the inbox is empty."""
    mailbox = add_mailbox(mail_container, dovecot, after="move", move_to="Processed")
    dovecot.deliver(message("m", [("m.pdf", unique_pdf(5), "application/pdf")]).as_bytes())
    assert poller(mail_container).poll_guarded(mailbox).documents == 1
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == 1


def test_failing_polls_raise_one_alert_after_n(
    mail_container: Container, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong password: failures are counted; the N-th in a row (N=2 here; Dovecot slows
    repeated failed logins) raises one alert, the next does not; a success ends the streak."""
    monkeypatch.setenv(SECRET_ENV, "wrong")
    mailbox = add_mailbox(mail_container, dovecot)
    sink = MemoryAlertSink()
    settings = mail_container.settings.model_copy(
        update={"mail": MailSettings(alert_after_failures=2)}
    )
    polling = poller(replace(mail_container, settings=settings), sink)
    assert polling.poll_guarded(mailbox).error is not None
    assert sink.alerts == []
    for _ in range(2):
        assert polling.poll_guarded(mailbox).error is not None
    assert [a.kind for a in sink.alerts] == [ALERT_KIND]
    assert sink.alerts[0].tenant_id == mailbox.tenant_id
    monkeypatch.setenv(SECRET_ENV, PASSWORD)
    assert polling.poll_guarded(mailbox).error is None
    with mail_container.sessions() as session:
        row = session.get(MailboxRecord, mailbox.id)
        assert row is not None and row.consecutive_failures == 0 and row.failing_since is None


@pytest.mark.usefixtures("secret")
def test_imaps_with_a_self_signed_certificate(mail_container: Container) -> None:
    """IMAP over TLS (implicit, and STARTTLS on the plain port), trusting the server's
    self-signed certificate by CA file; without it the poll fails on the certificate."""
    if not dovecot_available():
        pytest.skip("dovecot-imapd is not installed")
    server = Dovecot(tls=True).start()
    try:
        mailbox = add_mailbox(
            mail_container, server, port=server.ssl_port, security="ssl", ca_file=str(server.cert)
        )
        server.deliver(message("tls", [("t.pdf", unique_pdf(9), "application/pdf")]).as_bytes())
        report = poller(mail_container).poll_guarded(mailbox)
        assert (report.error, report.documents) == (None, 1)
        starttls = add_mailbox(
            mail_container, server, security="starttls", ca_file=str(server.cert)
        )
        server.deliver(message("tls2", [("t2.pdf", unique_pdf(10), "application/pdf")]).as_bytes())
        report = poller(mail_container).poll_guarded(starttls)
        assert (report.error, report.documents) == (None, 1)
        untrusted = add_mailbox(mail_container, server, port=server.ssl_port, security="ssl")
        bad = poller(mail_container).poll_guarded(untrusted)
        assert bad.error is not None and "CERTIFICATE" in bad.error.upper()
        assert len(documents(mail_container, mailbox.tenant_id)) == 1
    finally:
        server.stop()


def test_mail_count_helper_sees_unseen(dovecot: Dovecot) -> None:
    """The fixture's own plumbing: APPEND makes unseen mail, visible over plain IMAP."""
    dovecot.deliver(message("x").as_bytes())
    assert dovecot.count(criteria="UNSEEN") == 1
    with pytest.raises(imaplib.IMAP4.error):
        imaplib.IMAP4("127.0.0.1", dovecot.port).login(USER, "nope")
