"""The n8n example (docs/n8n): the workflow JSON is importable n8n JSON, and the exact request
its HTTP Request node sends (recorded in N8N.md: one multipart part `attachment_0`, a raw
UTF-8 filename with an unescaped quote, Content-Type from the extension, `Connection: close`,
a lower-cased `authorization` header, ?wait=60) gets the extracted invoice back."""

from __future__ import annotations

import json
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import sample
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration
WORKFLOW = Path(__file__).resolve().parents[2] / "docs" / "n8n" / "docproc-email-invoices.json"
NODE_KEYS = {"id", "name", "type", "typeVersion", "position", "parameters"}


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORKFLOW.read_text(encoding="utf-8"))
    return data


def test_workflow_is_valid_n8n_json() -> None:
    """Top-level name and id, nodes with the keys n8n needs, connections between real nodes."""
    workflow = _workflow()
    assert isinstance(workflow["name"], str) and workflow["name"]
    assert isinstance(workflow["id"], str) and workflow["id"]
    nodes = workflow["nodes"]
    assert nodes and all(set(node) >= NODE_KEYS for node in nodes)
    names = [node["name"] for node in nodes]
    assert len(set(names)) == len(names) and len({n["id"] for n in nodes}) == len(nodes)
    for node in nodes:
        assert node["type"].startswith("n8n-nodes-base.")
        assert isinstance(node["typeVersion"], int | float)
        assert len(node["position"]) == 2 and isinstance(node["parameters"], dict)
    for source, outputs in workflow["connections"].items():
        assert source in names
        for branch in outputs["main"]:
            assert all(link["node"] in names and link["type"] == "main" for link in branch)


def test_workflow_has_the_documented_chain() -> None:
    """IMAP trigger -> upload (multipart attachment_0, wait=60, bearer, timeout above wait) ->
    result -> IF on needs_review with two branches."""
    workflow = _workflow()
    by_type: dict[str, list[dict[str, Any]]] = {}
    for node in workflow["nodes"]:
        by_type.setdefault(node["type"], []).append(node)
    assert "n8n-nodes-base.emailReadImap" in by_type
    upload = next(
        n for n in by_type["n8n-nodes-base.httpRequest"] if n["parameters"]["method"] == "POST"
    )
    params = upload["parameters"]
    assert params["contentType"] == "multipart-form-data"
    [binary] = [
        p
        for p in params["bodyParameters"]["parameters"]
        if p.get("parameterType") == "formBinaryData"
    ]
    assert binary["name"] == binary["inputDataFieldName"] == "attachment_0"
    wait = {p["name"]: p["value"] for p in params["queryParameters"]["parameters"]}["wait"]
    assert params["options"]["timeout"] > int(wait) * 1000
    assert params["headerParameters"]["parameters"][0]["value"].startswith("Bearer ")
    [branch] = by_type["n8n-nodes-base.if"]
    condition = branch["parameters"]["conditions"]["conditions"][0]
    assert condition["leftValue"] == "={{ $json.needs_review }}"
    assert len(workflow["connections"][branch["name"]]["main"]) == 2


def _n8n_request(url: str, key: str, filename: str, data: bytes) -> bytes:
    """The bytes n8n's HTTP Request node puts on the wire for one binary property."""
    boundary = "--------------------------417512379128335611390743"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="attachment_0"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    parts = urlsplit(url)
    head = (
        "POST /v1/documents?wait=60 HTTP/1.1\r\n"
        "accept: application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, "
        "image/*;q=0.8, */*;q=0.7\r\n"
        f"authorization: Bearer {key}\r\n"
        f"content-type: multipart/form-data; boundary={boundary}\r\n"
        "User-Agent: axios/1.8.3\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Accept-Encoding: gzip, compress, deflate, br\r\n"
        f"Host: {parts.hostname}:{parts.port}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head + body


def _send(url: str, request: bytes) -> tuple[int, dict[str, Any]]:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=90) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunk(body)
    answer: dict[str, Any] = json.loads(body)
    return status, answer


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out, body = out + rest[:size], rest[size + 2 :]
    return out


def test_replayed_n8n_request_returns_the_extracted_invoice(api: Api) -> None:
    """n8n's upload with ?wait=60 answers the finished document; its absolute result link
    (the next HTTP node) gives the extracted invoice, matching the sample's truth."""
    api.queue.inline = True
    data, truth = sample()
    filename = 'Rechnung "März" 4711.pdf'
    status, answer = _send(api.url, _n8n_request(api.url, api.tenant.key, filename, data))
    assert status in (200, 202), answer
    [document] = answer["documents"]
    assert document["filename"] == filename and document["media_type"] == "application/pdf"
    assert document["status"] in ("extracted", "needs_review")
    assert document["links"]["result"].startswith("http://127.0.0.1:")
    result = httpx.get(
        document["links"]["result"],
        params={"wait": 60},
        headers={"authorization": f"Bearer {api.tenant.key}"},
        timeout=90,
    )
    assert result.status_code == 200
    envelope = result.json()
    assert isinstance(envelope["needs_review"], bool)
    invoice = envelope["invoice"]
    assert invoice["invoice_number"] == truth["invoice"]["invoice_number"]
    assert Decimal(str(invoice["total"])) == Decimal(str(truth["invoice"]["total"]))
