"""A real worker on the local RabbitMQ (a private virtual host) and a fresh PostgreSQL
database extracts a document; a pool process killed mid-task is redelivered once (F1)."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from service.bootstrap import Container
from service.config import Settings
from service.db.migrations import upgrade_database
from service.worker.app import enqueue_extract, make_celery
from tests.integration import worker_fixtures as wf
from tests.integration.worker_fixtures import (
    SAMPLES,
    DocumentState,
    Processes,
    container_for,
    document_state,
    env_for,
    seed_document,
    wait_until,
)

fresh_pg_url = wf.fresh_pg_url
processes = wf.processes

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _rabbitmqctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip


@pytest.fixture
def amqp_url() -> Iterator[str]:
    """A private RabbitMQ virtual host for the test (guest may use it); deleted afterwards."""
    vhost = f"docproc-test-{uuid.uuid4().hex[:8]}"
    try:
        created = _rabbitmqctl("add_vhost", vhost)
    except FileNotFoundError:
        pytest.skip("rabbitmqctl is not installed")
    if created.returncode != 0:
        pytest.skip(f"RabbitMQ is not running (start it: .ci/run): {created.stderr.strip()}")
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        _rabbitmqctl("delete_vhost", vhost)


def _done(container: Container, document_id: uuid.UUID) -> DocumentState | None:
    state = document_state(container, document_id)
    return state if state.status not in {"queued", "processing"} else None


def _running(container: Container, document_id: uuid.UUID) -> bool:
    return document_state(container, document_id).status == "processing"


def test_worker_on_rabbitmq_survives_a_killed_pool_process(
    tmp_path: Path, fresh_pg_url: str, amqp_url: str, processes: Processes
) -> None:
    """Extraction through RabbitMQ; SIGKILL of the pool process mid-task leaves one result."""
    upgrade_database(fresh_pg_url)
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, database={"url": fresh_pg_url},
                        broker={"url": amqp_url})  # fmt: skip
    container = container_for(settings)
    env = env_for({
        "DOCPROC_DATA_DIR": str(data_dir), "DOCPROC_DATABASE__URL": fresh_pg_url,
        "DOCPROC_BROKER__URL": amqp_url, "DOCPROC_TEST_EXTRACT_DELAY_S": "4",
    })  # fmt: skip
    worker = processes.worker(env)
    document_id, generation = seed_document(container, SAMPLES / "classic_left-000001.pdf")
    enqueue_extract(make_celery(settings), document_id, generation)
    wait_until(partial(_running, container, document_id), what="document processing")
    children = wait_until(worker.children, what="the pool process")
    os.kill(children[0], signal.SIGKILL)
    state = wait_until(partial(_done, container, document_id), what="document done")
    assert state.status in {"extracted", "needs_review"}, state
    assert (state.attempts, state.extracted_results) == (2, 1)
