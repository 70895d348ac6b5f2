"""Procore against its contract server: a drawing set becomes one drawing upload with each
sheet's number, title and revision; a subcontractor invoice one requisition on the vendor's
commitment (also after a lost response); no commitment sends the document to review."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models import DrawingSet, Envelope, Sheet
from service.alerts import MemoryAlertSink
from service.bootstrap import Container
from service.db.tables import DocumentRecord, DocumentStatus, OutboxState
from service.outbox.registry import RealConnectors
from tests.conftest import TenantKey
from tests.contract_servers.base import ContractServer, OAuthConfig, Store
from tests.contract_servers.harness import (
    approve_document,
    configure,
    drain,
    fake_pdf,
    fast,
    invoice_envelope,
    procore_settings,
    seed_document,
    server_records,
)
from tests.contract_servers.procore import ProcoreApi

pytestmark = pytest.mark.integration


@pytest.fixture
def procore() -> Iterator[ContractServer]:
    """A Procore contract server with one commitment (Summit Drywall on project 77)."""
    api = ProcoreApi(Store(":memory:"), OAuthConfig())
    api.seed_refresh_token("initial-refresh-token")
    api.seed_commitment("77", "5", "Summit Drywall")
    server = ContractServer(api).start()
    yield server
    server.stop()


def _drawings(content: bytes) -> Envelope:
    sheets = [
        Sheet(page=1, sheet_number="A-101", sheet_title="FIRST FLOOR PLAN", revision="3"),
        Sheet(page=2, sheet_number="S-201", sheet_title="FRAMING PLAN", revision="1"),
    ]
    import hashlib

    return Envelope(
        source="set.pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        media_type="application/pdf",
        page_count=2,
        document_type="drawing_set",
        drawing_set=DrawingSet(sheets=sheets),
        needs_review=False,
    )


def test_a_drawing_set_is_uploaded_once_with_its_sheets(
    container: Container, tenant: TenantKey, procore: ContractServer
) -> None:
    """Lost response on the upload: the retry finds it by origin_id; one upload, two sheets."""
    container = fast(container)
    configure(container, tenant.tenant_id, "procore", procore_settings(procore.url))
    procore.script(("POST /drawing_uploads", "lost"))
    content = fake_pdf("drawings")
    doc = seed_document(container, tenant.tenant_id, _drawings(content), content, "set.pdf")
    approve_document(container, doc)
    drain(container, RealConnectors(container), MemoryAlertSink(), tenant_id=tenant.tenant_id)
    (upload,) = server_records(procore.url)["drawing_uploads"]
    assert [(d["number"], d["title"], d["revision"]) for d in upload["drawings"]] == [
        ("A-101", "FIRST FLOOR PLAN", "3"),
        ("S-201", "FRAMING PLAN", "1"),
    ]


def test_an_invoice_becomes_one_requisition_on_the_vendors_commitment(
    container: Container, tenant: TenantKey, procore: ContractServer
) -> None:
    """Vendor matched to the commitment (LLC dropped); a lost response does not duplicate it."""
    container = fast(container)
    configure(container, tenant.tenant_id, "procore", procore_settings(procore.url))
    procore.script(("POST /rest/v1.0/requisitions", "lost"))
    doc = seed_document(
        container, tenant.tenant_id, invoice_envelope("Summit Drywall LLC", "PA-7"), fake_pdf("pa")
    )
    approve_document(container, doc)
    counts = drain(
        container, RealConnectors(container), MemoryAlertSink(), tenant_id=tenant.tenant_id
    )
    assert counts[OutboxState.DELIVERED] == 1
    (requisition,) = server_records(procore.url)["requisitions"]
    assert requisition["invoice_number"] == "PA-7" and requisition["commitment_id"] == 5


def test_no_commitment_for_the_vendor_sends_the_document_to_review(
    container: Container, tenant: TenantKey, procore: ContractServer
) -> None:
    """A vendor without a commitment on the project: permanent failure, a person assigns it."""
    container = fast(container)
    configure(container, tenant.tenant_id, "procore", procore_settings(procore.url))
    doc = seed_document(
        container, tenant.tenant_id, invoice_envelope("Unknown Painters", "X-1"), fake_pdf("x")
    )
    approve_document(container, doc)
    counts = drain(
        container, RealConnectors(container), MemoryAlertSink(), tenant_id=tenant.tenant_id
    )
    assert counts[OutboxState.FAILED] == 1
    with container.sessions() as session:
        document = session.get(DocumentRecord, doc)
        assert document is not None and document.status == DocumentStatus.NEEDS_REVIEW
        assert "no commitment" in (document.error_message or "")
    assert server_records(procore.url)["requisitions"] == []
