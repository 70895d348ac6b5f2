"""The delivery soak: N invoices through the QuickBooks and Xero contract servers while they
fail 30 % of requests at random (500, 429 with Retry-After, timeouts, responses lost after the
write) and are restarted twice mid-run; every invoice must exist exactly once in each system.

Real pieces: outbox rows in a fresh PostgreSQL database, the dispatcher's `dispatch` and
`push_one` (run in-process on a thread pool), the HTTP adapters, OAuth refresh-token rotation.
The contract servers are separate processes that keep their records in SQLite files, so a
restarted server still has them; the counts come from those records. Prints progress to
stderr and ends with one line on stdout: `SOAK pushed=N duplicated=N lost=N` (summed over
the systems). Exit status 0 when nothing was duplicated or lost.

    python -m bench.soak [--count 500] [--fault-rate 0.3] [--restarts 2]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from service.alerts import MemoryAlertSink
from service.bootstrap import Container, make_blob_store
from service.config import Settings
from service.db.migrations import upgrade_database
from service.db.session import make_session_factory, unit_of_work
from service.db.tables import OutboxState
from service.db.tenants import get_or_create_tenant
from service.outbox.registry import RealConnectors
from tests.contract_servers.base import ServerProcess, free_port
from tests.contract_servers.harness import (
    approve_document,
    bill_counts,
    configure,
    drain,
    fake_pdf,
    invoice_envelope,
    quickbooks_settings,
    seed_document,
    server_records,
    xero_settings,
)

VENDORS = [
    "Summit Drywall LLC", "Apex Concrete Inc", "Ridge Electric Co", "Harbor Plumbing",
    "Keystone Steel Erectors", "Bluewater Glazing", "Cedar Framing Partners", "Granite Masonry",
    "Northline HVAC", "Pioneer Roofing", "Quarry Stone Supply", "Redwood Millwork",
    "Sterling Fire Protection", "Titan Excavation", "Union Elevator", "Valley Insulation",
    "Westgate Paving", "Yardley Landscaping", "Zenith Doors and Hardware", "Atlas Scaffolding",
    "Beacon Surveying", "Copperline Mechanical", "Delta Waterproofing", "Evergreen Painting",
    "Foundry Metal Works",
]  # fmt: skip
WORKERS = 48
SYSTEMS = {"quickbooks": quickbooks_settings, "xero": xero_settings}


def log(message: str) -> None:
    """Progress on stderr (stdout carries the one SOAK line)."""
    sys.stderr.write(f"soak: {message}\n")
    sys.stderr.flush()


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database on 127.0.0.1, dropped afterwards; its URL."""
    import psycopg

    admin = None
    for user in ("root", "postgres"):
        with contextlib.suppress(psycopg.OperationalError):
            admin = psycopg.connect(host="127.0.0.1", dbname="postgres", user=user, autocommit=True)
            break
    if admin is None:
        raise SystemExit("soak: no PostgreSQL on 127.0.0.1:5432")
    name = f"docproc_soak_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{admin.info.user}@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def soak_container(url: str, data_dir: Path) -> Container:
    """A container with a fail-fast outbox: short timeouts, short backoff, many attempts."""
    upgrade_database(url)
    settings = Settings(
        data_dir=data_dir,
        database={"url": url},
        allow_private_callbacks=True,
        connectors={
            "backoff_base_s": 0.02,
            "backoff_max_s": 0.5,
            "http_timeout_s": 0.5,
            "max_attempts": 60,
            "lease_s": 30,
            "dispatch_batch": 200,
        },
    )
    # One connection per pushing thread (the service's default pool is sized for the API).
    engine = create_engine(url, pool_size=WORKERS + 8, max_overflow=8, pool_pre_ping=True)
    return Container(settings, engine, make_session_factory(engine), make_blob_store(settings))


@dataclass(frozen=True)
class SoakResult:
    """What the contract servers hold at the end, summed over systems."""

    pushed: int
    duplicated: int
    lost: int
    missing_attachments: int
    outbox: dict[str, int]
    seconds: float

    @property
    def line(self) -> str:
        """The one line the soak ends with."""
        return f"SOAK pushed={self.pushed} duplicated={self.duplicated} lost={self.lost}"


