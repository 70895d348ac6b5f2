"""A private Dovecot IMAP server for tests (and the mail soak), and builders of the messages
delivered into it.

`Dovecot` writes a throw-away configuration (static passwd-file users, maildir under a temp
folder, 127.0.0.1 on free ports, plain IMAP and, with a self-signed certificate made by the
openssl CLI, IMAPS), starts `dovecot -c CONFIG -F` as a child and stops it at teardown.
Messages are delivered with IMAP APPEND. Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import imaplib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
USER = "intake"
PASSWORD = "s3cret-intake"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 0
mail_uid = dovecot
mail_gid = dovecot
mail_max_userip_connections = 100
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def dovecot_available() -> bool:
    """True when Debian's dovecot-imapd is installed."""
    return Path(DOVECOT).exists()


@dataclass
class Dovecot:
    """A private Dovecot on 127.0.0.1 with one user; started and stopped by the caller."""

    tls: bool = False
    # Dovecot's own users must reach the files: not under pytest's 0700 temp folders.
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="docproc-dovecot-")))
    port: int = field(default_factory=free_port)
    ssl_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def cert(self) -> Path:
        """The self-signed certificate (the CA file a client trusts)."""
        return self.root / "cert.pem"

    def _make_cert(self) -> str:
        key = self.root / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(key),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )
        return f"ssl_cert = <{self.cert}\nssl_key = <{key}"

    def start(self) -> Dovecot:
        """Write the configuration and start Dovecot; wait until it accepts IMAP logins."""
        self.root.chmod(0o755)
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "mail").chmod(0o777)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        ssl_files = self._make_cert() if self.tls else ""
        config = _CONFIG.format(
            root=self.root,
            port=self.port,
            ssl="yes" if self.tls else "no",
            ssl_port=self.ssl_port if self.tls else 0,
            ssl_files=ssl_files,
        )
        path = self.root / "dovecot.conf"
        path.write_text(config)
        log = (self.root / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [DOVECOT, "-c", str(path), "-F"], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                self.client().logout()
                return self
            except (OSError, imaplib.IMAP4.error):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    logs = self.logs()
                    self.stop()
                    raise RuntimeError(f"dovecot did not start: {logs}") from None
                time.sleep(0.1)

    def logs(self) -> str:
        """Dovecot's own log and output."""
        text = ""
        for name in ("stdout.log", "dovecot.log"):
            with contextlib.suppress(OSError):
                text += (self.root / name).read_text(errors="replace")[-3000:]
        return text

    def reset_uids(self) -> None:
        """Stop, forget every folder's UID list and indexes (a new UIDVALIDITY, UIDs counted
        from 1 again, as after a server migration), and start again on the same ports."""
        self.stop(remove=False)
        for pattern in ("dovecot-uidlist", "dovecot.index*", "dovecot.list.index*"):
            for path in (self.root / "mail").rglob(pattern):
                path.unlink()
        self.start()

    def stop(self, remove: bool = True) -> None:
        """Stop Dovecot (SIGTERM, then SIGKILL) and, unless asked not to, remove its files."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        """A logged-in plain IMAP connection."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """APPEND each message to the folder (unseen)."""
        client = self.client()
        try:
            for raw in messages:
                status, data = client.append(f'"{folder}"', None, None, raw)
                assert status == "OK", data
        finally:
            client.logout()

    def count(self, folder: str = "INBOX", criteria: str = "ALL") -> int:
        """How many messages of the folder match."""
        client = self.client()
        try:
            status, _ = client.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return 0
            _, data = client.uid("SEARCH", criteria)
            return len((data[0] or b"").split())
        finally:
            client.logout()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A private Dovecot on 127.0.0.1 (plain IMAP), stopped after the test."""
    if not dovecot_available():
        pytest.skip("dovecot-imapd is not installed (scripts/setup.sh installs it)")
    server = Dovecot().start()
    yield server
    server.stop()


# ---- messages ------------------------------------------------------------------------------


def unique_pdf(n: int, name: str = "classic_left-000001") -> bytes:
    """A committed sample PDF made distinct by a comment after %%EOF (still a valid PDF)."""
    return (SAMPLES / f"{name}.pdf").read_bytes() + f"\n%unique-{n}-{uuid.uuid4().hex}\n".encode()


def png(width: int, height: int, pad: int = 0) -> bytes:
    """A real PNG of the given size (uncompressed-ish), `pad` bytes of extra data appended
    in an ancillary chunk to reach a size."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes([200]) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    extra = chunk(b"teXt", b"pad\x00" + b"x" * pad) if pad else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + extra
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def message(
    subject: str,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    sender: str = "ap@vendor.example",
    message_id: str | None = None,
    html: str | None = None,
) -> EmailMessage:
    """An email from `sender` with (filename, bytes, media type) attachments."""
    mail = EmailMessage()
    mail["From"] = f"Vendor AP <{sender}>"
    mail["To"] = "invoices@builder.example"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or make_msgid(domain="vendor.example")
    mail.set_content("Please find attached.\n")
    if html is not None:
        mail.add_alternative(html, subtype="html")
    for filename, data, media_type in attachments:
        main, sub = media_type.split("/", 1)
        mail.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return mail


def forwarded(inner: EmailMessage, sender: str = "pm@builder.example") -> bytes:
    """A message forwarding `inner` as an attached .eml (message/rfc822)."""
    outer = message(f"Fwd: {inner['Subject']}", sender=sender)
    outer.add_attachment(inner, filename="forwarded.eml")
    return outer.as_bytes()


def html_with_logos(pdf: bytes) -> bytes:
    """An HTML-only message with two inline signature logos, a tracking pixel and a PDF."""
    mail = EmailMessage()
    mail["From"] = "ap@vendor.example"
    mail["To"] = "invoices@builder.example"
    mail["Subject"] = "Invoice (HTML)"
    mail["Message-ID"] = make_msgid(domain="vendor.example")
    mail.set_content(
        '<p>Invoice attached <img src="cid:logo1"> <img src="cid:logo2"><img src="cid:pixel"></p>',
        subtype="html",
    )
    related = [("logo1", png(180, 60, pad=2000)), ("logo2", png(120, 120)), ("pixel", png(1, 1))]
    mail.make_related()
    for cid, data in related:
        mail.add_related(
            data,
            maintype="image",
            subtype="png",
            cid=f"<{cid}>",
            filename=f"{cid}.png",
            disposition="inline",
        )
    mail.make_mixed()
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="invoice.pdf")
    return mail.as_bytes()


MALFORMED = (
    b"From: broken@vendor.example\r\nSubject: broken\r\nMessage-ID: <broken-1@vendor.example>\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
    b"--never-closed\r\nContent-Type: application/pdf; name=x.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=x.pdf\r\n"
    b"\r\n!!!! not base64 at all ####\r\n"
)
