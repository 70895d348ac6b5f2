"""Chaos run: N documents through real processes while the faults of RELIABILITY.md strike.

Everything is private to the run and on 127.0.0.1: a PostgreSQL cluster (`initdb` + `pg_ctl`
in a temp folder, as the postgres user when run as root), a Redis server on a free port, the
API (`docproc api`), a Celery worker and beat, a webhook receiver the exports go to and a
Slack-compatible receiver the alerts go to. The shared PostgreSQL and Redis are never
touched. Faults, spread over the upload: SIGKILL of a worker pool process mid-task
(preferably mid-OCR), a Redis restart, a PostgreSQL restart, the blob store's disk filled (a
small tmpfs mounted on DATA_DIR/blobs; skipped with a reason when mount is not permitted),
and the export receiver hanging past the connector's timeout.

Counted from the database and the receivers, never from logs: `lost` (uploads answered 2xx
whose document is missing, not terminal, or failed), `duplicated` (a document or extraction
stored twice), `exported_twice` (a document delivered under two delivery ids, or two export
rows), `alerts_raised` (rows in `alerts`); `recovered` also needs the API, the worker and beat
still running (the detail's `exited` names any that stopped). Prints progress on stderr and
ONE line on stdout:

    CHAOS lost=N duplicated=N exported_twice=N alerts_raised=N recovered=yes|no

    python -m bench.chaos [--count 300] [--timeout 900]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT / "fixtures" / "samples"
TERMINAL = frozenset({"extracted", "needs_review", "exported", "failed"})


def say(text: str) -> None:
    """Progress on stderr."""
    sys.stderr.write(f"chaos {time.strftime('%H:%M:%S')} {text}\n")
    sys.stderr.flush()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(check: Callable[[], bool], timeout: float, every: float = 0.5) -> bool:
    """Poll until `check()` is true; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return True
        time.sleep(every)
    return False


# --- private servers -----------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of the run's own on a free port, without persistence (F5: the database,
    not the broker, is the truth)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The broker URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait for PING."""
        argv = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, process_group=0)
        wait_for(self.ping, 10, 0.1)

    def ping(self) -> bool:
        """True when the server answers."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        """SIGKILL (an abrupt crash; nothing saved)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class PrivatePostgres:
    """A PostgreSQL cluster in a temp folder on a free port (initdb + pg_ctl)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
        self.bin = found[-1].parent
        self.as_postgres = os.geteuid() == 0

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run(
            [*prefix, *argv],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the run's database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        """initdb (trust auth on 127.0.0.1 only), then start."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.folder / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        )
        self.start()

    def start(self) -> None:
        """pg_ctl start on 127.0.0.1:port with the socket in the cluster folder."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-l",
            str(self.folder / "pg.log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        """pg_ctl stop (immediate: a crash, every connection cut)."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"
            )


@dataclass
class Delivery:
    """One request to a receiver."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records POSTs on 127.0.0.1; can hang (sleep before answering) to force timeouts."""

    hang_s: float = 0.0
    got: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        """Serve in a thread; the base URL."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if owner.hang_s:
                    time.sleep(owner.hang_s)  # the client times out; we still record it
                with owner.lock:
                    owner.got.append(
                        Delivery(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                with contextlib.suppress(OSError):
                    self.send_response(200)
                    self.end_headers()

            def log_message(self, *_args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        """Stop serving."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


# --- the service's processes ---------------------------------------------------------------


