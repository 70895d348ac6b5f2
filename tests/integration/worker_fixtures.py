"""Helpers and fixtures for the worker, migration and storage tests: fresh databases, a
private Redis database, real worker processes that are always killed, seeded documents, and
a local S3-compatible server (moto's threaded server on a free 127.0.0.1 port).

Import the fixtures into a test module (`from tests.integration.worker_fixtures import ...`).
Every process started here leads its own process group and the whole group is SIGKILLed at
teardown, even when the test fails. Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from service.bootstrap import Container, make_blob_store
from service.config import Settings, StorageSettings
from service.db.documents import NewDocument, create_or_get_document, mark_queued
from service.db.session import make_engine, make_session_factory, unit_of_work
from service.db.tables import DocumentRecord, ResultRecord
from service.db.tenants import get_or_create_tenant
from service.storage.s3 import S3BlobStore

PROJECT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT / "fixtures" / "samples"
PG_HOST = "127.0.0.1"
REDIS_HOST = "127.0.0.1"
# A Redis database of its own, so the tests never meet another user's queues.
REDIS_DB = 13
WAIT_S = 120.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], Any], timeout: float = WAIT_S, every: float = 0.2,
               what: str = "condition") -> Any:  # fmt: skip
    """Poll `check` until it returns something truthy; that value, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def _pg_admin() -> Any:
    import psycopg

    for user in ("root", "postgres"):
        with contextlib.suppress(psycopg.OperationalError):
            return psycopg.connect(
                host=PG_HOST, port=5432, dbname="postgres", user=user, autocommit=True
            )
    pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (start it: .ci/run)")


@contextlib.contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database with a random name; dropped afterwards."""
    admin = _pg_admin()
    name = f"docproc_w_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{admin.info.user}@{PG_HOST}:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; its SQLAlchemy URL."""
    with fresh_postgres() as url:
        yield url


@pytest.fixture
def private_redis_url() -> Iterator[str]:
    """A flushed Redis database of the tests' own; flushed again afterwards."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=6379, db=REDIS_DB)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379 (start it: .ci/run)")
    client.flushdb()
    try:
        yield f"redis://{REDIS_HOST}:6379/{REDIS_DB}"
    finally:
        client.flushdb()
        client.close()


def container_for(settings: Settings) -> Container:
    """Real adapters for `settings` in this test process (the schema must exist)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    return Container(settings, engine, make_session_factory(engine), make_blob_store(settings))


def truth(sample: Path) -> dict[str, Any]:
    """The ground truth next to a sample (`NAME.truth.json`)."""
    data: dict[str, Any] = json.loads(sample.with_suffix(".truth.json").read_text())
    return data


def seed_document(container: Container, sample: Path,
                  tenant: str = "acme") -> tuple[uuid.UUID, int]:  # fmt: skip
    """Store the sample's bytes and a QUEUED document row for them; (id, generation)."""
    data = sample.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    container.blobs.put_file(sample, sha256)
    with unit_of_work(container.sessions) as session:
        owner = get_or_create_tenant(session, tenant)
        new = NewDocument(owner.id, sha256, len(data), "application/pdf", sample.name)
        document, _ = create_or_get_document(session, new)
        mark_queued(session, document)
        return document.id, document.generation


@dataclass(frozen=True)
class DocumentState:
    """What the database says about one document."""

    status: str
    attempts: int
    error_code: str | None
    extracted_results: int
    envelope: dict[str, Any] | None


def document_state(container: Container, document_id: uuid.UUID) -> DocumentState:
    """The document's row and how many extraction results it has."""
    with unit_of_work(container.sessions) as session:
        document = session.get(DocumentRecord, document_id)
        assert document is not None
        count = session.scalar(
            select(func.count()).where(
                ResultRecord.document_id == document_id, ResultRecord.kind == "extracted"
            )
        )
        result = session.scalars(
            select(ResultRecord).where(ResultRecord.document_id == document_id)
        ).first()
        return DocumentState(str(document.status), document.attempts, document.error_code,
                             int(count or 0), result.envelope if result else None)  # fmt: skip


