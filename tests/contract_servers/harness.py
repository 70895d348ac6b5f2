"""Helpers the delivery tests and the soak share: seeded documents, connector settings that
point at the contract servers, an in-process dispatcher loop and counts from the servers.

The loop runs the real `outbox.dispatch` / `outbox.push` functions (claims in the database,
real HTTP adapters) on a thread pool. Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from models import Envelope, Invoice, LineItem, Vendor
from service.alerts import AlertSink
from service.bootstrap import Container
from service.db.documents import NewDocument, create_or_get_document, store_extraction
from service.db.session import unit_of_work
from service.db.tables import OutboxRecord, OutboxState
from service.outbox import dispatcher
from service.outbox.approval import Approval, approve
from service.outbox.configs import put_config, secret_box
from service.outbox.registry import ConnectorFactory
from service.outbox.repository import ClaimedRow
from tests.contract_servers.base import OAuthConfig
from tests.contract_servers.xero import TENANT_ID

OAUTH = OAuthConfig()


def quickbooks_settings(url: str, refresh_token: str = "initial-refresh-token") -> dict[str, Any]:
    """QuickBooks connector settings pointing at a contract server."""
    return {
        "base_url": url,
        "token_url": f"{url}/oauth2/v1/tokens/bearer",
        "realm_id": "9130",
        "expense_account_id": "7",
        "client_id": OAUTH.client_id,
        "client_secret": OAUTH.client_secret,
        "refresh_token": refresh_token,
    }


def xero_settings(url: str, refresh_token: str = "initial-refresh-token") -> dict[str, Any]:
    """Xero connector settings pointing at a contract server."""
    return {
        "base_url": url,
        "token_url": f"{url}/connect/token",
        "xero_tenant_id": TENANT_ID,
        "account_code": "400",
        "client_id": OAUTH.client_id,
        "client_secret": OAUTH.client_secret,
        "refresh_token": refresh_token,
    }


def procore_settings(url: str, project_id: str = "77") -> dict[str, Any]:
    """Procore connector settings pointing at a contract server."""
    return {
        "base_url": url,
        "token_url": f"{url}/oauth/token",
        "company_id": "4268",
        "project_id": project_id,
        "client_id": OAUTH.client_id,
        "client_secret": OAUTH.client_secret,
        "refresh_token": "initial-refresh-token",
    }


def fast(container: Container, **overrides: float) -> Container:
    """The container with an outbox that retries almost at once (tests only)."""
    values = {"backoff_base_s": 0.01, "backoff_max_s": 0.05, "http_timeout_s": 1.0, **overrides}
    connectors = container.settings.connectors.model_copy(update=values)
    settings = container.settings.model_copy(update={"connectors": connectors})
    return Container(settings, container.engine, container.sessions, container.blobs)


def configure(
    container: Container,
    tenant_id: uuid.UUID,
    name: str,
    settings: dict[str, Any],
    project_filter: str | None = None,
) -> None:
    """Enable one connector for the tenant."""
    with unit_of_work(container.sessions) as session:
        put_config(
            session,
            secret_box(container.settings),
            tenant_id,
            name,
            enabled=True,
            project_filter=project_filter,
            settings=settings,
        )


def invoice_envelope(
    vendor: str,
    number: str,
    total: str = "583.20",
    invoice_date: date = date(2026, 3, 14),
    project: str | None = None,
    content: bytes = b"",
) -> Envelope:
    """A finished invoice envelope that needs no review."""
    amount = Decimal(total)
    invoice = Invoice(
        vendor=Vendor(name=vendor),
        invoice_number=number,
        invoice_date=invoice_date,
        due_date=date(2026, 4, 13),
        currency="USD",
        total=amount,
        amount_due=amount,
        subtotal=amount,
        project={"name": project} if project else {},
        line_items=[
            LineItem(
                description="Drywall 5/8 type X",
                quantity=Decimal(1),
                unit_price=amount,
                amount=amount,
                cost_code="09-2900",
            )
        ],
    )
    return Envelope(
        source=f"{number}.pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        media_type="application/pdf",
        page_count=1,
        document_type="invoice",
        invoice=invoice,
        field_confidence={},
        needs_review=False,
        warnings=[],
    )


def fake_pdf(label: str) -> bytes:
    """Small, distinct bytes that start like a PDF."""
    return f"%PDF-1.4\n% docproc test {label}\n%%EOF\n".encode()


def seed_document(
    container: Container,
    tenant_id: uuid.UUID,
    envelope: Envelope,
    content: bytes,
    filename: str = "invoice.pdf",
) -> uuid.UUID:
    """A document with stored bytes and an extracted result (as the worker leaves it)."""
    sha256 = hashlib.sha256(content).hexdigest()
    with tempfile.NamedTemporaryFile(delete=False) as handle:
        handle.write(content)
    container.blobs.put_file(Path(handle.name), sha256)
    Path(handle.name).unlink(missing_ok=True)
    with unit_of_work(container.sessions) as session:
        new = NewDocument(
            tenant_id=tenant_id,
            sha256=sha256,
            size=len(content),
            media_type="application/pdf",
            filename=filename,
        )
        document, _ = create_or_get_document(session, new)
        document.status = "processing"
        store_extraction(session, document, envelope.model_copy(update={"sha256": sha256}))
        return document.id


def approve_document(container: Container, document_id: uuid.UUID) -> Approval:
    """A person's approval, committed with its outbox rows."""
    from service.db.documents import get_document_by_id

    with unit_of_work(container.sessions) as session:
        document = get_document_by_id(session, document_id)
        assert document is not None
        return approve(session, document, "tester", container.settings)


