"""`Idempotency-Key` handling: a replayable answer per (tenant, key), stored in the database.

The same key with the same request replays the first answer; with a different request it is
a 422; while the first request is still running it is a 409. A request that fails releases
its key so the client may retry. Must not decide what a request does: it only remembers.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.api.errors import ApiError
from service.db.session import unit_of_work
from service.db.tables import IdempotencyRecord

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Replay:
    """A stored answer to send again."""

    status_code: int
    body: dict[str, Any]


def request_fingerprint(parts: Any) -> str:
    """A request's identity: the SHA-256 of its canonical JSON."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _existing(session: Session, tenant_id: uuid.UUID, key: str) -> IdempotencyRecord | None:
    query = select(IdempotencyRecord).where(
        IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key
    )
    return session.scalars(query).first()


def claim(
    sessions: sessionmaker[Session], tenant_id: uuid.UUID, key: str, fingerprint: str
) -> Replay | None:
    """Take the key for this request (None), or the stored answer to replay; 422/409 otherwise."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            422,
            "invalid_idempotency_key",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
        )
    with unit_of_work(sessions) as session:
        try:
            with session.begin_nested():
                session.add(
                    IdempotencyRecord(tenant_id=tenant_id, key=key, request_hash=fingerprint)
                )
                session.flush()
            return None
        except IntegrityError:
            record = _existing(session, tenant_id, key)
    if record is None:
        raise ApiError(409, "idempotency_conflict", "the Idempotency-Key is in use; retry")
    if record.request_hash != fingerprint:
        raise ApiError(
            422, "idempotency_key_reused", "this Idempotency-Key was used with a different request"
        )
    if record.status_code is None or record.response is None:
        raise ApiError(
            409,
            "idempotency_in_progress",
            "a request with this Idempotency-Key is still in progress",
        )
    return Replay(record.status_code, record.response)


def complete(
    sessions: sessionmaker[Session],
    tenant_id: uuid.UUID,
    key: str,
    status_code: int,
    body: dict[str, Any],
) -> None:
    """Store the answer given under the key."""
    with unit_of_work(sessions) as session:
        record = _existing(session, tenant_id, key)
        if record is not None:
            record.status_code = status_code
            record.response = body


def release(sessions: sessionmaker[Session], tenant_id: uuid.UUID, key: str) -> None:
    """Forget an unfinished key after its request failed, so a retry may run."""
    with unit_of_work(sessions) as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.tenant_id == tenant_id,
                IdempotencyRecord.key == key,
                IdempotencyRecord.status_code.is_(None),
            )
        )
