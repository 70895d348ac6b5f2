"""The books of the LLM tier: one `llm_usage` row per use (requests, tokens, cost, outcome) and
the per-tenant daily budget (requests and/or money) they are summed against.

When a tenant's budget for the UTC day is spent the tier pauses for that tenant: the caller
sends the document to review and raises an alert. Concurrent workers may each pass the check
before either records, so a budget can be overrun by at most the number of workers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from extractors.llm_tier import LlmUsage
from service.config import LlmSettings
from service.db.tables import LlmUsageRecord


def today() -> date:
    """The UTC day a budget counts."""
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class UsageEntry:
    """One use of the tier for one document."""

    tenant_id: uuid.UUID | None
    document_sha256: str
    model: str
    prompt_version: str
    outcome: str  # answered, failed, cached, paused
    usage: LlmUsage


@dataclass(frozen=True, slots=True)
class Spent:
    """What a tenant spent on one day."""

    requests: int = 0
    cost: Decimal = Decimal(0)


class LlmBudget(Protocol):
    """Keeps the books and says when a tenant's day is spent."""

    def spent(self, tenant_id: uuid.UUID | None) -> Spent:
        """Today's requests and cost of a tenant."""
        ...

    def record(self, entry: UsageEntry) -> None:
        """Book one use."""
        ...


def exhausted(settings: LlmSettings, spent: Spent) -> str | None:
    """Why the day's budget is spent (for a person), or None while there is budget left."""
    if settings.daily_requests is not None and spent.requests >= settings.daily_requests:
        return f"the daily LLM budget of {settings.daily_requests} requests is spent"
    if settings.daily_cost is not None and spent.cost >= settings.daily_cost:
        return f"the daily LLM budget of {settings.daily_cost} is spent ({spent.cost})"
    return None


class DbLlmBudget:
    """Usage rows in `llm_usage`, summed per tenant and UTC day."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def spent(self, tenant_id: uuid.UUID | None) -> Spent:
        """Today's booked requests and cost of a tenant (None: the tenant-less CLI pool)."""
        who = (
            LlmUsageRecord.tenant_id.is_(None)
            if tenant_id is None
            else LlmUsageRecord.tenant_id == tenant_id
        )
        query = select(
            func.coalesce(func.sum(LlmUsageRecord.requests), 0),
            func.coalesce(func.sum(LlmUsageRecord.cost), 0),
        ).where(who, LlmUsageRecord.day == today())
        with self.sessions() as session:
            requests, cost = session.execute(query).one()
        return Spent(int(requests), Decimal(str(cost)))

    def record(self, entry: UsageEntry) -> None:
        """Book one use in its own transaction (it was paid for whatever happens next)."""
        usage = entry.usage
        row = LlmUsageRecord(
            tenant_id=entry.tenant_id, document_sha256=entry.document_sha256, day=today(),
            model=entry.model, prompt_version=entry.prompt_version, outcome=entry.outcome,
            cached=usage.cached, requests=usage.requests, input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens, cost=usage.cost,
        )  # fmt: skip
        with self.sessions() as session, session.begin():
            session.add(row)


@dataclass
class MemoryLlmBudget:
    """Usage kept in a list, for one process (the CLI)."""

    entries: list[UsageEntry] = field(default_factory=list)

    def spent(self, tenant_id: uuid.UUID | None) -> Spent:
        """What this process spent for a tenant."""
        mine = [e.usage for e in self.entries if e.tenant_id == tenant_id]
        return Spent(sum(u.requests for u in mine), sum((u.cost for u in mine), Decimal(0)))

    def record(self, entry: UsageEntry) -> None:
        """Book one use."""
        self.entries.append(entry)