def outbox_counts(container: Container, tenant_id: uuid.UUID | None = None) -> Counter[str]:
    """Rows per state (of one tenant, if given)."""
    with container.sessions() as session:
        query = select(OutboxRecord.state, func.count()).group_by(OutboxRecord.state)
        if tenant_id is not None:
            query = query.where(OutboxRecord.tenant_id == tenant_id)
        return Counter({str(state): int(n) for state, n in session.execute(query)})


def drain(
    container: Container,
    connectors: ConnectorFactory,
    alerts: AlertSink,
    *,
    timeout_s: float = 60.0,
    workers: int = 8,
    tick: Callable[[Counter[str]], None] | None = None,
    tenant_id: uuid.UUID | None = None,
) -> Counter[str]:
    """Dispatch and push until no row is pending (or the time is up); rows per state.

    Pushes run on `workers` threads; whenever some finish, due rows are claimed for the free
    ones, so one slow push never holds the others up."""
    deadline = time.monotonic() + timeout_s
    running: set[Future[str]] = set()
    with ThreadPoolExecutor(workers) as pool:

        def send(claim: ClaimedRow) -> None:
            running.add(pool.submit(dispatcher.push_one, container, claim, connectors, alerts))

        while True:
            free = workers - len(running)
            if free > 0:
                dispatcher.dispatch(container, send, tenant_id=tenant_id, limit=free)
            finished, _ = wait(running, timeout=0.05, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()
            running -= finished
            counts = outbox_counts(container, tenant_id)
            if tick is not None:
                tick(counts)
            if (not running and counts[OutboxState.PENDING] == 0) or time.monotonic() > deadline:
                for future in running:
                    future.result()
                return outbox_counts(container, tenant_id)
            if not running:
                time.sleep(0.02)


def server_records(url: str) -> dict[str, Any]:
    """A contract server's own records."""
    response = httpx.get(f"{url}/_control/records", timeout=10)
    response.raise_for_status()
    records: dict[str, Any] = response.json()
    return records


def bill_counts(records: dict[str, Any]) -> Counter[tuple[str, str]]:
    """How many bills exist per (vendor, invoice number)."""
    return Counter((str(b["vendor"]), str(b["number"])) for b in records["bills"])
