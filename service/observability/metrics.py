"""Prometheus metrics, defined in one place, and the /metrics rendering.

Counters and histograms are written by the process that does the work (multiprocess-safe
when `PROMETHEUS_MULTIPROC_DIR` is set, see `multiproc.py`); state that lives in the
database (documents per status, age of the oldest QUEUED one, outbox rows, last success per
mailbox and connector, open alerts) is read at scrape time by `DbStateCollector`, so it is
right whichever process changed it. Must not change behaviour: recording never raises.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from time import perf_counter
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.db.tables import (
    AlertRecord,
    DocumentRecord,
    ExportRecord,
    MailboxRecord,
    OutboxRecord,
    utcnow,
)

log = logging.getLogger("docproc.metrics")

DOCUMENTS_RECEIVED = Counter(
    "docproc_documents_received", "Documents accepted at intake", ["media_type", "source"]
)
DOCUMENTS_PROCESSED = Counter(
    "docproc_documents_processed", "Extractions finished", ["document_type", "status", "source"]
)
DOCUMENTS_FAILED = Counter(
    "docproc_documents_failed", "Documents that failed, by stage and code", ["stage", "code"]
)
STAGE_SECONDS = Histogram(
    "docproc_stage_duration_seconds", "Time spent per stage (ocr, extraction, llm, export)",
    ["stage"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)  # fmt: skip
LLM_TOKENS = Counter("docproc_llm_tokens", "LLM tokens used", ["direction", "model"])
LLM_COST = Counter("docproc_llm_cost", "LLM cost in the configured price currency", ["model"])
EXPORTS = Counter(
    "docproc_exports", "Outbox pushes by outcome (delivered, retry, failed, dead)",
    ["connector", "outcome"],
)  # fmt: skip
MAIL_POLLS = Counter("docproc_mail_polls", "Mailbox polls by outcome", ["outcome"])
ALERTS_SENT = Counter("docproc_alerts_sent", "Alert notifications sent", ["kind", "state"])


def safely(record: Callable[[], None]) -> None:
    """Run a recording step; a metrics fault is logged, never raised into the work."""
    try:
        record()
    except Exception:
        log.warning("recording a metric failed", exc_info=True)


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Observe the block's wall time in `docproc_stage_duration_seconds{stage}`."""
    started = perf_counter()
    try:
        yield
    finally:
        elapsed = perf_counter() - started
        safely(lambda: STAGE_SECONDS.labels(stage).observe(elapsed))


def record_received(media_type: str | None, source: str | None) -> None:
    """One document accepted at intake."""
    safely(lambda: DOCUMENTS_RECEIVED.labels(media_type or "unknown", source or "api").inc())


def record_processed(document_type: str | None, status: str, source: str | None,
                     error_code: str | None = None, stage: str = "extraction") -> None:  # fmt: skip
    """One extraction finished with this status (and failure code, if any)."""

    def record() -> None:
        DOCUMENTS_PROCESSED.labels(document_type or "unknown", status, source or "api").inc()
        if status == "failed":
            DOCUMENTS_FAILED.labels(stage, error_code or "unknown").inc()

    safely(record)


def record_llm(model: str, input_tokens: int, output_tokens: int, cost: float) -> None:
    """Tokens and cost of one document's LLM use."""

    def record() -> None:
        LLM_TOKENS.labels("input", model).inc(input_tokens)
        LLM_TOKENS.labels("output", model).inc(output_tokens)
        LLM_COST.labels(model).inc(cost)

    safely(record)


def record_export(connector: str, outcome: str) -> None:
    """One outbox push's outcome."""
    safely(lambda: EXPORTS.labels(connector, outcome).inc())


def record_mail_poll(ok: bool) -> None:
    """One mailbox poll."""
    safely(lambda: MAIL_POLLS.labels("ok" if ok else "failed").inc())


