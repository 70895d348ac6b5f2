"""Duplicates (F13, F14) and Idempotency-Key (F15): one row per file, one job per row."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import count_documents, sample
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration


def test_twenty_concurrent_uploads_of_one_file_make_one_row(api: Api) -> None:
    data, _ = sample()

    def upload(_: int) -> httpx.Response:
        with httpx.Client(base_url=api.url, headers=api.tenant.headers, timeout=60) as client:
            return client.post("/v1/documents", files={"file": ("a.pdf", data, "application/pdf")})

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(upload, range(20)))
    assert all(r.status_code in {200, 202} for r in responses), [r.text for r in responses]
    ids = {r.json()["documents"][0]["id"] for r in responses}
    assert len(ids) == 1
    assert sum(r.json()["documents"][0]["created"] for r in responses) == 1
    assert count_documents(api.container, api.tenant.tenant_id) == 1
    assert len(api.queue.jobs) == 1


def test_same_key_same_request_replays_the_first_answer(api: Api) -> None:
    data, _ = sample()
    headers = {"idempotency-key": "order-17"}
    first = api.upload(data, headers=headers)
    api.queue.run_pending()
    second = api.upload(data, headers=headers)
    assert first.status_code == second.status_code == 202
    assert second.json() == first.json()
    assert second.json()["documents"][0]["status"] == "queued"
    assert count_documents(api.container, api.tenant.tenant_id) == 1


def test_same_key_different_file_is_422(api: Api) -> None:
    headers = {"idempotency-key": "order-18"}
    assert api.upload(sample()[0], headers=headers).status_code == 202
    other = api.upload(sample("letterhead_right-000002")[0], headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert count_documents(api.container, api.tenant.tenant_id) == 1


def test_same_key_in_parallel_is_409(api: Api) -> None:
    data, _ = sample()
    headers = {"idempotency-key": "order-19"}
    first: list[httpx.Response] = []
    slow = threading.Thread(
        target=lambda: first.append(api.upload(data, headers=headers, params={"wait": 3}))
    )
    slow.start()
    deadline = time.monotonic() + 20
    while count_documents(api.container, api.tenant.tenant_id) == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with api.as_tenant(api.tenant) as client:
        second = client.post(
            "/v1/documents", files={"file": ("a.pdf", data, "application/pdf")}, headers=headers
        )
    slow.join()
    assert second.status_code == 409
    assert second.json()["code"] == "idempotency_in_progress"
    assert first[0].status_code == 202
    assert count_documents(api.container, api.tenant.tenant_id) == 1
    assert len(api.queue.jobs) == 1


def test_a_failed_request_releases_its_key(api: Api) -> None:
    headers = {"idempotency-key": "order-20"}
    bad = api.client.post(
        "/v1/documents",
        files={"file": ("a.pdf", sample()[0], "application/pdf")},
        data={"document_type": "spaceship"},
        headers=headers,
    )
    assert bad.status_code == 422
    good = api.upload(sample()[0], headers=headers)
    assert good.status_code == 202


def test_keys_are_per_tenant(api: Api, other_tenant: object) -> None:
    from tests.conftest import TenantKey

    assert isinstance(other_tenant, TenantKey)
    headers = {"idempotency-key": "shared-name"}
    assert api.upload(sample()[0], headers=headers).status_code == 202
    with api.as_tenant(other_tenant) as client:
        theirs = client.post(
            "/v1/documents",
            files={"file": ("b.pdf", sample("letterhead_right-000002")[0], "application/pdf")},
            headers=headers,
        )
    assert theirs.status_code == 202
