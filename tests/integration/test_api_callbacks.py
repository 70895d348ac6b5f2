"""Signed callbacks: a local receiver on 127.0.0.1 that fails twice, then takes the delivery."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from service.db.session import unit_of_work
from service.db.tenants import signing_secret
from service.signing import sign, signed_headers, verify
from tests.conftest import sample
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration


@dataclass
class Receiver:
    """A tiny HTTP receiver: answers `failures` times with 503, then 204; keeps what it got."""

    failures: int
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where to send callbacks."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver_factory() -> Iterator[Any]:
    """Start receivers on free 127.0.0.1 ports; stop them after the test."""
    started: list[ThreadingHTTPServer] = []

    def start(failures: int) -> Receiver:
        receiver = Receiver(failures)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(receiver.received) <= receiver.failures
                self.send_response(503 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
        started.append(receiver.server)
        return receiver

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def _done_document(api: Api, callback_url: str) -> str:
    api.queue.inline = True
    data, _ = sample()
    response = api.client.post(
        "/v1/documents",
        files={"file": ("a.pdf", data, "application/pdf")},
        data={"callback_url": callback_url, "external_id": "ext-1"},
    )
    assert response.status_code == 202, response.text
    document_id: str = response.json()["documents"][0]["id"]
    return document_id


def _deliver(api: Api, monkeypatch: pytest.MonkeyPatch, document_id: str) -> str:
    from service.worker import callbacks

    monkeypatch.setattr(callbacks, "get_container", lambda: api.container)
    result = callbacks.deliver_callback.apply(args=(document_id,))
    outcome: str = result.get()
    return outcome


def _event_kinds(api: Api, document_id: str) -> list[tuple[str, dict[str, Any]]]:
    body = api.client.get(f"/v1/documents/{document_id}/events").text
    events = [json.loads(line[6:]) for line in body.splitlines() if line.startswith('data: {"')]
    return [(event["kind"], event["detail"]) for event in events]


def test_callback_is_retried_then_delivered_and_signed(
    api: Api, monkeypatch: pytest.MonkeyPatch, receiver_factory: Any
) -> None:
    receiver: Receiver = receiver_factory(2)
    document_id = _done_document(api, receiver.url)
    assert _deliver(api, monkeypatch, document_id) == "delivered"
    assert len(receiver.received) == 3
    headers, body = receiver.received[-1]
    with unit_of_work(api.container.sessions) as session:
        secret = signing_secret(session, api.tenant.tenant_id)
    assert verify(secret, headers["x-docproc-timestamp"], body, headers["x-docproc-signature"])
    assert not verify("wrong", headers["x-docproc-timestamp"], body, headers["x-docproc-signature"])
    assert not verify(
        secret, headers["x-docproc-timestamp"], body + b" ", headers["x-docproc-signature"]
    )
    assert len({h["x-docproc-delivery"] for h, _ in receiver.received}) == 1
    payload = json.loads(body)
    assert payload["event"] == "document.done"
    assert payload["document_id"] == document_id
    assert payload["external_id"] == "ext-1"
    result = api.client.get(f"/v1/documents/{document_id}/result").json()
    assert payload["envelope"] == result
    delivered = [d for kind, d in _event_kinds(api, document_id) if kind == "callback_delivered"]
    assert delivered == [{"attempts": 3, "status_code": 204}]


def test_callback_gives_up_after_its_attempts(
    api: Api, monkeypatch: pytest.MonkeyPatch, receiver_factory: Any
) -> None:
    from service.worker.callbacks import MAX_ATTEMPTS

    receiver: Receiver = receiver_factory(1000)
    document_id = _done_document(api, receiver.url)
    assert _deliver(api, monkeypatch, document_id) == "failed"
    assert len(receiver.received) == MAX_ATTEMPTS
    kinds = [kind for kind, _ in _event_kinds(api, document_id)]
    assert "callback_failed" in kinds
    view = api.client.get(f"/v1/documents/{document_id}").json()
    assert view["status"] in {"extracted", "needs_review"}


def test_no_callback_url_is_skipped(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.queue.inline = True
    document_id = api.upload(sample()[0]).json()["documents"][0]["id"]
    assert _deliver(api, monkeypatch, document_id) == "skipped"
    assert _deliver(api, monkeypatch, str(uuid.uuid4())) == "skipped"


def test_signatures_check_secret_body_and_time() -> None:
    body = b'{"a":1}'
    signature = sign("s3cret", 1_700_000_000, body)
    assert signature.startswith("v1=")
    assert verify("s3cret", 1_700_000_000, body, signature, now=1_700_000_100)
    assert verify("s3cret", "1700000000", body.decode(), f"v1=00 {signature}", now=1_700_000_000)
    assert not verify("s3cret", 1_700_000_000, body, signature, now=1_700_001_000)
    assert not verify("s3cret", 1_700_000_001, body, signature, now=1_700_000_000)
    assert not verify("s3cret", "soon", body, signature)
    headers = signed_headers("s3cret", body, now=1_700_000_000)
    assert headers == {"X-Docproc-Timestamp": "1700000000", "X-Docproc-Signature": signature}
