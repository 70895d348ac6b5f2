"""Email in over HTTP: `POST /v1/inbound/email` (raw MIME, Mailgun, SendGrid Inbound Parse,
Postmark) and `PUT /v1/mailboxes/{name}` (configure an IMAP mailbox).

Authenticated by an API key (`Authorization: Bearer dp_…`) or, for Mailgun, by its signature
(`timestamp`, `token`, `signature` = HMAC-SHA256 with the signing key; the tenant named by
`?tenant=`). Replays are acknowledged and not processed: a token seen before, a timestamp
outside the tolerance (refused), a Message-ID already received. Thin: the mail package does
the work; this module reads the request and shapes the answer.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect
from starlette.types import Message

from service.api.deps import CallerDep, ContainerDep, QueueDep, get_caller
from service.api.errors import ERROR_RESPONSES, ApiError, unauthorized
from service.api.intake import enqueue_new
from service.bootstrap import Container
from service.db.session import unit_of_work
from service.db.tables import InboundTokenRecord, TenantRecord
from service.mail.ingest import Ingested, Origin, ingest_mail
from service.mail.mailboxes import MailboxConfig, get_mailbox, put_mailbox
from service.mail.parse import AttachmentRules, MailMessage, parse_mail
from service.mail.providers import (
    FormFile,
    InboundFormatError,
    MailgunSignature,
    fingerprint,
    mail_from_form,
    mail_from_postmark,
    mailgun_signature_of,
    mailgun_signature_valid,
)

router = APIRouter(prefix="/v1", tags=["email"], responses=ERROR_RESPONSES)

_MAX_FIELDS = 1000
_MAX_FILES = 200


class InboundAnswer(BaseModel):
    """What became of one inbound email."""

    status: str
    reason: str | None = None
    message_id: str | None = None
    documents: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []


class MailboxView(BaseModel):
    """A configured mailbox (the secret only by reference)."""

    id: uuid.UUID
    name: str
    config: MailboxConfig


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the message is larger than {limit} bytes")
    chunks: list[bytes] = []
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                raise ApiError(413, "too_large", f"the message is larger than {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect as error:
        raise ApiError(400, "upload_incomplete", "the client disconnected mid-upload") from error
    return b"".join(chunks)


async def _form(request: Request, body: bytes) -> tuple[dict[str, str], list[FormFile]]:
    """The multipart form of an already-read body."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(
            max_files=_MAX_FILES, max_fields=_MAX_FIELDS
        )
    except Exception as error:
        raise ApiError(400, "bad_multipart", f"malformed multipart body: {error}") from error
    fields: dict[str, str] = {}
    files: list[FormFile] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            files.append(FormFile(name, value.filename, value.content_type or "", data))
        else:
            fields[name] = value
    await form.close()
    return fields, files


def _kind(request: Request) -> str:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in {"message/rfc822", "text/plain"}:
        return "mime"
    if content_type == "application/json":
        return "postmark"
    if content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        return "form"
    raise ApiError(
        415,
        "unsupported_content_type",
        "send message/rfc822, multipart/form-data (Mailgun, SendGrid) or JSON (Postmark)",
    )


def _tenant_by_name(container: Container, name: str | None) -> uuid.UUID:
    if not name:
        raise ApiError(422, "tenant_required", "a signed delivery names its tenant: ?tenant=")
    with container.sessions() as session:
        tenant_id = session.scalar(select(TenantRecord.id).where(TenantRecord.name == name))
    if tenant_id is None:
        raise unauthorized("unknown tenant for this signed delivery")
    return tenant_id


def _check_mailgun(container: Container, signed: MailgunSignature) -> None:
    """401 for a wrong signature or key, 400 for a timestamp outside the tolerance."""
    mail = container.settings.mail
    if mail.mailgun_signing_key is None:
        raise unauthorized("Mailgun signatures are not configured; send an API key")
    if not mailgun_signature_valid(mail.mailgun_signing_key.get_secret_value(), signed):
        raise unauthorized("the Mailgun signature does not match")
    try:
        age = abs(time.time() - float(signed.timestamp))
    except ValueError as error:
        raise ApiError(400, "bad_timestamp", "timestamp is not a number") from error
    if age > mail.webhook_tolerance_s:
        raise ApiError(400, "stale_timestamp", "the signed timestamp is outside the tolerance")


def _token_seen(container: Container, token: str) -> bool:
    with container.sessions() as session:
        found = session.get(InboundTokenRecord, ("mailgun", token[:255]))
    return found is not None


def _remember_token(container: Container, token: str) -> None:
    try:
        with unit_of_work(container.sessions) as session:
            session.add(InboundTokenRecord(provider="mailgun", token=token[:255]))
    except IntegrityError:
        pass  # the same delivery, twice at once: remembered once is enough


