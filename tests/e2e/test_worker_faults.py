"""A real Celery worker process against the real Redis and a fresh PostgreSQL database:
a document extracted end to end, a pool process killed mid-task (F1), the whole worker
killed and the reconciler on beat handing the document to a new worker (F2), and a poison
document failed after its attempts (F3). Outcomes are read from the database.
"""

from __future__ import annotations

import os
import signal
import uuid
from decimal import Decimal
from functools import partial

import pytest

from service.bootstrap import Container
from service.worker.app import enqueue_extract
from tests.e2e import e2e_fixtures as e2e
from tests.e2e.e2e_fixtures import Stack
from tests.integration.worker_fixtures import (
    SAMPLES,
    DocumentState,
    Proc,
    Processes,
    document_state,
    seed_document,
    truth,
    wait_until,
)

# Fixtures used here, shared with the other worker tests.
fresh_pg_url = e2e.fresh_pg_url
private_redis_url = e2e.private_redis_url
processes = e2e.processes
stack = e2e.stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DONE = {"extracted", "needs_review", "failed", "exported"}
SAMPLE = SAMPLES / "classic_left-000001.pdf"


def _done(container: Container, document_id: uuid.UUID) -> DocumentState | None:
    state = document_state(container, document_id)
    return state if state.status in DONE else None


def _processing(container: Container, document_id: uuid.UUID, attempt: int) -> bool:
    state = document_state(container, document_id)
    return state.status == "processing" and state.attempts == attempt


def _assert_right_invoice(state: DocumentState, sample: str) -> None:
    expected = truth(SAMPLES / sample)["invoice"]
    assert state.envelope is not None
    invoice = state.envelope["invoice"]
    assert invoice["invoice_number"] == expected["invoice_number"]
    assert Decimal(str(invoice["total"])) == Decimal(str(expected["total"]))


def _kill_pool(worker: Proc) -> int:
    children = wait_until(worker.children, what="the worker's pool process")
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)
    return int(children[0])


def test_real_worker_extracts_documents(stack: Stack, processes: Processes) -> None:
    """Two documents through Redis and a prefork worker reach a done status with their
    invoice's number and total."""
    container, celery = stack.container(), stack.celery()
    samples = ["classic_left-000001.pdf", "supply_house-000004.pdf"]
    seeded = {name: seed_document(container, SAMPLES / name) for name in samples}
    processes.worker(stack.env(), concurrency=2)
    for document_id, generation in seeded.values():
        enqueue_extract(celery, document_id, generation)
    for name, (document_id, _) in seeded.items():
        state = wait_until(partial(_done, container, document_id), what=f"{name} done")
        assert state.status in {"extracted", "needs_review"}, state
        assert state.attempts == 1
        assert state.extracted_results == 1
        _assert_right_invoice(state, name)


def test_pool_process_killed_mid_task_is_redelivered_once(
    stack: Stack, processes: Processes
) -> None:
    """F1: SIGKILL the pool process while the document is PROCESSING; the message comes back
    (late ack, reject on worker lost) and the document ends with one result, two attempts."""
    container, celery = stack.container(), stack.celery()
    document_id, generation = seed_document(container, SAMPLE)
    worker = processes.worker(stack.env(delay=4))
    enqueue_extract(celery, document_id, generation)
    wait_until(lambda: _processing(container, document_id, 1), what="first attempt running")
    _kill_pool(worker)
    state = wait_until(lambda: _done(container, document_id), what="document done after kill")
    assert state.status in {"extracted", "needs_review"}, state
    assert state.attempts == 2
    assert state.extracted_results == 1
    _assert_right_invoice(state, SAMPLE.name)


def test_whole_worker_killed_reconciler_hands_documents_to_next_worker(
    stack: Stack, processes: Processes
) -> None:
    """F2: SIGKILL the worker and its pool during a batch; the reconciler on beat re-enqueues
    expired leases and messages the dead worker had reserved, and a new worker finishes every
    document exactly once."""
    container, celery = stack.container(), stack.celery()
    limits = {
        "lease_s": 12, "ocr_soft_time_limit_s": 8, "ocr_time_limit_s": 10,
        "intake_soft_time_limit_s": 8, "intake_time_limit_s": 10, "push_soft_time_limit_s": 8,
        "push_time_limit_s": 10, "reconcile_interval_s": 1, "queued_stale_s": 8,
    }  # fmt: skip
    samples = sorted(SAMPLES.glob("*.pdf"))
    batch = {seed_document(container, sample, tenant=f"t{i}"): sample.name
             for i, sample in enumerate([*samples, *samples[:2]])}  # fmt: skip
    first = processes.worker(stack.env(delay=2, **limits), concurrency=2)
    for document_id, generation in batch:
        enqueue_extract(celery, document_id, generation)
    (killed_id, _), *_ = batch
    wait_until(lambda: _processing(container, killed_id, 1), what="first document running")
    first.kill()
    processes.worker(stack.env(delay=2, **limits), concurrency=2)
    processes.beat(stack.env(**limits), stack.data_dir)
    for (document_id, _), name in batch.items():
        state = wait_until(partial(_done, container, document_id), what=f"{name} done")
        assert state.status in {"extracted", "needs_review"}, (name, state)
        assert state.extracted_results == 1, (name, state)
        _assert_right_invoice(state, name)
    assert document_state(container, killed_id).attempts == 2


def test_poison_document_fails_after_max_attempts_and_others_flow(
    stack: Stack, processes: Processes
) -> None:
    """F3: a document whose pool process dies on every delivery is FAILED as poison after
    `max_attempts`; the next document is still extracted by the same worker."""
    container, celery = stack.container(), stack.celery()
    max_attempts = 2
    document_id, generation = seed_document(container, SAMPLE)
    worker = processes.worker(stack.env(delay=3, max_attempts=max_attempts))
    enqueue_extract(celery, document_id, generation)
    for attempt in range(1, max_attempts + 1):
        running = partial(_processing, container, document_id, attempt)
        wait_until(running, what=f"attempt {attempt} running")
        _kill_pool(worker)
    state = wait_until(lambda: _done(container, document_id), what="poison document failed")
    assert state.status == "failed"
    assert state.error_code == "poison"
    assert state.extracted_results == 0
    assert state.attempts == max_attempts + 1  # the delivery that found it poisoned
    other_id, other_generation = seed_document(container, SAMPLES / "supply_house-000004.pdf")
    enqueue_extract(celery, other_id, other_generation)
    other = wait_until(lambda: _done(container, other_id), what="next document done")
    assert other.status in {"extracted", "needs_review"}
    assert other.extracted_results == 1
