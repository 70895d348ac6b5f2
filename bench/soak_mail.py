"""Mail soak: messages delivered to a private Dovecot while the poller runs and is killed
with SIGKILL at random points, then restarted; every attachment must become exactly one
document.

The poller is the real command (`docproc mail poll --loop`) in a subprocess over a fresh
PostgreSQL database. Counted from the database against what was delivered, the run ends with
ONE line on stdout: `MAIL attachments=N documents=N duplicated=N missed=N` (details on
stderr). Exit status 0 when nothing was missed or duplicated. Bounded: gives up after
`--deadline` seconds. Needs PostgreSQL on 127.0.0.1 and Debian's dovecot-imapd.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from service.bootstrap import Container
from service.config import Settings
from service.db.migrations import upgrade_database
from service.db.session import unit_of_work
from service.db.tables import DocumentRecord, MailMessageRecord
from service.db.tenants import get_or_create_tenant
from service.mail.mailboxes import MailboxConfig, put_mailbox
from tests.integration.worker_fixtures import container_for, env_for, fresh_postgres
from tests.mail_fixtures import PASSWORD, USER, Dovecot, message, unique_pdf

ROOT = Path(__file__).resolve().parents[1]
SECRET_ENV = "DOCPROC_SOAK_MAIL_SECRET"
SAMPLE_NAMES = (
    "classic_left-000001",
    "letterhead_right-000002",
    "centred_vat-000003",
    "supply_house-000004",
    "subcontract_retainage-000005",
    "banner_gst-000006",
)


@dataclass
class SoakResult:
    """What was delivered and what the database holds at the end."""

    messages: int
    attachments: int
    documents: int
    duplicated: int
    missed: int
    kills: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    reread: int = 0

    @property
    def line(self) -> str:
        """The one summary line."""
        return (
            f"MAIL attachments={self.attachments} documents={self.documents} "
            f"duplicated={self.duplicated} missed={self.missed}"
        )


def plan(messages: int, attachments: int, rng: random.Random) -> list[int]:
    """Attachments per message (1 to 4), summing to `attachments`."""
    if not messages <= attachments <= 4 * messages:
        raise ValueError("need 1 to 4 attachments per message")
    counts = [1] * messages
    extra = attachments - messages
    while extra:
        index = rng.randrange(messages)
        if counts[index] < 4:
            counts[index] += 1
            extra -= 1
    return counts


def build_messages(counts: list[int]) -> tuple[list[bytes], set[str]]:
    """The raw messages and the SHA-256 of every attachment in them (all distinct)."""
    raws: list[bytes] = []
    hashes: set[str] = set()
    n = 0
    for index, count in enumerate(counts):
        files = []
        for _ in range(count):
            data = unique_pdf(n, SAMPLE_NAMES[n % len(SAMPLE_NAMES)])
            hashes.add(hashlib.sha256(data).hexdigest())
            files.append((f"invoice-{n}.pdf", data, "application/pdf"))
            n += 1
        raws.append(message(f"Soak {index}", files).as_bytes())
    return raws, hashes


class PollerProcess:
    """`docproc mail poll --loop` as a child, killed and restarted on demand."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.popen: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        """Start a poller."""
        argv = [sys.executable, "-m", "service.cli", "mail", "poll", "--loop", "--interval", "0.2"]
        with self.log.open("ab") as sink:
            self.popen = subprocess.Popen(
                argv, env=self.env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        """SIGKILL the poller wherever it is, and reap it."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(timeout=30)
            self.kills += 1

    def stop(self) -> None:
        """Ask the poller to stop (SIGTERM), then make sure."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=15)


class StoreTrap:
    """A TCP proxy between the poller and Dovecot that, when armed, SIGKILLs the poller at its
    next `UID STORE` (the \\Seen flag): a kill exactly between the commit and the mark."""

    def __init__(self, upstream_port: int, poller: PollerProcess) -> None:
        self.upstream_port = upstream_port
        self.poller = poller
        self.armed = threading.Event()
        self.fired = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if from_client and self.armed.is_set() and b" STORE " in data.upper():
                    self.armed.clear()
                    self.poller.kill()
                    self.fired.set()
                    break
                target.sendall(data)
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.close()

    def kill_at_next_store(self, timeout_s: float) -> bool:
        """Arm, and wait until the poller was killed at a STORE; False if none came."""
        self.fired.clear()
        self.armed.set()
        fired = self.fired.wait(timeout_s)
        self.armed.clear()
        return fired

    def close(self) -> None:
        """Stop accepting connections."""
        self.listener.close()


def _deliver(server: Dovecot, raws: list[bytes], spread_s: float, done: threading.Event) -> None:
    pause = spread_s / max(len(raws), 1)
    client = server.client()
    try:
        for raw in raws:
            status, data = client.append('"INBOX"', None, None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND failed: {data!r}")
            time.sleep(pause)
    finally:
        client.logout()
        done.set()


def soak(
    messages: int = 200,
    attachments: int = 350,
    kills: int = 2,
    spread_s: float = 20.0,
    deadline_s: float = 150.0,
    seed: int | None = None,
) -> SoakResult:
    """Run the soak and count the outcome from the database."""
    rng = random.Random(seed)
    started = time.monotonic()
    raws, hashes = build_messages(plan(messages, attachments, rng))
    server = Dovecot().start()
    work = Path(tempfile.mkdtemp(prefix="docproc-soak-mail-"))
    try:
        with fresh_postgres() as url:
            return _run(server, url, work, raws, hashes, kills, spread_s, deadline_s, rng, started)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def _run(
    server: Dovecot,
    url: str,
    work: Path,
    raws: list[bytes],
    hashes: set[str],
    kills: int,
    spread_s: float,
    deadline_s: float,
    rng: random.Random,
    started: float,
) -> SoakResult:
    upgrade_database(url)
    env = env_for(
        {
            "DOCPROC_DATA_DIR": str(work / "data"),
            "DOCPROC_DATABASE__URL": url,
            SECRET_ENV: PASSWORD,
            "DOCPROC_MAIL__POLL_INTERVAL_S": "0.2",
        }
    )
    container = container_for(_settings(work, url))
    poller = PollerProcess(env, work / "poller.log")
    trap = StoreTrap(server.port, poller)
    with unit_of_work(container.sessions) as session:
        tenant = get_or_create_tenant(session, f"soak-{uuid.uuid4().hex[:8]}")
        config = MailboxConfig(
            host="127.0.0.1",
            port=trap.port,
            security="none",
            username=USER,
            secret_ref=f"env:{SECRET_ENV}",
        )
        put_mailbox(session, tenant.id, "soak", config)
        tenant_id = tenant.id
    poller.start()
    try:
        _deliver_while_killing(server, raws, trap, kills, spread_s, rng)
        deadline = started + deadline_s
        while time.monotonic() < deadline and server.count(criteria="UNSEEN") > 0:
            time.sleep(0.5)
    finally:
        poller.stop()
        trap.close()
    result = _count(container, tenant_id, len(raws), hashes, poller.kills, started)
    log = (work / "poller.log").read_text(errors="replace")
    reread = sum(int(n) for n in re.findall(r"duplicates=(\d+)", log))
    result.reread = reread
    result.notes.append(f"re-read after a kill and recognised={reread}")
    container.engine.dispose()
    return result


def _deliver_while_killing(
    server: Dovecot,
    raws: list[bytes],
    trap: StoreTrap,
    kills: int,
    spread_s: float,
    rng: random.Random,
) -> None:
    """Deliver over `spread_s` seconds; SIGKILL and restart the poller at random moments, the
    last kill at a STORE (after the commit, before the message is marked)."""
    delivered = threading.Event()
    thread = threading.Thread(target=_deliver, args=(server, raws, spread_s, delivered))
    thread.start()
    begun = time.monotonic()
    try:
        moments = sorted(rng.uniform(0.5, spread_s * 0.8) for _ in range(kills))
        for index, at in enumerate(moments):
            time.sleep(max(0.0, begun + at - time.monotonic()))
            last = index == len(moments) - 1
            if not (last and trap.kill_at_next_store(timeout_s=10.0)):
                trap.poller.kill()
            trap.poller.start()
    finally:
        thread.join()


def _settings(work: Path, url: str) -> Settings:
    return Settings(data_dir=work / "data", database={"url": url})


def _count(
    container: Container,
    tenant_id: uuid.UUID,
    messages: int,
    hashes: set[str],
    kills: int,
    started: float,
) -> SoakResult:
    with container.sessions() as session:
        shas = list(
            session.scalars(
                select(DocumentRecord.sha256).where(DocumentRecord.tenant_id == tenant_id)
            )
        )
        rows = (
            session.scalar(
                select(func.count())
                .select_from(MailMessageRecord)
                .where(MailMessageRecord.tenant_id == tenant_id)
            )
            or 0
        )
    found = set(shas)
    duplicated = (len(shas) - len(found)) + len(found - hashes) + max(0, int(rows) - messages)
    missed = len(hashes - found)
    notes = [f"messages={messages} recorded={rows} kills={kills} processed={len(found & hashes)}"]
    return SoakResult(
        messages,
        len(hashes),
        len(shas),
        duplicated,
        missed,
        kills,
        time.monotonic() - started,
        notes,
    )


def main() -> int:
    """Run the soak from the command line; print the MAIL line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--attachments", type=int, default=350)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--spread", type=float, default=20.0, help="seconds of delivery")
    parser.add_argument("--deadline", type=float, default=150.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    result = soak(
        args.messages, args.attachments, args.kills, args.spread, args.deadline, args.seed
    )
    sys.stderr.write(f"soak-mail: {'; '.join(result.notes)}; {result.seconds:.1f} s\n")
    sys.stdout.write(result.line + "\n")
    return 0 if result.missed == 0 and result.duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
