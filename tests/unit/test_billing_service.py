"""The missing-waivers report: pay applications stored for a tenant that no stored lien waiver
covers, through the service function and `GET /v1/pay-applications/missing-waivers` (SQLite)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from extractors.limits import Limits
from extractors.pipeline import run_pipeline
from fixtures.billing import generate_lien_waiver, generate_pay_application
from fixtures.generator import GeneratedDocument
from service.api.app import create_app
from service.api.routers.billing import pay_apps_missing_waivers
from service.bootstrap import Container
from service.db.documents import NewDocument, create_or_get_document, store_extraction
from service.db.session import unit_of_work
from tests.conftest import FakeQueue, TenantKey, make_container, make_settings, new_tenant


@pytest.fixture
def sqlite_container(tmp_path: Path) -> Iterator[Container]:
    """A container on a fresh SQLite file."""
    url = f"sqlite:///{tmp_path / 'billing.sqlite3'}"
    built = make_container(make_settings(tmp_path / "data", url))
    yield built
    built.engine.dispose()


def _store(container: Container, tenant: TenantKey, doc: GeneratedDocument) -> None:
    envelope = run_pipeline(doc.pdf, doc.name, Limits())
    new = NewDocument(tenant.tenant_id, hashlib.sha256(doc.pdf).hexdigest(), len(doc.pdf),
                      "application/pdf", filename=f"{doc.name}.pdf")  # fmt: skip
    with unit_of_work(container.sessions) as session:
        document, _ = create_or_get_document(session, new)
        store_extraction(session, document, envelope)


def test_pay_applications_without_a_waiver_are_listed(sqlite_container: Container) -> None:
    tenant = new_tenant(sqlite_container)
    covered = generate_pay_application("aia_g702", 21)
    uncovered = generate_pay_application("excel_payapp", 22)
    for doc in (covered, uncovered, generate_lien_waiver("generic_waiver", 21, covers=covered)):
        _store(sqlite_container, tenant, doc)
    missing = pay_apps_missing_waivers(sqlite_container, tenant.tenant_id)
    assert [row.filename for row in missing] == [f"{uncovered.name}.pdf"]
    client = TestClient(create_app(sqlite_container, FakeQueue(sqlite_container)))
    response = client.get("/v1/pay-applications/missing-waivers", headers=tenant.headers)
    assert response.status_code == 200, response.text
    rows = response.json()["pay_applications"]
    assert [row["filename"] for row in rows] == [f"{uncovered.name}.pdf"]
    assert rows[0]["application_number"] == uncovered.truth.invoice.invoice_number  # type: ignore[union-attr]
