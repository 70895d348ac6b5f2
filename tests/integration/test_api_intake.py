"""Bad input at intake (B1, B3, B10, B11, A4) and n8n's request shapes, through a live server.

Every refusal leaves no row, no blob and no temp file.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.api import create_app
from service.api.uploads import clean_filename, parse_disposition
from service.bootstrap import Container
from tests.conftest import (
    FakeQueue,
    LiveServer,
    blob_files,
    count_documents,
    make_container,
    make_settings,
    new_tenant,
    sample,
    temp_files,
)
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"%PDF-1.4 hidden" + b"\x00" * 2000
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + b"%PDF-1.7" + b"\x00" * 100


def assert_nothing_left(api_container: Container, tenant_id: uuid.UUID) -> None:
    """No row, no blob, no temp file."""
    assert count_documents(api_container, tenant_id) == 0
    assert blob_files(api_container) == []
    assert temp_files(api_container) == []


def n8n_body(boundary: str, name: str, filename: str, content_type: str, data: bytes) -> bytes:
    """One part exactly as n8n writes it: raw UTF-8 filename, quotes unescaped."""
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 422, "empty_file"),
        (EXE, 415, "unsupported_media_type"),
        (ZIP, 415, "unsupported_media_type"),
        (b"just some text, not a document", 415, "unsupported_media_type"),
    ],
)
def test_refused_files_leave_nothing(api: Api, data: bytes, status: int, code: str) -> None:
    response = api.upload(data, "evil.pdf")
    assert response.status_code == status
    assert response.json()["code"] == code
    raw = api.client.post(
        "/v1/documents", content=data, headers={"content-type": "application/pdf"}
    )
    assert raw.status_code == status
    assert raw.json()["code"] == code
    assert_nothing_left(api.container, api.tenant.tenant_id)
    assert api.queue.jobs == []


def test_one_bad_file_refuses_the_whole_request(api: Api) -> None:
    files = [
        ("file", ("good.pdf", sample()[0], "application/pdf")),
        ("file", ("bad.pdf", EXE, "application/pdf")),
    ]
    response = api.client.post("/v1/documents", files=files)
    assert response.status_code == 415
    assert_nothing_left(api.container, api.tenant.tenant_id)


def test_nul_in_filename_is_422(api: Api) -> None:
    boundary = "nulboundary"
    body = n8n_body(boundary, "file", "inv\x00oice.pdf", "application/pdf", sample()[0])
    response = api.client.post(
        "/v1/documents",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_filename"
    raw = api.client.post(
        "/v1/documents",
        params={"filename": "a\x00.pdf"},
        content=sample()[0],
        headers={"content-type": "application/pdf"},
    )
    assert raw.status_code == 422
    assert_nothing_left(api.container, api.tenant.tenant_id)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("C:\\Users\\x\\..\\invoice.pdf", "invoice.pdf"),
        ("e\u0301te\u0301.pdf", "\u00e9t\u00e9.pdf"),
        ("inv\u202efdp.exe", "invfdp.exe"),
        ("<b onload=x>.pdf", "<b onload=x>.pdf"),
        ("..", None),
    ],
)
def test_filenames_are_sanitised_and_never_a_path(api: Api, raw: str, shown: str | None) -> None:
    response = api.client.post(
        "/v1/documents",
        params={"filename": raw},
        content=sample()[0],
        headers={"content-type": "application/pdf"},
    )
    assert response.status_code == 202
    assert response.json()["documents"][0]["filename"] == shown
    root = api.container.settings.data_dir.resolve()
    assert all(path.resolve().is_relative_to(root) for path in blob_files(api.container))


def test_long_filenames_are_capped_keeping_the_extension() -> None:
    name = clean_filename("x" * 400 + ".pdf")
    assert name is not None
    assert len(name) == 255
    assert name.endswith(".pdf")
    assert clean_filename("CON.pdf") == "CON.pdf"
    assert unicodedata.is_normalized("NFC", clean_filename("a\u0308.pdf") or "")


def test_content_disposition_with_raw_quotes_and_utf8() -> None:
    assert parse_disposition('form-data; name="data"; filename="quote"s.pdf"') == (
        "data",
        'quote"s.pdf',
    )
    assert parse_disposition('form-data; name="f"; filename="a.pdf"; size=3') == ("f", "a.pdf")
    assert parse_disposition("form-data; name=f; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf") == (
        "f",
        "Résumé.pdf",
    )
    assert parse_disposition('form-data; name="document_type"') == ("document_type", None)


@pytest.fixture
def small_api(
    tmp_path: Path, database_url: str, live_server: Callable[[Any], LiveServer]
) -> Iterator[Api]:
    """An API whose limits are small: 64 KiB per file, 2 files per request."""
    container = make_container(
        make_settings(
            tmp_path / "small",
            database_url,
            api={"max_upload_bytes": 64 * 1024, "max_files_per_request": 2},
        )
    )
    queue = FakeQueue(container)
    server = live_server(create_app(container, queue))
    tenant = new_tenant(container)
    with httpx.Client(base_url=server.url, headers=tenant.headers, timeout=30) as client:
        yield Api(container, queue, server.url, tenant, client)
    container.engine.dispose()


def test_oversized_file_is_413_with_content_length(small_api: Api) -> None:
    response = small_api.upload(b"%PDF-1.4\n" + b"0" * 300_000)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert_nothing_left(small_api.container, small_api.tenant.tenant_id)


def test_oversized_streamed_body_is_413_before_the_end(small_api: Api) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        yield b"%PDF-1.4\n"
        for _ in range(64):
            sent += 16 * 1024
            yield b"0" * (16 * 1024)

    try:
        response = small_api.client.post(
            "/v1/documents", content=body(), headers={"content-type": "application/pdf"}
        )
        assert response.status_code == 413
        assert response.json()["code"] == "too_large"
    except httpx.TransportError:
        pass  # the server may close the connection before the client has finished writing
    assert_nothing_left(small_api.container, small_api.tenant.tenant_id)


def test_too_many_files_is_413(small_api: Api) -> None:
    names = ["classic_left-000001", "letterhead_right-000002", "centred_vat-000003"]
    files = [("file", (f"{n}.pdf", sample(n)[0], "application/pdf")) for n in names]
    response = small_api.client.post("/v1/documents", files=files)
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_files"
    assert_nothing_left(small_api.container, small_api.tenant.tenant_id)


def test_huge_form_field_is_413(small_api: Api) -> None:
    response = small_api.client.post(
        "/v1/documents",
        files={"file": ("a.pdf", sample()[0], "application/pdf")},
        data={"project": "x" * 20_000},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "field_too_large"
    assert_nothing_left(small_api.container, small_api.tenant.tenant_id)


def test_bad_hints_are_422(api: Api) -> None:
    for fields, code in [
        ({"document_type": "spaceship"}, "invalid_document_type"),
        ({"callback_url": "file:///etc/passwd"}, "invalid_callback_url"),
        ({"callback_url": "gopher://x"}, "invalid_callback_url"),
    ]:
        response = api.client.post(
            "/v1/documents", files={"file": ("a.pdf", sample()[0], "application/pdf")}, data=fields
        )
        assert response.status_code == 422
        assert response.json()["code"] == code
    assert count_documents(api.container, api.tenant.tenant_id) == 0
    assert temp_files(api.container) == []


def test_no_file_is_422(api: Api) -> None:
    response = api.client.post("/v1/documents", files={"project": (None, "24-017")})
    assert response.status_code == 422
    assert response.json()["code"] == "no_file"
    form = api.client.post("/v1/documents", data={"project": "24-017"})
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_content_type"


def test_truncated_multipart_is_400(api: Api) -> None:
    boundary = "cut"
    body = n8n_body(boundary, "data", "a.pdf", "application/pdf", sample()[0])[:-20]
    response = api.client.post(
        "/v1/documents",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_multipart"
    assert_nothing_left(api.container, api.tenant.tenant_id)


def test_n8n_multipart_shape_is_accepted(api: Api) -> None:
    data, truth = sample()
    boundary = "--------------------------n8n8n8n8n8n8n8n8n8n8n8n8"
    body = n8n_body(boundary, "data", 'Rechnung "März" 2026', "text/plain", data)
    headers = {
        "authorization": f"Bearer {api.tenant.key}",
        "content-type": f"multipart/form-data; boundary={boundary}",
        "connection": "close",
        "accept": "application/json,text/html,application/xhtml+xml,application/xml,*/*",
    }
    response = httpx.post(f"{api.url}/v1/documents?wait=1", content=body, headers=headers)
    assert response.status_code == 202, response.text
    (document,) = response.json()["documents"]
    assert document["filename"] == 'Rechnung "März" 2026'
    assert document["media_type"] == "application/pdf"
    assert document["sha256"] == truth["sha256"]
    assert document["links"]["result"].startswith("http://127.0.0.1:")
    api.queue.run_pending()
    result = httpx.get(document["links"]["result"], headers=headers)
    assert result.json()["invoice"]["invoice_number"] == truth["invoice"]["invoice_number"]


def test_n8n_binary_file_shape_is_accepted(api: Api) -> None:
    data, truth = sample()
    headers = {
        "authorization": f"Bearer {api.tenant.key}",
        "content-type": "application/pdf",
        "connection": "close",
        "x-filename": "Rechnung%20M%C3%A4rz.pdf",
    }
    response = httpx.post(f"{api.url}/v1/documents", content=data, headers=headers)
    assert response.status_code == 202
    assert response.json()["documents"][0]["filename"] == "Rechnung März.pdf"
    assert response.json()["documents"][0]["sha256"] == truth["sha256"]


def test_public_base_url_makes_the_links(
    tmp_path: Path, database_url: str, live_server: Callable[[Any], LiveServer]
) -> None:
    container = make_container(
        make_settings(
            tmp_path / "pub", database_url, public_base_url="https://docproc.example.com/"
        )
    )
    server = live_server(create_app(container, FakeQueue(container)))
    tenant = new_tenant(container)
    response = httpx.post(
        f"{server.url}/v1/documents",
        headers=tenant.headers,
        files={"file": ("a.pdf", sample()[0], "application/pdf")},
    )
    link = response.json()["documents"][0]["links"]["self"]
    assert link.startswith("https://docproc.example.com/v1/documents/")
    container.engine.dispose()