@dataclass
class Service:
    """The API, the worker and beat as real processes, sharing one environment."""

    env: dict[str, str]
    logs: Path
    api_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        """Start one of api, worker, beat."""
        python = sys.executable
        data = self.env["DOCPROC_DATA_DIR"]
        argv = {
            "api": [
                python,
                "-m",
                "service.cli",
                "api",
                "--port",
                str(self.api_port),
                "--log-level",
                "warning",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "service.worker.app",
                "worker",
                "-Q",
                "intake,ocr,push,mail",
                "--concurrency",
                "2",
                "--pool",
                "prefork",
                "--hostname",
                f"chaos-{uuid.uuid4().hex[:6]}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "INFO",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "service.worker.app",
                "beat",
                "--schedule",
                f"{data}/beat-schedule",
                "--pidfile",
                "",
                "--loglevel",
                "WARNING",
            ],
        }[name]
        with (self.logs / f"{name}.log").open("ab") as sink:
            self.procs[name] = subprocess.Popen(
                argv,
                env=self.env,
                cwd=PROJECT,
                stdout=sink,
                stderr=subprocess.STDOUT,
                process_group=0,
            )

    @property
    def url(self) -> str:
        """The API's base URL."""
        return f"http://127.0.0.1:{self.api_port}"

    def pool_children(self) -> list[int]:
        """Pids of the worker's pool processes."""
        worker = self.procs.get("worker")
        if worker is None:
            return []
        path = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    def stop_all(self) -> None:
        """SIGKILL every process group started."""
        for process in self.procs.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)


# --- documents -----------------------------------------------------------------------------


def unique_invoice(index: int) -> bytes:
    """A one-page text invoice whose number and total are unique to `index` (not a duplicate,
    so it is auto-approved and exported)."""
    import pymupdf

    subtotal = 100 + index
    tax = round(subtotal * 0.08, 2)
    lines = (
        "ACME Drywall Supply LLC",
        "INVOICE",
        f"Invoice Number: INV-{10000 + index}",
        "Invoice Date: 2026-03-14",
        "Bill To: Apex Builders Inc",
        f"Subtotal {subtotal:.2f}",
        f"Tax {tax:.2f}",
        f"Total Due {subtotal + tax:.2f}",
    )
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), "\n".join(lines), fontsize=11)
        data: bytes = doc.tobytes()
    return data


def make_documents(count: int, scans_every: int = 10) -> list[tuple[str, bytes]]:
    """`count` distinct files: two in three unique text invoices (exported), the rest the
    committed sample PDFs made unique by a trailing comment (their duplicates go to review),
    and every `scans_every`-th one a PNG rendering (no text layer)."""
    import pymupdf

    samples = sorted(SAMPLES.glob("*.pdf"))
    documents: list[tuple[str, bytes]] = []
    for index in range(count):
        sample = samples[index % len(samples)]
        if scans_every and index % scans_every == scans_every - 1:
            with pymupdf.open(sample) as doc:
                doc[0].insert_text((20, 20), f"scan {index}", fontsize=6)  # unique bytes
                png = doc[0].get_pixmap(dpi=150).tobytes("png")
            documents.append((f"scan-{index:04d}.png", png))
        elif index % 3:
            documents.append((f"invoice-{index:04d}.pdf", unique_invoice(index)))
        else:
            data = sample.read_bytes() + f"\n%chaos {index}\n".encode()
            documents.append((f"{sample.stem}-{index:04d}.pdf", data))
    return documents


class Uploader:
    """Uploads every document, retrying 5xx, 507 and connection faults until accepted."""

    def __init__(self, base_url: str, key: str, documents: list[tuple[str, bytes]]) -> None:
        self.client = httpx.Client(
            base_url=base_url, timeout=30, headers={"authorization": f"Bearer {key}"}
        )
        self.documents = documents
        self.accepted: dict[str, str] = {}  # filename -> document id
        self.refusals: dict[int, int] = defaultdict(int)
        self.done = threading.Event()

    def progress(self) -> float:
        """Share of documents accepted so far."""
        return len(self.accepted) / max(1, len(self.documents))

    def run(self, pace_s: float) -> None:
        """Upload all, in order, each until it is accepted."""
        for name, data in self.documents:
            self._one(name, data)
            time.sleep(pace_s)
        self.done.set()

    def _one(self, name: str, data: bytes) -> None:
        while True:
            try:
                response = self.client.post("/v1/documents", files={"file": (name, data)})
            except httpx.HTTPError:
                self.refusals[0] += 1
                time.sleep(1.0)
                continue
            if response.status_code < 300:
                self.accepted[name] = response.json()["documents"][0]["id"]
                return
            self.refusals[response.status_code] += 1
            if response.status_code < 500 and response.status_code not in (429, 408):
                say(f"upload of {name} refused for good: {response.status_code} {response.text}")
                return
            time.sleep(1.0)


