"""`POST /v1/inbound/email` on a live server: raw MIME, Mailgun (signed, with replay
protection), SendGrid Inbound Parse and Postmark; sender rules by mailbox; and
`PUT /v1/mailboxes/{name}`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from service.api import create_app
from service.bootstrap import Container
from service.db.tables import DocumentRecord, MailMessageRecord
from tests.conftest import (
    FakeQueue,
    LiveServer,
    TenantKey,
    make_container,
    make_settings,
    new_tenant,
)
from tests.mail_fixtures import html_with_logos, message, png, unique_pdf

pytestmark = pytest.mark.integration
SIGNING_KEY = "key-test-mailgun-signing"


@pytest.fixture
def inbound(
    database_url: str, tmp_path: Path, live_server: Callable[[Any], LiveServer]
) -> Iterator[tuple[Container, str, TenantKey]]:
    """A live API whose settings know a Mailgun signing key; its container, URL and a tenant."""
    settings = make_settings(
        tmp_path / "data", database_url, mail={"mailgun_signing_key": SIGNING_KEY}
    )
    container = make_container(settings)
    server = live_server(create_app(container, FakeQueue(container)))
    yield container, server.url, new_tenant(container)
    container.engine.dispose()


def documents(container: Container, tenant_id: uuid.UUID) -> list[DocumentRecord]:
    """The tenant's documents."""
    with container.sessions() as session:
        query = select(DocumentRecord).where(DocumentRecord.tenant_id == tenant_id)
        return list(session.scalars(query))


def signed(timestamp: float | None = None, key: str = SIGNING_KEY) -> dict[str, str]:
    """Mailgun's signature fields for now (or a given time)."""
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    token = uuid.uuid4().hex
    digest = hmac.new(key.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": stamp, "token": token, "signature": digest}


def test_raw_mime_with_an_api_key(inbound: tuple[Container, str, TenantKey]) -> None:
    """message/rfc822 body: the PDF becomes a document (202); the same message again is
    acknowledged as a duplicate (200) and makes nothing."""
    container, url, tenant = inbound
    raw = html_with_logos(unique_pdf(1))
    headers = tenant.headers | {"content-type": "message/rfc822"}
    first = httpx.post(f"{url}/v1/inbound/email", content=raw, headers=headers)
    assert first.status_code == 202, first.text
    body = first.json()
    assert body["status"] == "processed" and len(body["documents"]) == 1
    assert {s["filename"] for s in body["skipped"]} == {"logo1.png", "logo2.png", "pixel.png"}
    again = httpx.post(f"{url}/v1/inbound/email", content=raw, headers=headers)
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    [doc] = documents(container, tenant.tenant_id)
    assert doc.source == "email"


def test_no_credentials_is_401(inbound: tuple[Container, str, TenantKey]) -> None:
    """Neither a key nor a signature: 401, nothing stored."""
    container, url, tenant = inbound
    raw = message("x", [("a.pdf", unique_pdf(2), "application/pdf")]).as_bytes()
    answer = httpx.post(
        f"{url}/v1/inbound/email", content=raw, headers={"content-type": "message/rfc822"}
    )
    assert answer.status_code == 401 and answer.json()["code"] == "unauthorized"
    assert documents(container, tenant.tenant_id) == []


def _mailgun_post(
    url: str,
    tenant: TenantKey,
    fields: dict[str, str],
    files: list[tuple[str, tuple[str, bytes, str]]],
) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/inbound/email", params={"tenant": tenant.name}, data=fields, files=files
    )


def test_mailgun_signed_delivery_and_its_replay(inbound: tuple[Container, str, TenantKey]) -> None:
    """A signed Mailgun form: 2 attachments -> 2 documents; the very same delivery again is
    acknowledged (200 duplicate) and not processed; a wrong signature is 401; a stale
    timestamp 400."""
    container, url, tenant = inbound
    signature = signed()
    fields = {
        "sender": "ap@vendor.example",
        "from": "AP <ap@vendor.example>",
        "subject": "Invoices",
        "Message-Id": "<mg-1@vendor.example>",
        "attachment-count": "2",
        **signature,
    }
    files = [
        ("attachment-1", ("a.pdf", unique_pdf(3), "application/pdf")),
        ("attachment-2", ("b.pdf", unique_pdf(4), "application/pdf")),
    ]
    first = _mailgun_post(url, tenant, fields, files)
    assert first.status_code == 202, first.text
    assert len(first.json()["documents"]) == 2
    replay = _mailgun_post(url, tenant, fields, files)
    assert (replay.status_code, replay.json()["status"]) == (200, "duplicate")
    forged = fields | {"signature": "0" * 64, "Message-Id": "<mg-2@vendor.example>"}
    files_new = [("attachment-1", ("c.pdf", unique_pdf(5), "application/pdf"))]
    assert _mailgun_post(url, tenant, forged, files_new).status_code == 401
    stale = fields | signed(time.time() - 3600) | {"Message-Id": "<mg-3@vendor.example>"}
    assert _mailgun_post(url, tenant, stale, files_new).status_code == 400
    wrong_key = fields | signed(key="another-key") | {"Message-Id": "<mg-4@vendor.example>"}
    assert _mailgun_post(url, tenant, wrong_key, files_new).status_code == 401
    assert len(documents(container, tenant.tenant_id)) == 2
    with container.sessions() as session:
        [row] = session.scalars(
            select(MailMessageRecord).where(MailMessageRecord.tenant_id == tenant.tenant_id)
        )
        assert (row.channel, row.sender, row.message_id) == (
            "mailgun",
            "ap@vendor.example",
            "<mg-1@vendor.example>",
        )


