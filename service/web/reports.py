"""Reports: spend by project, vendor and cost code over a period; invoices waiting for review
or export and their age; processing health (throughput, failure rate, last success per
source). Tables, CSV, and bar charts as plain SVG geometry the template draws.

Spend counts the newest result of each invoice-like document uploaded in the period.
Must not touch rows.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.tables import (
    DocumentRecord,
    DocumentStatus,
    OutboxRecord,
    OutboxState,
    utcnow,
)
from service.web.queries import latest_results

INVOICE_TYPES = ("invoice", "pay_application")
_SUCCESS = (DocumentStatus.EXTRACTED, DocumentStatus.NEEDS_REVIEW, DocumentStatus.EXPORTED)


@dataclass(frozen=True, slots=True)
class Period:
    """A report's dates, both inclusive."""

    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end + 1 day) as UTC timestamps."""
        return (
            datetime.combine(self.start, time(), UTC),
            datetime.combine(self.end + timedelta(days=1), time(), UTC),
        )


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: label, value and its length as a fraction of the longest."""

    label: str
    value: Decimal
    fraction: float


@dataclass(frozen=True, slots=True)
class Spend:
    """Spend in the period, grouped three ways, largest first."""

    by_project: list[Bar]
    by_vendor: list[Bar]
    by_cost_code: list[Bar]
    invoices: int


@dataclass(frozen=True, slots=True)
class Waiting:
    """One invoice waiting for a person or for export."""

    document_id: uuid.UUID
    filename: str
    vendor: str
    stage: str
    since: datetime


@dataclass(frozen=True, slots=True)
class Health:
    """Processing health over the period."""

    received: int
    succeeded: int
    failed: int
    per_day: list[Bar]
    last_success: list[tuple[str, datetime]]

    @property
    def failure_rate(self) -> float:
        """Failed documents as a share of finished ones."""
        done = self.succeeded + self.failed
        return self.failed / done if done else 0.0


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def bars(totals: dict[str, Decimal], limit: int = 12) -> list[Bar]:
    """Totals in, the largest `limit` as bars (fractions of the largest) out."""
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    top = max((value for _, value in ranked), default=Decimal(0))
    return [Bar(label, value, float(value / top) if top > 0 else 0.0) for label, value in ranked]


def spend(session: Session, tenant_id: uuid.UUID, period: Period) -> Spend:
    """Invoice totals in the period by project, vendor and line-item cost code."""
    start, end = period.bounds
    query = select(DocumentRecord).where(
        DocumentRecord.tenant_id == tenant_id,
        DocumentRecord.document_type.in_(INVOICE_TYPES),
        DocumentRecord.created_at >= start,
        DocumentRecord.created_at < end,
    )
    documents = list(session.scalars(query))
    results = latest_results(session, [d.id for d in documents])
    groups: dict[str, dict[str, Decimal]] = {k: defaultdict(Decimal) for k in ("p", "v", "c")}
    for result in results.values():
        invoice = result.envelope.get("invoice") or {}
        total = _decimal(invoice.get("total") or invoice.get("subtotal"))
        project = (invoice.get("project") or {}).get("name") or "No project"
        groups["p"][project] += total
        groups["v"][(invoice.get("vendor") or {}).get("name") or "Unknown vendor"] += total
        for line in invoice.get("line_items") or []:
            groups["c"][line.get("cost_code") or "No cost code"] += _decimal(line.get("amount"))
    return Spend(bars(groups["p"]), bars(groups["v"]), bars(groups["c"]), len(results))


def _stage(document: DocumentRecord, latest: str | None, undelivered: set[uuid.UUID]) -> str | None:
    """What an invoice waits for: a person's review or approval, or its export; None if nothing."""
    if document.status == DocumentStatus.NEEDS_REVIEW:
        return "review"
    if latest != "approved":
        return "approval"
    return "export" if document.id in undelivered else None


def waiting(session: Session, tenant_id: uuid.UUID) -> list[Waiting]:
    """Invoices waiting for review, approval or export, oldest first."""
    query = select(DocumentRecord).where(
        DocumentRecord.tenant_id == tenant_id,
        DocumentRecord.status.in_([DocumentStatus.NEEDS_REVIEW, DocumentStatus.EXTRACTED]),
        DocumentRecord.document_type.in_(INVOICE_TYPES),
    )
    documents = list(session.scalars(query))
    ids = [d.id for d in documents]
    latest = {k: v.kind for k, v in latest_results(session, ids).items()}
    pending = select(OutboxRecord.document_id).where(
        OutboxRecord.document_id.in_(ids), OutboxRecord.state != OutboxState.DELIVERED
    )
    undelivered = set(session.scalars(pending)) if ids else set()
    rows = []
    for d in documents:
        stage = _stage(d, latest.get(d.id), undelivered)
        if stage is not None:
            rows.append(
                Waiting(
                    d.id,
                    d.filename or str(d.id),
                    d.vendor_name or "—",
                    stage,
                    d.finished_at or d.created_at,
                )
            )
    return sorted(rows, key=lambda w: w.since)


def health(session: Session, tenant_id: uuid.UUID, period: Period) -> Health:
    """Throughput per day, failure rate and the last success per source in the period."""
    start, end = period.bounds
    mine = (
        DocumentRecord.tenant_id == tenant_id,
        DocumentRecord.created_at >= start,
        DocumentRecord.created_at < end,
    )
    counts = dict(
        session.execute(
            select(DocumentRecord.status, func.count()).where(*mine).group_by(DocumentRecord.status)
        )
        .tuples()
        .all()
    )
    day = func.date(DocumentRecord.created_at)
    per_day = {
        str(d): Decimal(n)
        for d, n in session.execute(select(day, func.count()).where(*mine).group_by(day)).tuples()
    }
    last = session.execute(
        select(DocumentRecord.source, func.max(DocumentRecord.finished_at))
        .where(DocumentRecord.tenant_id == tenant_id, DocumentRecord.status.in_(_SUCCESS))
        .group_by(DocumentRecord.source)
    ).tuples()
    succeeded = sum(counts.get(s, 0) for s in _SUCCESS)
    return Health(
        received=sum(counts.values()),
        succeeded=succeeded,
        failed=counts.get(DocumentStatus.FAILED, 0),
        per_day=[Bar(label, value, 0.0) for label, value in sorted(per_day.items())],
        last_success=sorted((source, when) for source, when in last if when is not None),
    )


def day_bars(health_: Health) -> list[Bar]:
    """The per-day counts as bars scaled to the busiest day."""
    top = max((bar.value for bar in health_.per_day), default=Decimal(0))
    return [Bar(b.label, b.value, float(b.value / top) if top else 0.0) for b in health_.per_day]


def report_csv(report: Spend, queue: list[Waiting], now: datetime | None = None) -> str:
    """The spend groups and the waiting invoices as one CSV (section, key, value, age)."""
    now = now or utcnow()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("section", "name", "amount_or_stage", "age_hours"))
    for section, group in (
        ("project", report.by_project),
        ("vendor", report.by_vendor),
        ("cost_code", report.by_cost_code),
    ):
        for bar in group:
            writer.writerow((section, _safe(bar.label), f"{bar.value:.2f}", ""))
    for item in queue:
        hours = (now - item.since).total_seconds() / 3600
        writer.writerow(("waiting", _safe(item.filename), item.stage, f"{hours:.1f}"))
    return out.getvalue()


def _safe(cell: str) -> str:
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell
