"""Duplicate invoices: a different scan of the same invoice (same vendor + number) is flagged
at extraction with a link to the original and never exported; same vendor + total within the
date window is flagged too, outside it not."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from service.alerts import MemoryAlertSink
from service.bootstrap import Container
from service.db.tables import OutboxRecord
from service.outbox.registry import RealConnectors
from service.worker import jobs
from tests.conftest import sample
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
)
from tests.contract_servers.quickbooks import QuickBooksApi
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration


@pytest.fixture
def quickbooks() -> Iterator[ContractServer]:
    """A QuickBooks contract server in this process."""
    api = QuickBooksApi(Store(":memory:"), OAuthConfig())
    api.seed_refresh_token("initial-refresh-token")
    server = ContractServer(api).start()
    yield server
    server.stop()


def _upload_and_extract(api: Api, data: bytes, name: str) -> uuid.UUID:
    """Upload through the API and run the worker's real extraction job on it."""
    answer = api.upload(data, name)
    assert answer.status_code in (200, 202), answer.text
    doc_id = uuid.UUID(answer.json()["documents"][0]["id"])
    jobs.extract(api.container, doc_id, 1, "test-worker")
    return doc_id


def _outbox_rows(container: Container, document_id: uuid.UUID) -> int:
    with container.sessions() as session:
        return session.query(OutboxRecord).filter_by(document_id=document_id).count()


def test_a_rescan_of_an_exported_invoice_is_flagged_and_not_exported(
    api: Api, quickbooks: ContractServer
) -> None:
    """Same vendor + invoice number in a different file: duplicate_of, 409 on approve, 1 bill."""
    configure(
        api.container, api.tenant.tenant_id, "quickbooks", quickbooks_settings(quickbooks.url)
    )
    data, truth = sample()
    original = _upload_and_extract(api, data, "invoice.pdf")
    assert api.client.post(f"/v1/documents/{original}/approve").status_code == 200
    drain(
        api.container,
        RealConnectors(api.container),
        MemoryAlertSink(),
        tenant_id=api.tenant.tenant_id,
    )
    rescan = _upload_and_extract(api, data + b"\n% scanned again at the site office\n", "scan.pdf")
    assert rescan != original
    view = api.client.get(f"/v1/documents/{rescan}").json()
    assert view["duplicate_of"] == str(original)
    assert view["status"] == "needs_review"
    refused = api.client.post(f"/v1/documents/{rescan}/approve")
    assert refused.status_code == 409 and refused.json()["code"] == "duplicate"
    assert str(original) in refused.json()["message"]
    assert _outbox_rows(api.container, rescan) == 0
    drain(
        api.container,
        RealConnectors(api.container),
        MemoryAlertSink(),
        tenant_id=api.tenant.tenant_id,
    )
    vendor, number = truth["invoice"]["vendor"]["name"], truth["invoice"]["invoice_number"]
    counts = bill_counts(server_records(quickbooks.url))
    assert sum(counts.values()) == 1
    assert next(iter(counts))[1] == number and vendor
    assert api.client.get(f"/v1/documents/{original}").json()["duplicate_of"] is None


def test_same_vendor_and_total_within_the_window_is_a_duplicate(
    container: Container, api: Api
) -> None:
    """Another number but the same vendor and total 3 days apart: flagged; 30 days: not."""
    tenant = api.tenant.tenant_id
    first = seed_document(
        container, tenant, invoice_envelope("Ridge Electric", "A-1"), fake_pdf("a1")
    )
    near = seed_document(
        container,
        tenant,
        invoice_envelope("RIDGE ELECTRIC, LLC", "A-2", invoice_date=date(2026, 3, 17)),
        fake_pdf("a2"),
    )
    far = seed_document(
        container,
        tenant,
        invoice_envelope("Ridge Electric", "A-3", invoice_date=date(2026, 4, 20)),
        fake_pdf("a3"),
    )
    assert approve_document(container, first).duplicate_of is None
    assert approve_document(container, near).duplicate_of == first
    assert approve_document(container, far).duplicate_of is None
    assert api.client.get(f"/v1/documents/{near}").json()["duplicate_of"] == str(first)


def test_a_corrected_vendor_name_is_learned_for_the_next_invoice(
    api: Api, quickbooks: ContractServer
) -> None:
    """A person corrects "S.D. Interiors" to "Summit Drywall LLC" and approves; the next
    invoice read as "S.D. Interiors" lands on the same QuickBooks vendor."""
    container, tenant = api.container, api.tenant.tenant_id
    configure(container, tenant, "quickbooks", quickbooks_settings(quickbooks.url))
    first = seed_document(
        container, tenant, invoice_envelope("S.D. Interiors", "L-1"), fake_pdf("l1")
    )
    patch = {"invoice": {"vendor": {"name": "Summit Drywall LLC"}}}
    assert api.client.patch(f"/v1/documents/{first}/result", json=patch).status_code == 200
    assert api.client.post(f"/v1/documents/{first}/approve").status_code == 200
    second = seed_document(
        container, tenant, invoice_envelope("S.D. Interiors", "L-2", total="12.00"), fake_pdf("l2")
    )
    assert api.client.post(f"/v1/documents/{second}/approve").status_code == 200
    drain(container, RealConnectors(container), MemoryAlertSink(), tenant_id=tenant)
    records = server_records(quickbooks.url)
    assert records["vendors"] == ["Summit Drywall LLC"]
    assert {bill["vendor"] for bill in records["bills"]} == {"Summit Drywall LLC"}
