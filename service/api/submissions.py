"""The upload request, start to finish: receive, dedupe by Idempotency-Key, store, enqueue,
optionally wait, answer. Thin glue between `uploads`, `idempotency`, `intake` and `reading`.

Must not hold temp files past the request: they are removed whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
from starlette.requests import Request

from service.api import idempotency, intake
from service.api.queue import TaskQueue
from service.api.reading import is_done, load_document, wait_budget, wait_until_done
from service.api.schemas import summary_json
from service.api.uploads import ReceivedUpload, UploadLimits, receive_upload
from service.bootstrap import Container
from service.db.tables import DocumentRecord
from service.db.tenants import Caller


@dataclass(frozen=True, slots=True)
class Answer:
    """A status code and a JSON body."""

    status_code: int
    body: dict[str, Any]


def base_url_of(container: Container, request: Request) -> str:
    """Where links point: the configured public base URL, else the request's own."""
    return container.settings.public_base_url or str(request.base_url)


def _limits(container: Container) -> UploadLimits:
    api = container.settings.api
    return UploadLimits(max_file_bytes=api.max_upload_bytes, max_files=api.max_files_per_request)


async def _process(
    request: Request,
    container: Container,
    queue: TaskQueue,
    caller: Caller,
    upload: ReceivedUpload,
    wait: float | None,
) -> Answer:
    hints = intake.hints_from(upload.fields)
    # Blob, row and broker round trips: off the event loop, in one trip to a worker thread.
    documents = await anyio.to_thread.run_sync(
        intake.accept_upload, container, queue, caller, upload, hints
    )
    seconds = wait_budget(container, wait)
    if seconds:
        await wait_until_done(container, caller, [d.id for d, _ in documents], seconds)
        documents = [
            (await anyio.to_thread.run_sync(load_document, container, caller, d.id), created)
            for d, created in documents
        ]
    return _answer(documents, base_url_of(container, request))


def _answer(documents: list[tuple[DocumentRecord, bool]], base_url: str) -> Answer:
    # The shape of `UploadResponse`, built without a validation pass.
    body = {"documents": [summary_json(d, c, base_url) for d, c in documents]}
    pending_new = any(created and not is_done(d) for d, created in documents)
    return Answer(202 if pending_new else 200, body)


async def submit(
    request: Request,
    container: Container,
    queue: TaskQueue,
    caller: Caller,
    wait: float | None,
    idempotency_key: str | None,
) -> Answer:
    """Handle one upload request; temp files are gone when this returns or raises."""
    upload = await receive_upload(request, container.settings.data_dir / "tmp", _limits(container))
    try:
        if idempotency_key is None:
            return await _process(request, container, queue, caller, upload, wait)
        fingerprint = idempotency.request_fingerprint(
            {"files": [f.sha256 for f in upload.files], "fields": upload.fields}
        )
        sessions = container.sessions
        replay = await anyio.to_thread.run_sync(
            idempotency.claim, sessions, caller.tenant_id, idempotency_key, fingerprint
        )
        if replay is not None:
            return Answer(replay.status_code, replay.body)
        try:
            answer = await _process(request, container, queue, caller, upload, wait)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(
                    idempotency.release, sessions, caller.tenant_id, idempotency_key
                )
            raise
        await anyio.to_thread.run_sync(
            idempotency.complete,
            sessions,
            caller.tenant_id,
            idempotency_key,
            answer.status_code,
            answer.body,
        )
        return answer
    finally:
        upload.cleanup()