def env_for(settings_env: dict[str, str]) -> dict[str, str]:
    """The current environment without DOCPROC_* variables, plus `settings_env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOCPROC_")}
    return {**base, "PYTHONUNBUFFERED": "1", **settings_env}


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc."""
    found: list[int] = []
    pending = [pid]
    while pending:
        path = Path(f"/proc/{pending.pop()}/task")
        with contextlib.suppress(OSError):
            for task in path.iterdir():
                children = (task / "children").read_text().split()
                found += [int(child) for child in children]
                pending += [int(child) for child in children]
    return found


@dataclass
class Proc:
    """A child process leading its own group, logging to a file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def children(self) -> list[int]:
        """Pids of the process's direct children (Celery's pool processes)."""
        path = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    def kill(self) -> None:
        """SIGKILL the whole group, and any descendant in a group of its own (`docproc serve`
        starts its worker and beat that way), then reap the leader."""
        strays = _descendants(self.popen.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        for pid in strays:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=30)

    def output(self) -> str:
        """Everything the process wrote so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Processes:
    """Starts processes for a test and kills every one of them at teardown."""

    folder: Path
    started: list[Proc] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Proc:
        """Start `argv` in its own process group with output to `<folder>/<name>.log`."""
        log = self.folder / f"{name}-{len(self.started)}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(argv, env=env, cwd=PROJECT, stdout=sink,
                                     stderr=subprocess.STDOUT, process_group=0)  # fmt: skip
        proc = Proc(name, popen, log)
        self.started.append(proc)
        return proc

    def worker(self, env: dict[str, str], queues: str = "intake,ocr,push",
               concurrency: int = 1) -> Proc:  # fmt: skip
        """A real Celery worker (prefork pool) on `queues`."""
        argv = [sys.executable, "-m", "celery", "-A", "service.worker.app", "worker",
                "-Q", queues, "--concurrency", str(concurrency), "--pool", "prefork",
                "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h", "--without-mingle",
                "--without-gossip", "--loglevel", "INFO"]  # fmt: skip
        return self.start("worker", argv, env)

    def beat(self, env: dict[str, str], data_dir: Path) -> Proc:
        """Celery beat, which sends `document.reconcile` on its schedule."""
        argv = [sys.executable, "-m", "celery", "-A", "service.worker.app", "beat",
                "--schedule", str(data_dir / "beat-schedule"),
                "--pidfile", str(data_dir / "beat.pid"), "--loglevel", "INFO"]  # fmt: skip
        return self.start("beat", argv, env)

    def kill_all(self) -> None:
        """SIGKILL every group started."""
        for proc in self.started:
            proc.kill()

    def logs(self) -> str:
        """All processes' output, for a failure message."""
        return "\n".join(f"--- {p.name} ---\n{p.output()[-4000:]}" for p in self.started)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Processes started by the test, all killed at teardown (logs printed on failure)."""
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.kill_all()
        sys.stderr.write(started.logs()[-20000:])


class LocalS3:
    """moto's S3 server on 127.0.0.1; can be stopped mid-test to simulate an outage."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.running = False

    @property
    def url(self) -> str:
        """The endpoint URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start serving."""
        self.server.start()
        self.running = True

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self.running:
            self.server.stop()
            self.running = False

    def settings(self, bucket: str) -> StorageSettings:
        """Storage settings for a bucket on this server."""
        return StorageSettings(
            backend="s3", s3_endpoint_url=self.url, s3_bucket=bucket,
            s3_access_key_id=SecretStr("test"), s3_secret_access_key=SecretStr("test"),
        )  # fmt: skip


@pytest.fixture
def local_s3() -> Iterator[LocalS3]:
    """A running local S3 server, stopped afterwards."""
    server = LocalS3()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_store(local_s3: LocalS3) -> S3BlobStore:
    """An S3 blob store over a new bucket on the local server."""
    store = S3BlobStore.from_settings(local_s3.settings(f"docproc-{uuid.uuid4().hex[:8]}"))
    store.ensure_bucket()
    return store
