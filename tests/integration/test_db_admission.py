"""Admitting uploads in one statement (PostgreSQL) or the ORM way (SQLite): the row is QUEUED
with its `received` and `queued` events, the same bytes give the existing document, racing
uploads of the same bytes make one document; keys resolve on an autocommit connection; and
a pooled connection whose server side died is replaced before it is handed out."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, text

from service.bootstrap import Container
from service.db.documents import NewDocument, admit_documents
from service.db.session import atomic_connection, make_engine, unit_of_work
from service.db.tables import DocumentRecord, DocumentStatus, EventRecord
from service.db.tenants import resolve_key, revoke_key
from tests.conftest import TenantKey, new_tenant

pytestmark = pytest.mark.integration


def _upload(tenant: TenantKey, data: bytes, name: str = "a.pdf") -> NewDocument:
    return NewDocument(
        tenant_id=tenant.tenant_id, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        media_type="application/pdf", filename=name, source="n8n", external_id="mail-1",
        project_hint="24-017",
    )  # fmt: skip


def _admit(container: Container, *uploads: NewDocument) -> list[tuple[DocumentRecord, bool]]:
    single = len(uploads) == 1
    with atomic_connection(container.engine, single_statement=single) as connection:
        return admit_documents(connection, list(uploads))


def _events(container: Container, document_id: uuid.UUID) -> list[tuple[str, str | None, Any]]:
    with unit_of_work(container.sessions) as session:
        query = (
            select(EventRecord)
            .where(EventRecord.document_id == document_id)
            .order_by(EventRecord.id)
        )
        return [(e.kind, e.status, e.detail) for e in session.scalars(query)]


def _stored(container: Container, document_id: uuid.UUID) -> DocumentRecord:
    with unit_of_work(container.sessions) as session:
        found = session.get(DocumentRecord, document_id)
        assert found is not None
        return found


def test_a_new_upload_is_queued_with_its_events(container: Container, tenant: TenantKey) -> None:
    [(document, created)] = _admit(container, _upload(tenant, b"%PDF-1.7 new"))
    assert created
    assert document.status == DocumentStatus.QUEUED
    stored = _stored(container, document.id)
    for column in ("tenant_id", "sha256", "size", "media_type", "filename", "source",
                   "external_id", "project_hint", "status", "generation", "attempts"):  # fmt: skip
        assert getattr(stored, column) == getattr(document, column), column
    assert stored.queued_at is not None
    assert stored.created_at.tzinfo is not None
    assert _events(container, document.id) == [
        ("received", "received", {"filename": "a.pdf", "source": "n8n"}),
        ("queued", "queued", {"generation": 1}),
    ]


def test_the_same_bytes_give_the_existing_document(container: Container, tenant: TenantKey) -> None:
    [(first, _)] = _admit(container, _upload(tenant, b"%PDF-1.7 twice", "one.pdf"))
    [(again, created)] = _admit(container, _upload(tenant, b"%PDF-1.7 twice", "two.pdf"))
    assert not created
    assert again.id == first.id
    assert again.filename == "one.pdf"
    assert len(_events(container, first.id)) == 2
    other = new_tenant(container)
    [(theirs, created)] = _admit(container, _upload(other, b"%PDF-1.7 twice"))
    assert created
    assert theirs.id != first.id


def test_several_files_in_one_transaction_keep_their_order(
    container: Container, tenant: TenantKey
) -> None:
    uploads = [_upload(tenant, b"%PDF-1.7 x"), _upload(tenant, b"%PDF-1.7 y"),
               _upload(tenant, b"%PDF-1.7 x")]  # fmt: skip
    admitted = _admit(container, *uploads)
    assert [created for _, created in admitted] == [True, True, False]
    assert admitted[2][0].id == admitted[0][0].id
    assert [d.sha256 for d, _ in admitted] == [u.sha256 for u in uploads]


def test_racing_uploads_of_the_same_bytes_make_one_document(
    container: Container, tenant: TenantKey
) -> None:
    upload = _upload(tenant, b"%PDF-1.7 raced " + uuid.uuid4().bytes)
    results: list[tuple[DocumentRecord, bool]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def admit() -> None:
        try:
            start.wait()
            results.extend(_admit(container, upload))
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=admit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(created for _, created in results) == 1
    assert len({document.id for document, _ in results}) == 1
    with unit_of_work(container.sessions) as session:
        count = session.scalar(
            select(func.count())
            .select_from(DocumentRecord)
            .where(DocumentRecord.sha256 == upload.sha256)
        )
    assert count == 1


def test_keys_resolve_on_an_autocommit_connection(container: Container, tenant: TenantKey) -> None:
    with atomic_connection(container.engine, single_statement=True) as connection:
        caller = resolve_key(connection, tenant.key)
        assert resolve_key(connection, tenant.key[:-1] + "x") is None
    assert caller is not None
    assert caller.tenant_id == tenant.tenant_id
    with unit_of_work(container.sessions) as session:
        revoke_key(session, caller.key_id)
    with atomic_connection(container.engine, single_statement=True) as connection:
        assert resolve_key(connection, tenant.key) is None


def test_a_pooled_connection_whose_backend_died_is_replaced(pg_url: str) -> None:
    engine, other = make_engine(pg_url), make_engine(pg_url)
    try:
        with engine.connect() as connection:
            before = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with other.connect() as killer:
            killed = killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": before})
            assert killed.scalar_one() is True
        time.sleep(0.5)
        for _ in range(3):  # whichever pooled connection comes out: alive
            with engine.connect() as connection:
                after = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
                assert after != before
    finally:
        engine.dispose()
        other.dispose()