def _origin(
    container: Container, tenant_id: uuid.UUID, channel: str, mailbox_name: str | None
) -> Origin:
    if not mailbox_name:
        return Origin(tenant_id=tenant_id, channel=channel)
    with container.sessions() as session:
        mailbox = get_mailbox(session, tenant_id, mailbox_name)
    if mailbox is None:
        raise ApiError(404, "not_found", f"no mailbox named {mailbox_name!r}")
    return Origin(
        tenant_id=tenant_id,
        channel=channel,
        mailbox_id=mailbox.id,
        allowed_senders=tuple(mailbox.allowed_senders or ()),
        project=mailbox.project,
    )


def _answer(outcome: Ingested) -> JSONResponse:
    answer = InboundAnswer(
        status=outcome.status,
        reason=outcome.reason,
        message_id=outcome.message_id,
        documents=[
            {"id": str(d.id), "status": d.status, "filename": d.filename, "created": created}
            for d, created in outcome.documents
        ],
        skipped=[
            {"filename": j.part.filename, "outcome": j.verdict, "reason": j.reason}
            for j in outcome.judged
            if j.reason
        ],
    )
    status = 202 if outcome.created else 200
    return JSONResponse(answer.model_dump(mode="json"), status_code=status)


async def _read_mail(
    request: Request, body: bytes
) -> tuple[MailMessage, str, MailgunSignature | None]:
    """The message, the channel it came by, and the Mailgun signature when there is one."""
    kind = _kind(request)
    if kind == "mime":
        return parse_mail(body), "mime", None
    if kind == "postmark":
        try:
            return mail_from_postmark(json.loads(body)), "postmark", None
        except (ValueError, InboundFormatError) as error:
            raise ApiError(400, "bad_body", f"not a Postmark inbound body: {error}") from error
    fields, files = await _form(request, body)
    signed = mailgun_signature_of(fields)
    channel = "mailgun" if signed or "attachment-count" in fields else "sendgrid"
    return mail_from_form(fields, files), channel, signed


@router.post(
    "/inbound/email",
    response_model=InboundAnswer,
    summary="Receive an email (raw MIME or a provider's inbound-parse webhook)",
    responses={202: {"model": InboundAnswer, "description": "documents created"}},
)
async def inbound_email(
    request: Request,
    container: ContainerDep,
    queue: QueueDep,
    tenant: Annotated[str | None, Query(description="tenant of a signed delivery")] = None,
    mailbox: Annotated[str | None, Query(description="apply this mailbox's rules")] = None,
) -> JSONResponse:
    """Store the email's processable attachments as documents; 202 when any were created,
    200 when acknowledged without new documents (duplicate, rejected sender, nothing to do)."""
    body = await _body(request, container.settings.mail.max_message_bytes)
    mail, channel, signed = await _read_mail(request, body)
    if request.headers.get("authorization"):
        tenant_id = get_caller(request).tenant_id
    elif signed is not None:
        _check_mailgun(container, signed)
        tenant_id = _tenant_by_name(container, tenant)
        if await anyio.to_thread.run_sync(_token_seen, container, signed.token):
            return JSONResponse({"status": "duplicate", "reason": "delivery already received"})
    else:
        raise unauthorized()
    origin = _origin(container, tenant_id, channel, mailbox)
    rules = AttachmentRules.from_settings(container.settings.mail)
    raw = body if channel == "mime" else fingerprint(mail)
    outcome = await anyio.to_thread.run_sync(ingest_mail, container, mail, origin, rules, raw)
    enqueue_new(queue, outcome.documents)
    if signed is not None:
        await anyio.to_thread.run_sync(_remember_token, container, signed.token)
    return _answer(outcome)


@router.put(
    "/mailboxes/{name}",
    response_model=MailboxView,
    summary="Create or replace an IMAP mailbox to poll",
    responses={201: {"model": MailboxView, "description": "created"}},
)
def put_mailbox_route(
    name: str,
    container: ContainerDep,
    caller: CallerDep,
    body: Annotated[dict[str, Any], Body()],
) -> JSONResponse:
    """Configure the caller's mailbox `name`: 201 when created, 200 when replaced."""
    if not 1 <= len(name) <= 100:
        raise ApiError(422, "invalid_name", "a mailbox name is 1 to 100 characters")
    try:
        config = MailboxConfig.model_validate(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5]
        )
        raise ApiError(422, "validation_error", problems or "invalid mailbox") from error
    with unit_of_work(container.sessions) as session:
        mailbox, created = put_mailbox(session, caller.tenant_id, name, config)
        view = MailboxView(id=mailbox.id, name=mailbox.name, config=config)
    return JSONResponse(view.model_dump(mode="json"), status_code=201 if created else 200)
