"""Celery tasks `outbox.dispatch` (beat, every few seconds) and `outbox.push` (one row).

Thin: `dispatch` claims due rows and sends one `outbox.push` per row with the claim's
attempt number; `push` runs the dispatcher's `push_one`. Neither retries through the broker:
backoff lives in `outbox.next_attempt_at`, and a lost message is found again once its lease
runs out.
"""

from __future__ import annotations

import uuid

from service.alerts import DbAlertSink
from service.bootstrap import Container, get_container
from service.outbox import dispatcher
from service.outbox.registry import RealConnectors
from service.outbox.repository import ClaimedRow
from service.worker.app import TASK_OUTBOX_DISPATCH, TASK_OUTBOX_PUSH, app

_CONNECTORS: dict[int, RealConnectors] = {}


def _connectors(container: Container) -> RealConnectors:
    # Keyed by identity: a Container holds unhashable settings, so lru_cache raised TypeError.
    if id(container) not in _CONNECTORS:
        _CONNECTORS.clear()
        _CONNECTORS[id(container)] = RealConnectors(container)
    return _CONNECTORS[id(container)]


@app.task(name=TASK_OUTBOX_DISPATCH)
def dispatch_outbox() -> int:
    """Claim due outbox rows and send one push per row; how many were sent."""

    def send(claim: ClaimedRow) -> None:
        app.send_task(TASK_OUTBOX_PUSH, args=[str(claim.id), claim.attempt])

    return len(dispatcher.dispatch(get_container(), send))


@app.task(name=TASK_OUTBOX_PUSH)
def push_outbox(outbox_id: str, attempt: int) -> str:
    """Push one claimed outbox row; its outcome."""
    container = get_container()
    claim = ClaimedRow(uuid.UUID(outbox_id), attempt)
    return dispatcher.push_one(
        container, claim, _connectors(container), DbAlertSink(container.sessions)
    )
