"""Web app list page at scale: 10,000 documents in a fresh PostgreSQL database, and the
server time of the documents page (filters, search, the next cursor page) and the review queue.

Creates a random database on 127.0.0.1:5432 (trust auth, user root or postgres), migrates it,
inserts one tenant's 10,000 documents with results, signs in a web session, and times requests
through httpx against the app in-process (median of N; the whole handler: SQL and template).
Drops the database at the end. Prints a Markdown table; writes bench/out/web.json.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

from service.api.app import create_app
from service.bootstrap import Container, make_blob_store
from service.config import Settings
from service.db.migrations import upgrade_database
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.db.tables import DocumentRecord, ResultRecord, utcnow
from service.db.tenants import create_key, get_or_create_tenant
from service.web.accounts import sign_in_with_key
from service.web.security import COOKIE

OUT = Path(__file__).resolve().parent / "out"
DOCUMENTS = 10_000
RUNS = 25
BUDGET_MS = 300.0
VENDORS = [f"Vendor {n:03d} Supply Co." for n in range(60)]
PROJECTS = [f"Project {n:02d}" for n in range(25)]
STATUSES = ["extracted"] * 6 + ["needs_review"] * 2 + ["failed", "exported"]


class _NoQueue:
    """The list page never enqueues; a queue that refuses to is enough."""

    def enqueue_extraction(self, document_id: uuid.UUID, generation: int, media_type: str) -> None:
        """Never called by the pages measured."""
        raise RuntimeError("not used by the benchmark")


def _admin() -> Any:
    import psycopg

    for user in ("root", "postgres"):
        try:
            return psycopg.connect(
                host="127.0.0.1", port=5432, dbname="postgres", user=user, autocommit=True
            )
        except psycopg.OperationalError:
            continue
    raise SystemExit("bench.web: no PostgreSQL on 127.0.0.1:5432")


def _rows(tenant_id: uuid.UUID) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(7)
    now = utcnow()
    documents, results = [], []
    for n in range(DOCUMENTS):
        document_id = uuid.uuid4()
        created = now - timedelta(minutes=n * 7 + rng.randint(0, 5))
        vendor, project = rng.choice(VENDORS), rng.choice(PROJECTS)
        documents.append(
            {
                "id": document_id,
                "tenant_id": tenant_id,
                "sha256": f"{n:064x}",
                "size": 50_000,
                "media_type": "application/pdf",
                "filename": f"invoice-{n:05d}.pdf",
                "source": "api",
                "status": rng.choice(STATUSES),
                "document_type": "invoice",
                "vendor_name": vendor,
                "project_name": project,
                "generation": 1,
                "attempts": 1,
                "created_at": created,
                "updated_at": created,
                "finished_at": created + timedelta(seconds=20),
            }
        )
        total = f"{rng.randint(100, 250_000)}.{rng.randint(0, 99):02d}"
        envelope = {
            "schema_version": "1",
            "source": f"invoice-{n:05d}.pdf",
            "document_type": "invoice",
            "invoice": {
                "vendor": {"name": vendor},
                "project": {"name": project},
                "total": total,
                "line_items": [],
            },
        }
        results.append(
            {
                "id": uuid.uuid4(),
                "document_id": document_id,
                "version": 1,
                "generation": 1,
                "kind": "extracted",
                "envelope": envelope,
                "author": "docproc",
                "created_at": created,
            }
        )
    return documents, results


def _seed(container: Container) -> str:
    """Insert the tenant's documents; a signed-in web session's cookie token back."""
    with unit_of_work(container.sessions) as session:
        tenant = get_or_create_tenant(session, "bench")
        key = create_key(session, tenant).key
        documents, results = _rows(tenant.id)
        session.execute(insert(DocumentRecord), documents)
        session.execute(insert(ResultRecord), results)
        opened = sign_in_with_key(session, key, timedelta(hours=1))
    assert opened is not None
    with container.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    return opened[0]


SCENARIOS = {
    "documents, first page": "/app/documents",
    "filter: status": "/app/documents?status=needs_review",
    "filter: vendor": "/app/documents?vendor=vendor+017",
    "filter: project + dates": "/app/documents?project=project+03&from=2026-01-01&to=2030-01-01",
    "filter: amount range": "/app/documents?min=1000&max=5000",
    "search: filename": "/app/documents?q=invoice-099",
    "review queue": "/app/review",
}


def _median_ms(client: TestClient, path: str) -> tuple[float, float]:
    client.get(path)  # warm
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _next_page(client: TestClient) -> str:
    import re

    page = client.get("/app/documents").text
    match = re.search(r'href="(/app/documents\?[^"]*cursor=[^"]+)"', page)
    assert match is not None, "no next page link"
    return match.group(1).replace("&amp;", "&")


def measure(client: TestClient) -> dict[str, dict[str, float]]:
    """Median and p95 milliseconds per scenario."""
    paths = dict(SCENARIOS) | {"documents, next cursor page": _next_page(client)}
    figures = {}
    for name, path in paths.items():
        median, p95 = _median_ms(client, path)
        figures[name] = {"median_ms": round(median, 1), "p95_ms": round(p95, 1)}
    return figures


def main() -> None:
    """Build the database, measure, print and save the figures, drop the database."""
    name = f"docproc_bench_web_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://{admin.info.user}@127.0.0.1:5432/{name}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(data_dir=Path(folder), database={"url": url})
            upgrade_database(url)
            engine = make_engine(url)
            container = Container(
                settings, engine, make_session_factory(engine), make_blob_store(settings)
            )
            token = _seed(container)
            client = TestClient(create_app(container, _NoQueue()), base_url="http://testserver")
            client.cookies.set(COOKIE, token, path="/app")
            figures = measure(client)
            client.close()
            engine.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    worst = max(f["median_ms"] for f in figures.values())
    print(f"## Web list pages, {DOCUMENTS:,} documents (PostgreSQL, median of {RUNS})\n")
    print("| page | median ms | p95 ms |\n| --- | ---: | ---: |")
    for scenario, figure in figures.items():
        print(f"| {scenario} | {figure['median_ms']} | {figure['p95_ms']} |")
    print(
        f"\nslowest median: {worst} ms (budget {BUDGET_MS:.0f} ms): "
        f"{'PASS' if worst < BUDGET_MS else 'FAIL'}"
    )
    OUT.mkdir(exist_ok=True)
    summary = {
        "documents": DOCUMENTS,
        "runs": RUNS,
        "budget_ms": BUDGET_MS,
        "slowest_median_ms": worst,
        "pages": figures,
    }
    (OUT / "web.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
