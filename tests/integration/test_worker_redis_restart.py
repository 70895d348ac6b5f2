"""A worker outlives a Redis crash (issue #11), on a redis-server of the test's own.

The fault: losing Redis while the worker holds an unacknowledged task, with a BRPOP in flight
and its remote-control (pidbox) channel open, made Celery's clean-up raise AttributeError
inside kombu; the worker stopped ("Unrecoverable error") and QUEUED documents were never sent
again, because no worker was left to run the reconciler. The first test replays Celery's own
clean-up on the worker's broker connection in exactly that state, deterministically; the
second crashes Redis under a real worker and beat and checks that every document, the one
in flight and those queued while Redis was down, is still extracted.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from kombu import Connection
from kombu import Consumer as KombuConsumer
from kombu.common import ignore_errors
from kombu.message import Message

from bench.chaos import PrivateRedis
from service.bootstrap import Container
from service.config import Settings
from service.db.migrations import upgrade_database
from service.worker.app import QUEUE_INTAKE, QUEUE_OCR, enqueue_extract, make_celery
from tests.e2e.e2e_fixtures import Stack
from tests.integration.worker_fixtures import (
    SAMPLES,
    Proc,
    Processes,
    document_state,
    fresh_pg_url,
    processes,
    seed_document,
    wait_until,
)

__all__ = ["fresh_pg_url", "processes"]  # fixtures used here

pytestmark = pytest.mark.integration
DONE = frozenset({"extracted", "needs_review"})


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server without persistence on a free port, SIGKILLed at teardown."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _receive_one_unacked(connection: Connection, received: list[Message]) -> None:
    """Drain until one task message is delivered and left unacknowledged."""
    deadline = time.monotonic() + 30
    while not received and time.monotonic() < deadline:
        try:
            connection.drain_events(timeout=1)
        except TimeoutError:
            continue
    assert len(received) == 1, "the task message never arrived"


def _leave_a_brpop_in_flight(connection: Connection) -> None:
    """Drain until a drain times out: that leaves its BRPOP waiting on the server, as in the
    worker's loop (earlier drains may answer other events, such as the pidbox's subscribe)."""
    for _ in range(50):
        try:
            connection.drain_events(timeout=0.3)
        except TimeoutError:
            break
    assert getattr(connection.default_channel, "_in_poll", None), "no BRPOP in flight"


def test_celery_cleanup_after_losing_redis_with_an_unacked_task_does_not_raise(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    """Celery's clean-up after a connection loss, on the worker's own broker connection
    holding an unacked task, a BRPOP in flight and a pidbox channel, after Redis died:
    no AttributeError, so the worker goes on to reconnect instead of stopping."""
    app = make_celery(Settings(data_dir=tmp_path, broker={"url": private_redis.url}))
    connection = app.connection_for_read()
    received: list[Message] = []
    tasks = KombuConsumer(connection.default_channel, [app.amqp.queues[QUEUE_INTAKE]],
                          on_message=received.append, accept=["json"])  # fmt: skip
    tasks.consume()
    mailbox = cast(Any, app.control).mailbox  # not in celery-types
    node = mailbox.Node(f"test-{uuid.uuid4().hex[:8]}@host", channel=connection.channel())
    node.listen(callback=lambda *_args: None)  # the worker's remote control (pidbox)
    enqueue_extract(app, uuid.uuid4(), 1, "application/pdf")
    _receive_one_unacked(connection, received)
    _leave_a_brpop_in_flight(connection)
    private_redis.stop()

    _celery_cleanup_after_connection_loss(connection)  # raised AttributeError before #11

    private_redis.start()  # empty: Celery's new connection declares the queues again
    with app.connection_for_read() as again:
        received.clear()
        KombuConsumer(again.default_channel, [app.amqp.queues[QUEUE_INTAKE]],
                      on_message=received.append, accept=["json"]).consume()  # fmt: skip
        enqueue_extract(app, uuid.uuid4(), 1, "application/pdf")
        _receive_one_unacked(again, received)


def _celery_cleanup_after_connection_loss(connection: Connection) -> None:
    """What `celery.worker.consumer.Consumer.on_connection_error_after_connected` does with
    the broken connection: collect it, ignoring any error, then close it, ignoring only
    connection and channel errors (anything else stops the worker)."""
    with contextlib.suppress(Exception):
        connection.collect(socket_timeout=2)
    ignore_errors(connection, connection.close)


@pytest.mark.slow
def test_worker_outlives_a_redis_crash_and_the_reconciler_resends_queued_documents(
    tmp_path: Path, fresh_pg_url: str, private_redis: PrivateRedis, processes: Processes
) -> None:
    """Redis dies while the worker runs one document (its remote-control connection first,
    as when the worker notices the loss there); two more are queued while Redis is down and
    their messages never sent. The worker reconnects, and all three end extracted."""
    upgrade_database(fresh_pg_url)
    stack = Stack(tmp_path / "data", fresh_pg_url, private_redis.url)
    container, celery = stack.container(), stack.celery()
    limits = {f"{queue}_{kind}": seconds for queue in ("ocr", "intake", "push")
              for kind, seconds in (("soft_time_limit_s", 10), ("time_limit_s", 12))}  # fmt: skip
    env = stack.env(delay=3, lease_s=15, reconcile_interval_s=1, queued_stale_s=3, **limits)
    worker = processes.worker(env, queues=f"{QUEUE_INTAKE},{QUEUE_OCR}", concurrency=2)
    wait_until(lambda: "ready." in worker.output(), what="the worker to start")
    processes.beat(env, tmp_path)
    running, generation = seed_document(container, SAMPLES / "classic_left-000001.pdf")
    enqueue_extract(celery, running, generation, "application/pdf")
    wait_until(lambda: document_state(container, running).status == "processing",
               what="the first document to be claimed")  # fmt: skip

    _crash_redis_as_the_worker_notices_on_its_pidbox(private_redis, worker)
    queued = [seed_document(container, SAMPLES / name)[0]
              for name in ("supply_house-000004.pdf", "letterhead_right-000002.pdf")]  # fmt: skip
    time.sleep(2)
    private_redis.start()

    wait_until(lambda: _reconnected_or_stopped(worker), what="the worker to reconnect or stop")
    assert worker.popen.poll() is None, worker.output()[-3000:]
    assert "Unrecoverable error" not in worker.output()
    for document_id in (running, *queued):
        wait_until(partial(_extracted, container, document_id),
                   what=f"document {document_id} to be extracted")  # fmt: skip


def _crash_redis_as_the_worker_notices_on_its_pidbox(server: PrivateRedis, worker: Proc) -> None:
    """Cut the worker's pub/sub (pidbox) connection, then SIGKILL Redis as soon as the worker
    reports the loss: its task channel still waits on a BRPOP and holds the running task."""
    client = redis.Redis(host="127.0.0.1", port=server.port)
    client.client_kill_filter(_type="pubsub")
    client.close()
    wait_until(lambda: "Connection to broker lost" in worker.output(), every=0.005,
               what="the worker to notice the lost pub/sub connection")  # fmt: skip
    server.stop()


def _extracted(container: Container, document_id: uuid.UUID) -> bool:
    return document_state(container, document_id).status in DONE


def _reconnected_or_stopped(worker: Proc) -> bool:
    return worker.popen.poll() is not None or worker.output().count("Connected to") >= 2