def _seconds(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


class DbStateCollector(Collector):
    """Gauges read from the database at scrape time: the truth, whichever process wrote it."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the gauges; nothing when the database is down (readyz reports that)."""
        try:
            with self.sessions() as session:
                families = list(self._families(session))
        except Exception:
            log.warning("metrics: database state unavailable", exc_info=True)
            return
        yield from families

    def _families(self, session: Session) -> Iterator[GaugeMetricFamily]:
        by_status = GaugeMetricFamily(
            "docproc_documents", "Documents per status", labels=["status"]
        )
        for status, count in session.execute(
            select(DocumentRecord.status, func.count()).group_by(DocumentRecord.status)
        ):
            by_status.add_metric([str(status)], float(count))
        yield by_status
        oldest = session.scalar(
            select(func.min(DocumentRecord.queued_at)).where(DocumentRecord.status == "queued")
        )
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "docproc_queue_oldest_age_seconds", "Age of the oldest QUEUED document", value=age
        )
        outbox = GaugeMetricFamily("docproc_outbox_rows", "Outbox rows per state", labels=["state"])
        for state, count in session.execute(
            select(OutboxRecord.state, func.count()).group_by(OutboxRecord.state)
        ):
            outbox.add_metric([str(state)], float(count))
        yield outbox
        yield from self._sync_families(session)

    @staticmethod
    def _sync_families(session: Session) -> Iterator[GaugeMetricFamily]:
        mailboxes = GaugeMetricFamily(
            "docproc_mailbox_last_success_timestamp_seconds",
            "Last successful poll per mailbox", labels=["mailbox"],
        )  # fmt: skip
        for name, tenant, polled, failing in session.execute(
            select(
                MailboxRecord.name,
                MailboxRecord.tenant_id,
                MailboxRecord.last_polled_at,
                MailboxRecord.failing_since,
            )
        ):
            mailboxes.add_metric([f"{tenant}/{name}"], 0.0 if failing else _seconds(polled))
        yield mailboxes
        connectors = GaugeMetricFamily(
            "docproc_connector_last_success_timestamp_seconds",
            "Last delivered export per connector", labels=["connector"],
        )  # fmt: skip
        for connector, last in session.execute(
            select(OutboxRecord.connector, func.max(OutboxRecord.delivered_at)).group_by(
                OutboxRecord.connector
            )
        ):
            connectors.add_metric([str(connector)], _seconds(last))
        yield connectors
        exported = session.scalar(select(func.count()).select_from(ExportRecord)) or 0
        yield GaugeMetricFamily("docproc_exports_stored", "Export rows", value=float(exported))
        alerts = GaugeMetricFamily("docproc_alerts_open", "Open alerts per kind", labels=["kind"])
        for kind, count in session.execute(
            select(AlertRecord.kind, func.count())
            .where(AlertRecord.state == "open")
            .group_by(AlertRecord.kind)
        ):
            alerts.add_metric([str(kind)], float(count))
        yield alerts


def registry_for_scrape(sessions: sessionmaker[Session] | None) -> CollectorRegistry:
    """The registry to render: every process's files when multiprocess, plus database state."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    if sessions is not None:
        registry.register(DbStateCollector(sessions))
    return registry


class _Forward(Collector):
    """This process's default registry, inside a registry of our own."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Any]:
        """Everything the default registry holds."""
        return iter(self.source.collect())


def render(sessions: sessionmaker[Session] | None) -> tuple[bytes, str]:
    """The text exposition and its content type."""
    return generate_latest(registry_for_scrape(sessions)), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """A worker child exited: drop its live gauges (multiprocess mode only)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        safely(lambda: multiprocess.mark_process_dead(pid))  # type: ignore[no-untyped-call]


def start_worker_server(port: int) -> None:
    """Serve this host's multiprocess metrics on `port` (a worker not beside the API)."""
    from prometheus_client import start_http_server

    registry = registry_for_scrape(None)
    start_http_server(port, addr="0.0.0.0", registry=registry)


def record_llm_provenance(provenance: dict[str, Any] | None) -> None:
    """Tokens and cost from the LLM tier's provenance record (`provenance["llm"]`)."""
    llm = (provenance or {}).get("llm")
    if not isinstance(llm, dict):
        return
    try:
        cost = float(llm.get("cost") or 0)
        record_llm(str(llm.get("model") or "unknown"), int(llm.get("input_tokens") or 0),
                   int(llm.get("output_tokens") or 0), cost)  # fmt: skip
    except (TypeError, ValueError):
        log.warning("unreadable LLM usage in provenance: %r", llm)
