"""Keys and tenants (A1, A2, A3, A8, A10): no key, bad keys, keys in the query string, and
another tenant's documents on every route — a 404 exactly like an id that does not exist."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from service.api import create_app
from service.api.logs import RedactKeysFilter, redact
from service.bootstrap import Container
from service.db.session import unit_of_work
from service.db.tenants import resolve_key, revoke_key
from tests.conftest import FakeQueue, LiveServer, TenantKey, count_results, new_tenant, sample
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration

Call = Callable[[httpx.Client, str], httpx.Response]

ROUTES: dict[str, Call] = {
    "get": lambda c, i: c.get(f"/v1/documents/{i}"),
    "result": lambda c, i: c.get(f"/v1/documents/{i}/result"),
    "results": lambda c, i: c.get(f"/v1/documents/{i}/results"),
    "correct": lambda c, i: c.patch(f"/v1/documents/{i}/result", json={"invoice": {}}),
    "reprocess": lambda c, i: c.post(f"/v1/documents/{i}/reprocess"),
    "events": lambda c, i: c.get(f"/v1/documents/{i}/events"),
    "file": lambda c, i: c.get(f"/v1/documents/{i}/file"),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_another_tenants_document_is_not_found_on_every_route(
    api: Api, other_tenant: TenantKey, route: str
) -> None:
    document_id = api.upload(sample()[0]).json()["documents"][0]["id"]
    api.queue.run_pending()
    with api.as_tenant(other_tenant) as intruder:
        theirs = ROUTES[route](intruder, document_id)
        missing = ROUTES[route](intruder, str(uuid.uuid4()))
    assert theirs.status_code == 404
    assert theirs.json() == missing.json() == {"code": "not_found", "message": "document not found"}
    assert count_results(api.container, uuid.UUID(document_id)) == 1
    view = api.client.get(f"/v1/documents/{document_id}").json()
    assert view["generation"] == 1


def test_listing_shows_only_the_callers_documents(api: Api, other_tenant: TenantKey) -> None:
    api.upload(sample()[0])
    with api.as_tenant(other_tenant) as intruder:
        assert intruder.get("/v1/documents").json()["documents"] == []
        own = intruder.post(
            "/v1/documents", files={"file": ("x.pdf", sample()[0], "application/pdf")}
        )
    assert own.status_code == 202
    assert (
        own.json()["documents"][0]["id"]
        != api.client.get("/v1/documents").json()["documents"][0]["id"]
    )


def test_a_non_uuid_id_is_not_found(api: Api) -> None:
    response = api.client.get("/v1/documents/../../etc/passwd")
    assert response.status_code == 404
    assert api.client.get("/v1/documents/not-a-uuid/file").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer"},
        {"authorization": "Basic dXNlcjpwYXNz"},
        {"authorization": "Bearer dp_nothing"},
        {"authorization": "Bearer dp_00000000_" + "x" * 43},
        {"authorization": "Bearer not-a-key-at-all"},
    ],
)
def test_missing_or_malformed_keys_are_401(api: Api, headers: dict[str, str]) -> None:
    response = httpx.get(f"{api.url}/v1/documents", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    upload = httpx.post(
        f"{api.url}/v1/documents", headers=headers, files={"file": ("a.pdf", b"%PDF-1.4")}
    )
    assert upload.status_code == 401


def test_a_revoked_key_is_401(api: Api) -> None:
    with unit_of_work(api.container.sessions) as session:
        caller = resolve_key(session, api.tenant.key)
        assert caller is not None
        revoke_key(session, caller.key_id)
    assert api.client.get("/v1/documents").status_code == 401


@pytest.mark.parametrize("param", ["api_key", "key", "token", "access_token"])
def test_a_key_in_the_query_string_is_refused(api: Api, param: str) -> None:
    response = httpx.get(f"{api.url}/v1/documents", params={param: api.tenant.key})
    assert response.status_code == 401
    assert api.tenant.key not in response.text
    with_header = api.client.get("/v1/documents", params={param: api.tenant.key})
    assert with_header.status_code == 401


def test_keys_are_redacted_from_access_logs() -> None:
    key = "dp_1234abcd_S3cr3tS3cr3tS3cr3t-_x"
    assert key not in redact(f"/v1/documents?api_key={key}&status=queued")
    assert "status=queued" in redact(f"/v1/documents?api_key={key}&status=queued")
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/v1/documents?x={key}", "1.1", 401),
        None,
    )
    RedactKeysFilter().filter(record)
    assert key not in record.getMessage()


def test_errors_are_json_whatever_accept_says(api: Api) -> None:
    headers = {"accept": "text/html,application/json;q=0.9"}
    missing = api.client.get(f"/v1/documents/{uuid.uuid4()}", headers=headers)
    assert missing.headers["content-type"] == "application/json"
    assert missing.json()["code"] == "not_found"
    wrong_method = api.client.put("/v1/documents", headers=headers)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
    invalid = api.client.get("/v1/documents", params={"limit": "lots"})
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "validation_error"
    assert "message" in invalid.json()


def test_rate_limit_answers_429_with_retry_after(
    tmp_path: Any,
    database_url: str,
    live_server: Callable[[Any], LiveServer],
) -> None:
    from tests.conftest import make_container, make_settings

    container: Container = make_container(
        make_settings(tmp_path / "data", database_url, api={"requests_per_minute": 3})
    )
    server = live_server(create_app(container, FakeQueue(container)))
    busy, calm = new_tenant(container), new_tenant(container)
    codes = [
        httpx.get(f"{server.url}/v1/documents", headers=busy.headers).status_code for _ in range(4)
    ]
    assert codes[:3] == [200, 200, 200]
    limited = httpx.get(f"{server.url}/v1/documents", headers=busy.headers)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["code"] == "rate_limited"
    assert httpx.get(f"{server.url}/v1/documents", headers=calm.headers).status_code == 200
    container.engine.dispose()


def test_unexpected_errors_are_a_generic_json_500(api: Api, monkeypatch: Any) -> None:
    from service.api import reading

    def explode(*_args: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(reading, "list_page", explode)
    response = api.client.get("/v1/documents")
    assert response.status_code == 500
    assert response.json() == {
        "code": "internal_error",
        "message": "internal error; the request was not completed",
    }