def _score(expected: set[tuple[str, str]], records: dict[str, Any]) -> tuple[int, int, int, int]:
    counts = bill_counts(records)
    present = {key for key in expected if counts[key] > 0}
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    duplicated += sum(n for key, n in counts.items() if key not in expected)
    attached = {a["entity"] for a in records["attachments"]}
    missing = sum(1 for b in records["bills"] if b["id"] not in attached)
    return len(present), duplicated, len(expected - present), missing


def _seed_one(container: Container, tenant_id: uuid.UUID, n: int) -> tuple[str, str]:
    vendor, number = VENDORS[n % len(VENDORS)], f"SOAK-{n:05d}"
    envelope = invoice_envelope(
        vendor,
        number,
        total=f"{100 + n}.{n % 100:02d}",
        invoice_date=date(2026, 1, 1) + timedelta(days=n % 300),
    )
    doc = seed_document(container, tenant_id, envelope, fake_pdf(number), f"{number}.pdf")
    approve_document(container, doc)
    return vendor, number


def _seed(container: Container, tenant_id: uuid.UUID, count: int) -> set[tuple[str, str]]:
    """`count` extracted invoices, each approved (its outbox rows written with the approval)."""
    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(lambda n: _seed_one(container, tenant_id, n), range(count)))


def run(
    count: int = 500,
    fault_rate: float = 0.3,
    restarts: int = 2,
    seed: int = 7,
    timeout_s: float = 600.0,
) -> SoakResult:
    """Run the soak and return its figures."""
    started = time.monotonic()
    with fresh_database() as url, tempfile.TemporaryDirectory(prefix="soak-") as scratch:
        root = Path(scratch)
        container = soak_container(url, root / "data")
        servers = {
            name: ServerProcess(
                name,
                root / f"{name}.sqlite3",
                free_port(),
                "--fault-rate",
                str(fault_rate),
                "--retry-after",
                "1",
                "--hang",
                "1.0",
                "--access-lifetime",
                "20",
                "--seed",
                str(seed + i),
            ).start()
            for i, (name, _) in enumerate(SYSTEMS.items())
        }
        try:
            with unit_of_work(container.sessions) as session:
                tenant_id = get_or_create_tenant(session, "soak").id
            for name, settings in SYSTEMS.items():
                configure(container, tenant_id, name, settings(servers[name].url))
            expected = _seed(container, tenant_id, count)
            log(
                f"{count} invoices approved in {time.monotonic() - started:.1f} s; "
                f"{len(servers) * count} outbox rows"
            )
            outbox = _drive(container, servers, len(servers) * count, restarts, timeout_s)
            totals = [_score(expected, server_records(s.url)) for s in servers.values()]
        finally:
            for server in servers.values():
                server.stop()
            container.engine.dispose()
    pushed, duplicated, lost, missing = (sum(column) for column in zip(*totals, strict=True))
    return SoakResult(pushed, duplicated, lost, missing, outbox, time.monotonic() - started)


def _drive(
    container: Container,
    servers: dict[str, ServerProcess],
    rows: int,
    restarts: int,
    timeout_s: float,
) -> dict[str, int]:
    marks = [rows * (k + 1) // (restarts + 1) for k in range(restarts)]
    last = time.monotonic()

    def tick(counts: Counter[str]) -> None:
        nonlocal last
        delivered = counts[OutboxState.DELIVERED]
        if marks and delivered >= marks[0]:
            marks.pop(0)
            log(f"restarting the contract servers at {delivered} delivered")
            for server in servers.values():
                server.restart()
        if time.monotonic() - last > 5:
            last = time.monotonic()
            log(f"outbox {dict(counts)}")

    counts = drain(
        container,
        RealConnectors(container),
        MemoryAlertSink(),
        timeout_s=timeout_s,
        workers=WORKERS,
        tick=tick,
    )
    log(f"outbox at the end {dict(counts)}")
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    """Command line: run the soak, print the SOAK line; 0 when nothing duplicated or lost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = run(args.count, args.fault_rate, args.restarts, args.seed)
    log(f"{result.seconds:.1f} s; bills without their PDF: {result.missing_attachments}")
    print(result.line, flush=True)
    return 0 if result.duplicated == 0 and result.lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
