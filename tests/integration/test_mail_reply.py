"""The optional reply to senders, through a tiny SMTP sink on 127.0.0.1 (socketserver): off by
default; when a mailbox asks for it, the sender gets one message naming each attachment's
outcome, in reply to the original Message-ID."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

from service.alerts import MemoryAlertSink
from service.bootstrap import Container
from service.mail.poller import Poller
from service.mail.reply import Replier
from tests.conftest import FakeQueue, make_container, make_settings
from tests.integration.test_mail_imap import SECRET_ENV, add_mailbox
from tests.mail_fixtures import PASSWORD, Dovecot, dovecot, message, png, unique_pdf

__all__ = ["dovecot"]
pytestmark = pytest.mark.integration


@dataclass
class SmtpSink:
    """Messages received by the sink, as (envelope recipients, message)."""

    received: list[tuple[list[str], Message]] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    sink: SmtpSink

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 sink ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self._say("250 sink")
            elif verb.startswith("RCPT"):
                recipients.append(verb.split(":", 1)[1].strip(" <>").lower())
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.sink.received.append((recipients, message_from_bytes(data)))
                recipients = []
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 ok")


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    """A local SMTP sink; the messages it got and its port."""
    sink = SmtpSink()
    handler = type("Handler", (_SmtpHandler,), {"sink": sink})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink, server.server_address[1]
    server.shutdown()
    server.server_close()


def _container(pg_url: str, tmp_path: Path, port: int) -> Container:
    mail = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_from": "docproc@builder.example",
    }
    return make_container(make_settings(tmp_path / "data", pg_url, mail=mail))


def test_reply_names_each_attachment(
    pg_url: str,
    tmp_path: Path,
    dovecot: Dovecot,
    smtp_sink: tuple[SmtpSink, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """reply=True: one reply to the sender, In-Reply-To the original, listing the PDF as
    received and the logo as skipped; reply=False (the default): none."""
    monkeypatch.setenv(SECRET_ENV, PASSWORD)
    sink, port = smtp_sink
    container = _container(pg_url, tmp_path, port)
    settings = container.settings.mail
    poller = Poller(container, FakeQueue(container), MemoryAlertSink(), Replier(settings))
    replying = add_mailbox(container, dovecot, reply=True)
    mail = message(
        "Invoice 12",
        [("inv.pdf", unique_pdf(1), "application/pdf"), ("tiny.png", png(20, 20), "image/png")],
    )
    dovecot.deliver(mail.as_bytes())
    assert poller.poll_guarded(replying).documents == 1
    [(recipients, reply)] = sink.received
    assert recipients == ["ap@vendor.example"]
    assert reply["In-Reply-To"] == mail["Message-ID"] and reply["Subject"] == "Re: Invoice 12"
    text = reply.get_payload(decode=True)
    assert isinstance(text, bytes)
    assert b"inv.pdf: received for processing" in text and b"tiny.png: skipped" in text
    quiet = add_mailbox(container, dovecot)
    dovecot.deliver(message("again", [("b.pdf", unique_pdf(2), "application/pdf")]).as_bytes())
    assert poller.poll_guarded(quiet).documents == 1
    assert len(sink.received) == 1
    container.engine.dispose()
