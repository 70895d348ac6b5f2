"""Alert rules: conditions read from the database and the disks, evaluated by beat.

Each rule is a function of (container, now) returning the `Condition`s that hold now; the
task `alerts.evaluate` hands them to `AlertBook.sync`, which opens, de-duplicates, notifies
and resolves. Rules: failure rate over a window, a dead-lettered export, a mailbox or a
connector with no success for N hours while work waits, a queue older than N minutes, an
LLM budget spent, a disk nearly full. Must not send anything or change documents.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from service.alerts import AlertBook, Condition, SyncReport, notifiers_from
from service.bootstrap import Container
from service.db.tables import (
    DocumentRecord,
    LlmUsageRecord,
    MailboxRecord,
    OutboxRecord,
    OutboxState,
    utcnow,
)

log = logging.getLogger("docproc.alerts")

Rule = Callable[[Container, datetime], list[Condition]]
_FINISHED = ("extracted", "needs_review", "failed", "exported")


def failure_rate(container: Container, now: datetime) -> list[Condition]:
    """Failed share of the documents finished in the window, above the threshold."""
    obs = container.settings.observability
    since = now - timedelta(minutes=obs.failure_window_min)
    with container.sessions() as session:
        rows = session.execute(
            select(DocumentRecord.status, func.count())
            .where(DocumentRecord.finished_at >= since, DocumentRecord.status.in_(_FINISHED))
            .group_by(DocumentRecord.status)
        ).all()
    counts = {str(status): int(n) for status, n in rows}
    total, failed = sum(counts.values()), counts.get("failed", 0)
    if total < obs.failure_min_documents or failed / total < obs.failure_rate:
        return []
    return [Condition(
        key="failure_rate", kind="failure_rate",
        message=f"{failed} of {total} documents failed in the last "
        f"{obs.failure_window_min:g} min ({failed / total:.0%} >= {obs.failure_rate:.0%})",
        detail={"failed": failed, "finished": total},
    )]  # fmt: skip


def dead_exports(container: Container, now: datetime) -> list[Condition]:
    """Every dead-lettered outbox row, until it is replayed or delivered."""
    with container.sessions() as session:
        rows = session.execute(
            select(OutboxRecord.id, OutboxRecord.tenant_id, OutboxRecord.document_id,
                   OutboxRecord.connector, OutboxRecord.attempts, OutboxRecord.last_error)
            .where(OutboxRecord.state == OutboxState.DEAD).limit(200)
        ).all()  # fmt: skip
    return [Condition(
        key=f"export_dead:{row_id}", kind="export_dead", tenant_id=tenant,
        message=f"export of document {document} to {connector} is dead-lettered after "
        f"{attempts} attempts: {(error or '')[:200]}",
        detail={"outbox_id": str(row_id), "document_id": str(document), "connector": connector},
    ) for row_id, tenant, document, connector, attempts, error in rows]  # fmt: skip


def stale_mailboxes(container: Container, now: datetime) -> list[Condition]:
    """Enabled mailboxes with no successful poll for N hours."""
    hours = container.settings.observability.sync_stale_hours
    cutoff = now - timedelta(hours=hours)
    found: list[Condition] = []
    with container.sessions() as session:
        mailboxes = session.execute(
            select(MailboxRecord.id, MailboxRecord.tenant_id, MailboxRecord.name,
                   MailboxRecord.last_polled_at, MailboxRecord.failing_since,
                   MailboxRecord.created_at, MailboxRecord.last_error)
            .where(MailboxRecord.enabled.is_(True))
        ).all()  # fmt: skip
    for mailbox_id, tenant, name, polled, failing, created, error in mailboxes:
        last_ok = None if failing is not None else polled
        if (last_ok or created) >= cutoff:
            continue
        found.append(Condition(
            key=f"mailbox_stale:{mailbox_id}", kind="mailbox_stale", tenant_id=tenant,
            message=f"mailbox {name!r}: no successful poll for {hours:g} h"
            + (f" (last error: {error[:200]})" if error else ""),
            detail={"mailbox": name, "last_success": last_ok.isoformat() if last_ok else None},
        ))  # fmt: skip
    return found


def stale_connectors(container: Container, now: datetime) -> list[Condition]:
    """Connectors with exports waiting for N hours and no delivery within those hours."""
    hours = container.settings.observability.sync_stale_hours
    cutoff = now - timedelta(hours=hours)
    waiting_states = (OutboxState.PENDING,)  # retries are PENDING with a later next_attempt_at
    with container.sessions() as session:
        waiting = session.execute(
            select(OutboxRecord.tenant_id, OutboxRecord.connector,
                   func.min(OutboxRecord.created_at), func.count())
            .where(OutboxRecord.state.in_(waiting_states))
            .group_by(OutboxRecord.tenant_id, OutboxRecord.connector)
        ).all()  # fmt: skip
        found: list[Condition] = []
        for tenant, connector, oldest, count in waiting:
            if oldest >= cutoff:
                continue
            last = session.scalar(
                select(func.max(OutboxRecord.delivered_at)).where(
                    OutboxRecord.tenant_id == tenant, OutboxRecord.connector == connector)
            )  # fmt: skip
            if last is not None and last >= cutoff:
                continue
            found.append(Condition(
                key=f"connector_stale:{tenant}:{connector}", kind="connector_stale",
                tenant_id=tenant,
                message=f"connector {connector}: {count} exports waiting, none delivered for "
                f"{hours:g} h",
                detail={"connector": connector, "waiting": int(count)},
            ))  # fmt: skip
    return found


def old_queue(container: Container, now: datetime) -> list[Condition]:
    """The oldest QUEUED document waited longer than N minutes."""
    minutes = container.settings.observability.queue_age_min
    with container.sessions() as session:
        oldest, count = session.execute(
            select(func.min(DocumentRecord.queued_at), func.count())
            .where(DocumentRecord.status == "queued")
        ).one()  # fmt: skip
    if oldest is None or oldest >= now - timedelta(minutes=minutes):
        return []
    age = (now - oldest).total_seconds() / 60
    return [Condition(
        key="queue_age", kind="queue_age",
        message=f"{count} documents queued; the oldest waits {age:.0f} min (> {minutes:g} min): "
        "are the workers running?",
        detail={"queued": int(count), "oldest_min": round(age, 1)},
    )]  # fmt: skip


def llm_budget(container: Container, now: datetime) -> list[Condition]:
    """Tenants whose LLM budget for the UTC day is spent (same key as the tier's alert)."""
    from service.llm.budget import DbLlmBudget, exhausted

    llm = container.settings.llm
    if llm.daily_cost is None and llm.daily_requests is None:
        return []
    day = now.date()
    with container.sessions() as session:
        tenants = session.scalars(
            select(LlmUsageRecord.tenant_id).where(LlmUsageRecord.day == day).distinct()
        ).all()
    budget = DbLlmBudget(container.sessions)
    found: list[Condition] = []
    for tenant in tenants:
        reason = exhausted(llm, budget.spent(tenant))
        if reason is None:
            continue
        who = str(tenant) if tenant else "cli"
        found.append(Condition(
            key=f"llm_budget_spent:{who}:{day}", kind="llm_budget_spent", tenant_id=tenant,
            message=f"tenant {who}: {reason}", detail={"day": str(day)},
        ))  # fmt: skip
    return found


def watched_paths(container: Container) -> dict[str, Path]:
    """The folders whose disks are watched: DATA_DIR and the disk blob store's root."""
    settings = container.settings
    paths = {"data_dir": settings.data_dir}
    root = getattr(container.blobs, "root", None)
    if isinstance(root, Path):
        paths["blob_store"] = root
    return paths


def disk_space(container: Container, now: datetime) -> list[Condition]:
    """A watched disk with less free space than the threshold."""
    threshold = container.settings.observability.disk_free_min_percent
    found: list[Condition] = []
    for name, path in watched_paths(container).items():
        try:
            usage = shutil.disk_usage(path)
        except OSError as error:
            log.warning("disk usage of %s unreadable: %s", path, error)
            continue
        free = 100.0 * usage.free / usage.total if usage.total else 0.0
        if free < threshold:
            found.append(Condition(
                key=f"disk_full:{name}", kind="disk_full",
                message=f"{name} ({path}): {free:.1f}% free, below {threshold:g}% "
                f"({usage.free // (1024 * 1024)} MiB left)",
                detail={"path": str(path), "free_percent": round(free, 2)},
            ))  # fmt: skip
    return found


RULES: dict[str, Rule] = {
    "failure_rate": failure_rate,
    "export_dead": dead_exports,
    "mailbox_stale": stale_mailboxes,
    "connector_stale": stale_connectors,
    "queue_age": old_queue,
    "llm_budget_spent": llm_budget,
    "disk_full": disk_space,
}
RULE_KINDS = frozenset(RULES)


def evaluate(container: Container, book: AlertBook | None = None,
             now: datetime | None = None) -> SyncReport:  # fmt: skip
    """Run every rule, then open, notify and resolve alerts accordingly."""
    now = now or utcnow()
    conditions: list[Condition] = []
    kinds = set(RULE_KINDS)
    for name, rule in RULES.items():
        try:
            conditions += rule(container, now)
        except Exception:  # one broken rule must not silence the others, nor resolve its own
            log.exception("alert rule %s failed", name)
            kinds.discard(name)
    book = book or AlertBook(container.sessions, notifiers_from(container.settings))
    return book.sync(conditions, frozenset(kinds))
