"""Fixtures of the API integration tests: the app on a live 127.0.0.1 server over the test
database, with a fake queue that runs the real pipeline when the test says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from service.api import create_app
from service.bootstrap import Container
from tests.conftest import FakeQueue, LiveServer, TenantKey, new_tenant


@dataclass
class Api:
    """One running API: its container, its fake queue, its URL and a client for a tenant."""

    container: Container
    queue: FakeQueue
    url: str
    tenant: TenantKey
    client: httpx.Client

    def as_tenant(self, tenant: TenantKey) -> httpx.Client:
        """A client for another tenant (closed by the caller)."""
        return httpx.Client(base_url=self.url, headers=tenant.headers, timeout=60)

    def upload(self, data: bytes, name: str = "invoice.pdf", **kwargs: Any) -> httpx.Response:
        """POST one file as the multipart field `file`."""
        files = {"file": (name, data, "application/pdf")}
        return self.client.post("/v1/documents", files=files, **kwargs)


@pytest.fixture
def api(
    container: Container,
    fake_queue: FakeQueue,
    tenant: TenantKey,
    live_server: Callable[[Any], LiveServer],
) -> Iterator[Api]:
    """The API on a live server; the client authenticates as `tenant`."""
    server = live_server(create_app(container, fake_queue))
    with httpx.Client(base_url=server.url, headers=tenant.headers, timeout=60) as client:
        yield Api(container, fake_queue, server.url, tenant, client)


@pytest.fixture
def other_tenant(container: Container) -> TenantKey:
    """A second tenant, for isolation tests."""
    return new_tenant(container)