def test_sendgrid_raw_and_parsed_forms(inbound: tuple[Container, str, TenantKey]) -> None:
    """SendGrid Inbound Parse with "send raw" (`email`) and without (`attachment1` + headers,
    an inline logo named in `attachment-info`)."""
    container, url, tenant = inbound
    raw = message("raw", [("raw.pdf", unique_pdf(6), "application/pdf")]).as_bytes()
    first = httpx.post(
        f"{url}/v1/inbound/email",
        headers=tenant.headers,
        data={"email": raw.decode(), "from": "ap@vendor.example"},
    )
    assert first.status_code == 202, first.text
    headers = "From: ap@vendor.example\nSubject: parsed\nMessage-ID: <sg-2@vendor.example>\n"
    fields = {
        "from": "AP <ap@vendor.example>",
        "subject": "parsed",
        "headers": headers,
        "attachments": "2",
        "attachment-info": '{"attachment2": {"filename": "logo.png", "content-id": "l"}}',
    }
    files = [
        ("attachment1", ("p.pdf", unique_pdf(7), "application/pdf")),
        ("attachment2", ("logo.png", png(150, 150), "image/png")),
    ]
    second = httpx.post(f"{url}/v1/inbound/email", headers=tenant.headers, data=fields, files=files)
    assert second.status_code == 202, second.text
    assert [s["filename"] for s in second.json()["skipped"]] == ["logo.png"]
    assert second.json()["message_id"] == "<sg-2@vendor.example>"
    assert sorted(d.filename or "" for d in documents(container, tenant.tenant_id)) == [
        "p.pdf",
        "raw.pdf",
    ]


def test_postmark_json(inbound: tuple[Container, str, TenantKey]) -> None:
    """Postmark's JSON: base64 attachments become documents; sender from FromFull."""
    container, url, tenant = inbound
    pdf = unique_pdf(8)
    body = {
        "FromFull": {"Email": "AP@Vendor.example", "Name": "AP"},
        "Subject": "pm",
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Attachments": [
            {
                "Name": "pm.pdf",
                "Content": base64.b64encode(pdf).decode(),
                "ContentType": "application/pdf",
                "ContentLength": len(pdf),
            }
        ],
    }
    answer = httpx.post(f"{url}/v1/inbound/email", headers=tenant.headers, json=body)
    assert answer.status_code == 202, answer.text
    [doc] = documents(container, tenant.tenant_id)
    assert doc.filename == "pm.pdf" and doc.sha256 == hashlib.sha256(pdf).hexdigest()
    with container.sessions() as session:
        [row] = session.scalars(
            select(MailMessageRecord).where(MailMessageRecord.tenant_id == tenant.tenant_id)
        )
        assert (row.sender, row.channel) == ("ap@vendor.example", "postmark")


def test_mailbox_rules_apply_to_webhooks(inbound: tuple[Container, str, TenantKey]) -> None:
    """PUT a mailbox with an allow-list and a project; mail through `?mailbox=` from a stranger
    is recorded and rejected, from the vendor gets the project hint."""
    container, url, tenant = inbound
    config = {
        "host": "imap.example.com",
        "username": "u",
        "secret_ref": "env:MAILBOX_SECRET",
        "allowed_senders": ["Vendor.example"],
        "project": "24-017",
    }
    put = httpx.put(f"{url}/v1/mailboxes/ap", headers=tenant.headers, json=config)
    assert put.status_code == 201, put.text
    assert (
        httpx.put(f"{url}/v1/mailboxes/ap", headers=tenant.headers, json=config).status_code == 200
    )
    bad = httpx.put(
        f"{url}/v1/mailboxes/ap", headers=tenant.headers, json=config | {"secret_ref": "hunter2"}
    )
    assert bad.status_code == 422
    headers = tenant.headers | {"content-type": "message/rfc822"}
    spam = message("s", [("s.pdf", unique_pdf(9), "application/pdf")], sender="x@evil.example")
    answer = httpx.post(
        f"{url}/v1/inbound/email",
        params={"mailbox": "ap"},
        content=spam.as_bytes(),
        headers=headers,
    )
    assert (answer.status_code, answer.json()["status"]) == (200, "rejected")
    ok = message("ok", [("ok.pdf", unique_pdf(10), "application/pdf")])
    answer = httpx.post(
        f"{url}/v1/inbound/email", params={"mailbox": "ap"}, content=ok.as_bytes(), headers=headers
    )
    assert answer.status_code == 202
    [doc] = documents(container, tenant.tenant_id)
    assert (doc.filename, doc.project_hint) == ("ok.pdf", "24-017")
