"""Server-sent events of a document's status changes, read from its event log in the database.

Polls `events_after` every half second; each entry is one `event: status` message with its
id (so `Last-Event-ID` resumes). The stream ends once the document is done unless the client
asks to follow; a comment line is sent as a heartbeat when nothing happens. Must not hold a
database session between polls.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import anyio

from service.bootstrap import Container
from service.db.documents import events_after, get_document
from service.db.tables import DocumentStatus, EventRecord
from service.db.tenants import Caller

POLL_INTERVAL_S = 0.5
HEARTBEAT_S = 15.0


@dataclass(frozen=True, slots=True)
class _Poll:
    events: list[EventRecord]
    done: bool


def _poll(container: Container, caller: Caller, document_id: uuid.UUID, after: int) -> _Poll:
    with container.sessions() as session:
        document = get_document(session, caller.tenant_id, document_id)
        if document is None:
            return _Poll([], True)
        return _Poll(
            events_after(session, document_id, after), DocumentStatus(document.status).is_done
        )


def format_event(event: EventRecord) -> str:
    """One event as an SSE message."""
    data = {
        "id": event.id,
        "kind": event.kind,
        "status": event.status,
        "detail": event.detail,
        "created_at": event.created_at.isoformat(),
    }
    return f"id: {event.id}\nevent: status\ndata: {json.dumps(data)}\n\n"


async def stream_events(
    container: Container,
    caller: Caller,
    document_id: uuid.UUID,
    *,
    after: int,
    follow: bool,
    disconnected: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    """SSE text for the document's events after `after`, until done (or forever if following)."""
    last_sent = time.monotonic()
    yield ": stream open\n\n"
    while not await disconnected():
        poll = await anyio.to_thread.run_sync(_poll, container, caller, document_id, after)
        for event in poll.events:
            after = event.id
            last_sent = time.monotonic()
            yield format_event(event)
        if poll.done and not follow:
            yield "event: end\ndata: {}\n\n"
            return
        if time.monotonic() - last_sent >= HEARTBEAT_S:
            last_sent = time.monotonic()
            yield ": heartbeat\n\n"
        await anyio.sleep(POLL_INTERVAL_S)