# --- the run -------------------------------------------------------------------------------


@dataclass
class Run:
    """One chaos run's pieces and what happened."""

    count: int
    folder: Path
    pg: PrivatePostgres
    redis: PrivateRedis
    exports: Receiver
    alerts: Receiver
    service: Service | None = None
    uploader: Uploader | None = None
    tmpfs: Path | None = None
    faults: list[str] = field(default_factory=list)


def environment(run: Run, export_url: str, alert_url: str) -> dict[str, str]:
    """The DOCPROC_* settings every process of the run shares (short timers, small limits)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DOCPROC_", "PROMETHEUS_"))}
    data = run.folder / "data"
    return base | {
        "PYTHONUNBUFFERED": "1",
        "DOCPROC_DATA_DIR": str(data),
        "DOCPROC_DATABASE__URL": run.pg.url,
        "DOCPROC_BROKER__URL": run.redis.url,
        "DOCPROC_BROKER__VISIBILITY_TIMEOUT_S": "120",
        "DOCPROC_LOG_FORMAT": "json",
        "DOCPROC_REVIEW_THRESHOLD": "0",  # results need no review: auto-approved, exported
        "DOCPROC_ALLOW_PRIVATE_CALLBACKS": "true",
        "DOCPROC_WORKER__LEASE_S": "45",
        "DOCPROC_WORKER__OCR_SOFT_TIME_LIMIT_S": "30",
        "DOCPROC_WORKER__OCR_TIME_LIMIT_S": "40",
        "DOCPROC_WORKER__INTAKE_SOFT_TIME_LIMIT_S": "30",
        "DOCPROC_WORKER__INTAKE_TIME_LIMIT_S": "40",
        "DOCPROC_WORKER__PUSH_SOFT_TIME_LIMIT_S": "15",
        "DOCPROC_WORKER__PUSH_TIME_LIMIT_S": "20",
        "DOCPROC_WORKER__RECONCILE_INTERVAL_S": "5",
        "DOCPROC_WORKER__QUEUED_STALE_S": "20",
        "DOCPROC_WORKER__MAX_ATTEMPTS": "5",
        "DOCPROC_CONNECTORS__DISPATCH_INTERVAL_S": "2",
        "DOCPROC_CONNECTORS__BACKOFF_BASE_S": "2",
        "DOCPROC_CONNECTORS__BACKOFF_MAX_S": "10",
        "DOCPROC_CONNECTORS__LEASE_S": "20",
        "DOCPROC_CONNECTORS__HTTP_TIMEOUT_S": "3",
        "DOCPROC_OBSERVABILITY__ALERT_INTERVAL_S": "3",
        "DOCPROC_OBSERVABILITY__ALERT_WEBHOOK_URL": f"{alert_url}/alerts",
        "DOCPROC_OBSERVABILITY__QUEUE_AGE_MIN": "0.25",
        "DOCPROC_OBSERVABILITY__DISK_FREE_MIN_PERCENT": "5",
        "DOCPROC_MAIL__POLL_INTERVAL_S": "3600",
    }


def prepare_tenant(run: Run, export_url: str) -> str:
    """Migrate, create a tenant and key, configure the webhook export and auto-approval."""
    from service.db.migrations import upgrade_database
    from service.db.session import make_engine, make_session_factory, unit_of_work
    from service.db.tenants import create_key, get_or_create_tenant

    upgrade_database(run.pg.url)
    engine = make_engine(run.pg.url)
    with unit_of_work(make_session_factory(engine)) as session:
        tenant = get_or_create_tenant(session, "chaos")
        tenant.auto_approve = True
        key = create_key(session, tenant).key
    engine.dispose()
    return key


def configure_exports(base_url: str, key: str, export_url: str) -> None:
    """The webhook connector, through the API."""
    headers = {"authorization": f"Bearer {key}"}
    response = httpx.put(
        f"{base_url}/v1/connectors/webhook",
        headers=headers,
        timeout=30,
        json={"settings": {"url": f"{export_url}/exports", "secret": "s"}},
    )
    response.raise_for_status()


# --- faults --------------------------------------------------------------------------------


def kill_pool_child(run: Run) -> None:
    """F1: SIGKILL a worker pool process, preferably one busy with a scan."""
    assert run.service is not None
    wait_for(lambda: _processing(run) > 0, 20, 0.2)
    children = run.service.pool_children()
    if not children:
        run.faults.append("kill: no pool process found")
        return
    os.kill(children[0], signal.SIGKILL)
    run.faults.append(f"SIGKILL pool pid {children[0]} ({_processing(run)} processing)")


def _processing(run: Run) -> int:
    return _count(run, "SELECT count(*) FROM documents WHERE status = 'processing'")


def _count(run: Run, sql: str) -> int:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=run.pg.port, user="postgres", dbname="postgres", connect_timeout=3
    ) as connection:
        row = connection.execute(sql).fetchone()
        return int(row[0]) if row else 0


def restart_redis(run: Run) -> None:
    """F4/F5: crash Redis (no persistence: queued messages are gone), start it again."""
    run.redis.stop()
    time.sleep(3)
    run.redis.start()
    run.faults.append("Redis killed and restarted (messages lost; the reconciler resends)")


def restart_postgres(run: Run) -> None:
    """F6: crash PostgreSQL (immediate stop), start it again after a few seconds."""
    run.pg.stop("immediate")
    time.sleep(4)
    run.pg.start()
    run.faults.append("PostgreSQL stopped (immediate) and restarted")


def fill_disk(run: Run) -> None:
    """F7: fill the blob store's tmpfs for a while, then free it."""
    if run.tmpfs is None:
        run.faults.append("disk fill skipped: tmpfs mount not permitted")
        return
    filler = run.tmpfs / "filler.bin"
    with contextlib.suppress(OSError), filler.open("wb") as sink:
        while True:
            sink.write(b"\0" * (1 << 20))
    time.sleep(12)  # alerts.evaluate runs every 3 s: long enough to raise disk_full
    filler.unlink(missing_ok=True)
    run.faults.append("blob store disk filled for 12 s")


