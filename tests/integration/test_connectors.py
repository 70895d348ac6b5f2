"""QuickBooks and Xero adapters against their contract servers, through the real outbox:
a bill created once with its PDF, idempotent retries after 500, 429 and lost responses,
validation errors as permanent failures, token refresh on 401."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from service.alerts import MemoryAlertSink
from service.bootstrap import Container
from service.db.session import unit_of_work
from service.db.tables import DocumentRecord, DocumentStatus, OutboxRecord, OutboxState
from service.outbox.registry import RealConnectors
from tests.conftest import TenantKey
from tests.contract_servers.base import ContractServer, OAuthConfig, Store
from tests.contract_servers.harness import (
    approve_document,
    bill_counts,
    configure,
    drain,
    fake_pdf,
    invoice_envelope,
    quickbooks_settings,
    seed_document,
    server_records,
    xero_settings,
)
from tests.contract_servers.quickbooks import QuickBooksApi
from tests.contract_servers.xero import XeroApi

pytestmark = pytest.mark.integration

SYSTEMS = {
    "quickbooks": (QuickBooksApi, quickbooks_settings, "/bill"),
    "xero": (XeroApi, xero_settings, "/Invoices"),
}


@pytest.fixture(params=sorted(SYSTEMS))
def system(
    request: pytest.FixtureRequest, tmp_path: object
) -> Iterator[tuple[str, ContractServer]]:
    """A contract server (QuickBooks or Xero) in this process, with a seeded refresh token."""
    name = str(request.param)
    api_class = SYSTEMS[name][0]
    api = api_class(Store(":memory:"), OAuthConfig())
    api.seed_refresh_token("initial-refresh-token")
    server = ContractServer(api).start()
    yield name, server
    server.stop()


def _fast(container: Container) -> Container:
    """The container with an outbox that retries at once (backoff 0.01 s)."""
    connectors = container.settings.connectors.model_copy(
        update={"backoff_base_s": 0.01, "backoff_max_s": 0.05, "http_timeout_s": 1.0}
    )
    settings = container.settings.model_copy(update={"connectors": connectors})
    return Container(settings, container.engine, container.sessions, container.blobs)


def _state(container: Container, document_id: object) -> tuple[str, list[str]]:
    with container.sessions() as session:
        document = session.get(DocumentRecord, document_id)
        assert document is not None
        rows = session.query(OutboxRecord).filter_by(document_id=document_id).all()
        return document.status, [row.state for row in rows]


def test_approved_invoice_becomes_one_bill_with_its_pdf(
    container: Container, tenant: TenantKey, system: tuple[str, ContractServer]
) -> None:
    """Approve → one bill (vendor, number) with the PDF attached; the document is exported."""
    name, server = system
    container = _fast(container)
    configure(container, tenant.tenant_id, name, SYSTEMS[name][1](server.url))
    content = fake_pdf("one")
    doc = seed_document(
        container, tenant.tenant_id, invoice_envelope("Summit Drywall LLC", "INV-1"), content
    )
    assert approve_document(container, doc).connectors == [name]
    counts = drain(
        container,
        RealConnectors(container),
        MemoryAlertSink(),
        tenant_id=tenant.tenant_id,
        timeout_s=30,
    )
    assert counts[OutboxState.DELIVERED] == 1
    records = server_records(server.url)
    assert bill_counts(records) == {("Summit Drywall LLC", "INV-1"): 1}
    assert len(records["attachments"]) == 1
    assert _state(container, doc) == (DocumentStatus.EXPORTED, [OutboxState.DELIVERED])


@pytest.mark.parametrize("fault", ["500", "429", "timeout", "lost"])
def test_a_failed_create_is_retried_without_a_second_bill(
    container: Container, tenant: TenantKey, system: tuple[str, ContractServer], fault: str
) -> None:
    """A 500, 429, timeout or lost response on create: retried, one bill in the end."""
    name, server = system
    container = _fast(container)
    server.faults.hang_s = 1.5
    configure(container, tenant.tenant_id, name, SYSTEMS[name][1](server.url))
    method = "POST" if name == "quickbooks" else "PUT"
    server.script((f"{method} {SYSTEMS[name][2]}", fault), (f"{method} {SYSTEMS[name][2]}", fault))
    doc = seed_document(
        container, tenant.tenant_id, invoice_envelope("Acme Supply", f"F-{fault}"), fake_pdf(fault)
    )
    approve_document(container, doc)
    counts = drain(
        container,
        RealConnectors(container),
        MemoryAlertSink(),
        tenant_id=tenant.tenant_id,
        timeout_s=60,
    )
    assert counts[OutboxState.DELIVERED] == 1
    assert bill_counts(server_records(server.url)) == {("Acme Supply", f"F-{fault}"): 1}


def test_retry_after_is_honoured(
    container: Container, tenant: TenantKey, system: tuple[str, ContractServer]
) -> None:
    """A 429 with Retry-After: 30 moves next_attempt_at at least 30 s ahead (F10)."""
    name, server = system
    server.faults.retry_after_s = 30
    configure(container, tenant.tenant_id, name, SYSTEMS[name][1](server.url))
    server.script(("GET /", "429"))
    doc = seed_document(
        container, tenant.tenant_id, invoice_envelope("Acme", "RA-1"), fake_pdf("ra")
    )
    approve_document(container, doc)
    before = time.time()
    drain(
        container,
        RealConnectors(container),
        MemoryAlertSink(),
        tenant_id=tenant.tenant_id,
        timeout_s=2,
    )
    with container.sessions() as session:
        row = session.query(OutboxRecord).filter_by(document_id=doc).one()
        assert row.state == OutboxState.PENDING
        assert row.next_attempt_at.timestamp() >= before + 30
    assert bill_counts(server_records(server.url)) == {}


def test_validation_error_is_permanent_and_sends_the_document_to_review(
    container: Container, tenant: TenantKey, system: tuple[str, ContractServer]
) -> None:
    """The system refuses the data: the row fails, the document needs review with its words."""
    name, server = system
    settings = SYSTEMS[name][1](server.url)
    settings["expense_account_id" if name == "quickbooks" else "account_code"] = "999"
    configure(container, tenant.tenant_id, name, settings)
    doc = seed_document(container, tenant.tenant_id, invoice_envelope("Acme", "V-1"), fake_pdf("v"))
    approve_document(container, doc)
    counts = drain(
        container,
        RealConnectors(container),
        MemoryAlertSink(),
        tenant_id=tenant.tenant_id,
        timeout_s=20,
    )
    assert counts[OutboxState.FAILED] == 1
    with container.sessions() as session:
        document = session.get(DocumentRecord, doc)
        assert document is not None
        assert document.status == DocumentStatus.NEEDS_REVIEW
        assert document.error_message and name in document.error_message
        assert ("Invalid Reference Id" if name == "quickbooks" else "Account code") in (
            document.error_message
        )


def test_expired_access_token_is_refreshed_and_the_rotated_token_stored(
    container: Container, tenant: TenantKey, system: tuple[str, ContractServer]
) -> None:
    """A 401 refreshes once; the new refresh token is stored sealed, the old one not kept."""
    name, server = system
    container = _fast(container)
    configure(container, tenant.tenant_id, name, SYSTEMS[name][1](server.url))
    first = seed_document(
        container, tenant.tenant_id, invoice_envelope("Acme", "T-1"), fake_pdf("t1")
    )
    approve_document(container, first)
    drain(
        container,
        RealConnectors(container),
        MemoryAlertSink(),
        tenant_id=tenant.tenant_id,
        timeout_s=20,
    )
    server.api.store.expire_access_tokens()
    second = seed_document(
        container, tenant.tenant_id, invoice_envelope("Acme", "T-2", total="77.10"), fake_pdf("t2")
    )
    approve_document(container, second)
    counts = drain(
        container,
        RealConnectors(container),
        MemoryAlertSink(),
        tenant_id=tenant.tenant_id,
        timeout_s=20,
    )
    assert counts[OutboxState.DELIVERED] == 2
    with unit_of_work(container.sessions) as session:
        from service.outbox.configs import get_config

        config = get_config(session, tenant.tenant_id, name)
        assert config is not None
        assert str(config.settings["refresh_token"]).startswith("enc:v1:")
        assert "initial-refresh-token" not in str(config.settings)


def test_vendor_names_match_fuzzily_and_by_a_learned_alias(
    container: Container, tenant: TenantKey
) -> None:
    """A misspelt name finds the existing QuickBooks vendor; a taught alias maps an unrelated
    one; only a truly new name creates a vendor."""
    api = QuickBooksApi(Store(":memory:"), OAuthConfig())
    api.seed_refresh_token("initial-refresh-token")
    api.store.put("Vendor", "501", {"Id": "501", "DisplayName": "Acme Supply Company"})
    api.store.put("Vendor", "502", {"Id": "502", "DisplayName": "Bluewater Glazing"})
    server = ContractServer(api).start()
    try:
        configure(container, tenant.tenant_id, "quickbooks", quickbooks_settings(server.url))
        with unit_of_work(container.sessions) as session:
            from service.outbox.configs import AliasInput, learn_alias

            learn_alias(
                session,
                tenant.tenant_id,
                "quickbooks",
                AliasInput("vendor", "BWG Facades", "Bluewater Glazing", "502"),
            )
        for number, vendor in (
            ("M-1", "ACME SUPLY CO."),
            ("M-2", "BWG Facades, LLC"),
            ("M-3", "Granite Masonry"),
        ):
            doc = seed_document(
                container,
                tenant.tenant_id,
                invoice_envelope(vendor, number, total=f"1{number[-1]}.00"),
                fake_pdf(number),
            )
            approve_document(container, doc)
        drain(container, RealConnectors(container), MemoryAlertSink(), tenant_id=tenant.tenant_id)
        records = server_records(server.url)
        by_number = {bill["number"]: bill["vendor"] for bill in records["bills"]}
        assert by_number == {
            "M-1": "Acme Supply Company",
            "M-2": "Bluewater Glazing",
            "M-3": "Granite Masonry",
        }
        assert sorted(records["vendors"]) == [
            "Acme Supply Company",
            "Bluewater Glazing",
            "Granite Masonry",
        ]
    finally:
        server.stop()


def test_the_worker_knows_the_outbox_tasks_and_beat_runs_dispatch() -> None:
    """`outbox.dispatch` on beat, both tasks on the push queue, registered by the worker."""
    from service.config import Settings
    from service.worker.app import QUEUE_CALLBACKS, ROUTES, make_celery

    celery = make_celery(Settings())
    import service.outbox.tasks  # noqa: F401  (what `include` loads in a worker)

    assert ROUTES["outbox.dispatch"] == ROUTES["outbox.push"] == QUEUE_CALLBACKS
    schedule = celery.conf.beat_schedule["dispatch-outbox"]
    assert schedule["task"] == "outbox.dispatch"
    assert "service.outbox.tasks" in celery.conf.include
