"""Shared fixtures: a fresh PostgreSQL database per test session, SQLite per test, containers
wired to them, tenants with API keys, a fake task queue, and a live API server on 127.0.0.1.

Schemas come from the Alembic migrations (`upgrade_database`), as in production.
Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, func, select

from extractors.pipeline import run_pipeline
from service.bootstrap import Container, make_blob_store
from service.config import Settings
from service.db.documents import ClaimOutcome, claim_document, get_document_by_id, store_extraction
from service.db.migrations import upgrade_database
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.db.tables import DocumentRecord, ResultRecord
from service.db.tenants import create_key, get_or_create_tenant

PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test"
SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
# The tests' callback and webhook receivers listen on 127.0.0.1: let the SSRF guard allow it.
os.environ.setdefault("DOCPROC_ALLOW_PRIVATE_CALLBACKS", "true")


def _pg_admin_connect() -> Any:
    import psycopg

    last: Exception | None = None
    for user in ("postgres", "root"):
        try:
            return psycopg.connect(f"{PG_ADMIN} user={user}", autocommit=True)
        except psycopg.OperationalError as error:
            last = error
    raise RuntimeError(f"no PostgreSQL on 127.0.0.1:5432: {last}")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session, dropped at the end; its SQLAlchemy URL."""
    name = f"docproc_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_connect()
    user = admin.info.user
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://{user}@127.0.0.1:5432/{name}"
    upgrade_database(url)
    try:
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings for a test: this data dir and database, nothing read from the environment."""
    return Settings(data_dir=data_dir, database={"url": database_url}, **overrides)


def make_container(settings: Settings, engine: Engine | None = None) -> Container:
    """A container wired to the test database (migrated to head) and a disk blob store."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.database_url)
    engine = engine or make_engine(settings.database_url)
    return Container(settings, engine, make_session_factory(engine), make_blob_store(settings))


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The test's database: the session's PostgreSQL, or a fresh SQLite file."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    return f"sqlite:///{tmp_path / 'docproc.sqlite3'}"


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    """A container on the test database with blobs and temp files under tmp_path."""
    built = make_container(make_settings(tmp_path / "data", database_url))
    yield built
    built.engine.dispose()


@dataclass(frozen=True)
class TenantKey:
    """A tenant and one of its API keys."""

    tenant_id: uuid.UUID
    name: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        """The header n8n sends (lower-cased name)."""
        return {"authorization": f"Bearer {self.key}"}


def new_tenant(container: Container, name: str | None = None) -> TenantKey:
    """A fresh tenant (unique name) with a new key."""
    name = name or f"tenant-{uuid.uuid4().hex[:8]}"
    with unit_of_work(container.sessions) as session:
        tenant = get_or_create_tenant(session, name)
        key = create_key(session, tenant).key
        return TenantKey(tenant.id, name, key)


@pytest.fixture
def tenant(container: Container) -> TenantKey:
    """A tenant with a key."""
    return new_tenant(container)


@dataclass
class FakeQueue:
    """A `TaskQueue` that records jobs and runs the real pipeline on demand (or at once)."""

    container: Container
    inline: bool = False
    jobs: list[tuple[uuid.UUID, int, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue_extraction(self, document_id: uuid.UUID, generation: int, media_type: str) -> None:
        """Record the job; run it now when inline."""
        with self._lock:
            self.jobs.append((document_id, generation, media_type))
        if self.inline:
            self.run(document_id, generation)

    def run(self, document_id: uuid.UUID, generation: int) -> str:
        """What the worker does: claim, run the pipeline, store the envelope."""
        container = self.container
        with unit_of_work(container.sessions) as session:
            claim = claim_document(
                session,
                document_id,
                generation,
                lease=timedelta(minutes=5),
                max_attempts=3,
                owner="fake-queue",
            )
            if claim.outcome is not ClaimOutcome.CLAIMED or claim.document is None:
                return str(claim.outcome)
            sha256, name = claim.document.sha256, claim.document.filename or str(document_id)
        envelope = run_pipeline(
            container.blobs.read_bytes(sha256), name, container.settings.extraction
        )
        with unit_of_work(container.sessions) as session:
            document = get_document_by_id(session, document_id)
            assert document is not None
            store_extraction(session, document, envelope)
            return str(document.status)

    def run_pending(self) -> None:
        """Run every recorded job once, oldest first."""
        with self._lock:
            pending, self.jobs = list(self.jobs), []
        for document_id, generation, _ in pending:
            self.run(document_id, generation)


@pytest.fixture
def fake_queue(container: Container) -> FakeQueue:
    """A deferred fake queue on the test container."""
    return FakeQueue(container)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """A uvicorn server in a thread of the test process, serving one app on 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        """Start and wait until it accepts connections."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop and join."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], LiveServer]]:
    """A factory of started live servers; all are stopped after the test."""
    started: list[LiveServer] = []

    def start(app: Any) -> LiveServer:
        server = LiveServer(app).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def count_documents(container: Container, tenant_id: uuid.UUID) -> int:
    """How many document rows the tenant has."""
    with container.sessions() as session:
        query = select(func.count()).select_from(DocumentRecord)
        return int(session.scalar(query.where(DocumentRecord.tenant_id == tenant_id)) or 0)


def count_results(container: Container, document_id: uuid.UUID) -> int:
    """How many result versions a document has."""
    with container.sessions() as session:
        query = select(func.count()).select_from(ResultRecord)
        return int(session.scalar(query.where(ResultRecord.document_id == document_id)) or 0)


def blob_files(container: Container) -> list[Path]:
    """Every file in the blob store's folder."""
    root = container.settings.data_dir / "blobs"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def temp_files(container: Container) -> list[Path]:
    """Every file left in DATA_DIR/tmp."""
    root = container.settings.data_dir / "tmp"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def sample(name: str = "classic_left-000001") -> tuple[bytes, dict[str, Any]]:
    """A committed sample PDF and its truth envelope."""
    import json

    truth: dict[str, Any] = json.loads((SAMPLES / f"{name}.truth.json").read_text())
    return (SAMPLES / f"{name}.pdf").read_bytes(), truth