def hang_exports(run: Run) -> None:
    """F8/F12: the export receiver answers only after the connector's timeout, for 15 s."""
    run.exports.hang_s = 5.0
    time.sleep(15)
    run.exports.hang_s = 0.0
    run.faults.append("export receiver hung (5 s per request, timeout 3 s) for 15 s")


FAULTS: list[tuple[float, Callable[[Run], None]]] = [
    (0.15, kill_pool_child),
    (0.30, restart_redis),
    (0.45, restart_postgres),
    (0.60, fill_disk),
    (0.75, hang_exports),
]


def mount_tmpfs(folder: Path) -> Path | None:
    """A 64 MiB tmpfs on `folder` (root only); None when mounting is not permitted."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        say(f"tmpfs not mounted ({done.stderr.decode().strip()}): the disk fault is skipped")
        return None
    return folder


# --- counting ------------------------------------------------------------------------------


@dataclass
class Tally:
    """The figures of the final line."""

    lost: int
    duplicated: int
    exported_twice: int
    alerts_raised: int
    recovered: bool
    detail: dict[str, Any]

    def line(self) -> str:
        """The one CHAOS line."""
        return (
            f"CHAOS lost={self.lost} duplicated={self.duplicated} "
            f"exported_twice={self.exported_twice} alerts_raised={self.alerts_raised} "
            f"recovered={'yes' if self.recovered else 'no'}"
        )


def settled(run: Run) -> bool:
    """Every accepted document terminal and every outbox row delivered or dead."""
    unfinished = _count(
        run,
        "SELECT count(*) FROM documents WHERE status NOT IN "
        "('extracted', 'needs_review', 'exported', 'failed')",
    )
    pending = _count(run, "SELECT count(*) FROM outbox WHERE state = 'pending'")
    return unfinished == 0 and pending == 0


def tally(run: Run) -> Tally:
    """Count from the database and the receivers."""
    import psycopg

    assert run.uploader is not None
    ids = set(run.uploader.accepted.values())
    with psycopg.connect(
        host="127.0.0.1", port=run.pg.port, user="postgres", dbname="postgres"
    ) as connection:
        rows = connection.execute("SELECT id::text, status, error_code FROM documents").fetchall()
        dup_rows = _scalar(
            connection, "SELECT count(*) - count(DISTINCT (tenant_id, sha256)) FROM documents"
        )
        dup_results = _scalar(
            connection,
            "SELECT count(*) FROM (SELECT document_id, version FROM results "
            "GROUP BY document_id, version HAVING count(*) > 1) d",
        )
        dup_exports = _scalar(
            connection,
            "SELECT count(*) FROM (SELECT document_id, connector FROM exports "
            "GROUP BY document_id, connector HAVING count(*) > 1) d",
        )
        alerts = connection.execute("SELECT kind, state FROM alerts").fetchall()
        exported = _scalar(connection, "SELECT count(*) FROM exports")
    status = {row[0]: (row[1], row[2]) for row in rows}
    lost = [
        i
        for i in ids
        if i not in status or status[i][0] not in TERMINAL or status[i][0] == "failed"
    ]
    deliveries: dict[str, set[str]] = defaultdict(set)
    for got in run.exports.got:
        with contextlib.suppress(ValueError, KeyError):
            deliveries[json.loads(got.body)["document_id"]].add(got.headers["webhook-id"])
    twice = sum(1 for ids_ in deliveries.values() if len(ids_) > 1) + dup_exports
    detail = {
        "accepted": len(ids),
        "not_accepted": len(run.uploader.documents) - len(ids),
        "lost_ids": lost[:5],
        "statuses": _histogram(s for s, _ in status.values()),
        "exports": exported,
        "webhook_requests": len(run.exports.got),
        "alerts": sorted({f"{k}:{s}" for k, s in alerts}),
        "alert_messages": len(run.alerts.got),
        "refusals": dict(run.uploader.refusals),
        "faults": run.faults,
        "metrics": metric_figures(run),
        "exited": exited(run),
    }
    duplicated = dup_rows + dup_results
    recovered = not lost and settled(run) and _ready(run) and not detail["exited"]
    return Tally(len(lost), duplicated, twice, len(alerts), recovered, detail)


def exited(run: Run) -> dict[str, int | None]:
    """The service's processes that ended during the run, with their exit codes: none
    should (a worker that stops on a broker fault leaves every later document QUEUED)."""
    assert run.service is not None
    return {
        name: process.returncode
        for name, process in run.service.procs.items()
        if process.poll() is not None
    }


def metric_figures(run: Run) -> dict[str, float]:
    """A few sums from the API's /metrics (every process's files on this host)."""
    assert run.service is not None
    wanted = {
        "processed": "docproc_documents_processed_total",
        "export_retries": 'docproc_exports_total{connector="webhook",outcome="retry"}',
        "exports_delivered": 'docproc_exports_total{connector="webhook",outcome="delivered"}',
        "stage_observations": "docproc_stage_duration_seconds_count",
    }
    figures = dict.fromkeys(wanted, 0.0)
    with contextlib.suppress(httpx.HTTPError):
        text = httpx.get(f"{run.service.url}/metrics", timeout=30).text
        for line in text.splitlines():
            for name, prefix in wanted.items():
                if line.startswith(prefix) and not line.startswith("#"):
                    figures[name] += float(line.rsplit(" ", 1)[1])
    return figures


def _scalar(connection: Any, sql: str) -> int:
    row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _histogram(values: Iterator[str] | Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[str(value)] += 1
    return dict(counts)


def _ready(run: Run) -> bool:
    assert run.service is not None
    return httpx.get(f"{run.service.url}/readyz", timeout=10).status_code in (200, 503)


# --- main ----------------------------------------------------------------------------------


@contextlib.contextmanager
def chaos_run(count: int) -> Iterator[Run]:
    """Start everything private; tear it all down afterwards (even on failure)."""
    folder = Path(tempfile.mkdtemp(prefix="docproc-chaos-"))
    folder.chmod(0o755)
    run = Run(count, folder, PrivatePostgres(folder / "pg"), PrivateRedis(), Receiver(), Receiver())
    try:
        yield run
    finally:
        if run.service is not None:
            run.service.stop_all()
        run.redis.stop()
        run.pg.stop("immediate")
        run.exports.stop()
        run.alerts.stop()
        if run.tmpfs is not None:
            subprocess.run(["umount", "-l", str(run.tmpfs)], check=False, capture_output=True)
        if not os.environ.get("DOCPROC_CHAOS_KEEP"):
            shutil.rmtree(folder, ignore_errors=True)


def execute(count: int, timeout_s: float, pace_s: float, faults: bool = True) -> Tally:
    """One chaos run of `count` documents; its tally."""
    with chaos_run(count) as run:
        run.pg.init()
        run.redis.start()
        export_url, alert_url = run.exports.start(), run.alerts.start()
        (run.folder / "logs").mkdir()
        run.tmpfs = mount_tmpfs(run.folder / "data" / "blobs")
        key = prepare_tenant(run, export_url)
        service = run.service = Service(
            environment(run, export_url, alert_url), run.folder / "logs"
        )
        for name in ("api", "worker", "beat"):
            service.start(name)
        if not wait_for(lambda: httpx.get(f"{service.url}/healthz").status_code == 200, 60):
            raise RuntimeError("the API did not start; see the logs in " + str(run.folder))
        configure_exports(run.service.url, key, export_url)
        run.uploader = Uploader(run.service.url, key, make_documents(count))
        threading.Thread(target=run.uploader.run, args=(pace_s,), daemon=True).start()
        for at, fault in FAULTS if faults else []:
            wait_for(lambda at=at: run.uploader.progress() >= at, timeout_s)  # type: ignore[misc]
            say(f"fault at {run.uploader.progress():.0%}: {fault.__name__}")
            fault(run)
        run.uploader.done.wait(timeout_s)
        say(f"uploads done ({len(run.uploader.accepted)} accepted); waiting to settle")
        wait_for(lambda: settled(run), timeout_s, 2.0)
        time.sleep(8)  # one more alert evaluation, so cleared conditions are resolved
        result = tally(run)
        say(json.dumps(result.detail, default=str))
        return result


def main(argv: list[str] | None = None) -> int:
    """Run, print the CHAOS line; exit 0 only for lost=0 duplicated=0 exported_twice=0."""
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=900.0, help="per phase, seconds")
    parser.add_argument("--pace", type=float, default=0.05, help="seconds between uploads")
    parser.add_argument("--no-faults", action="store_true", help="a control run")
    args = parser.parse_args(argv)
    result = execute(args.count, args.timeout, args.pace, not args.no_faults)
    sys.stdout.write(result.line() + "\n")
    sys.stdout.flush()
    ok = result.recovered and not (result.lost or result.duplicated or result.exported_twice)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
