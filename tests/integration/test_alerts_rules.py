"""Alert rules reach a local Slack-compatible webhook: each rule opens an alert, it is sent
once while open, and a resolve message follows when its condition clears (PostgreSQL and
SQLite)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from service.alerts import Alert, AlertBook, DbAlertSink, WebhookNotifier
from service.bootstrap import Container
from service.config import LlmSettings, ObservabilitySettings
from service.db.session import unit_of_work
from service.db.tables import (
    AlertRecord,
    DocumentRecord,
    LlmUsageRecord,
    MailboxRecord,
    OutboxRecord,
    utcnow,
)
from service.db.tenants import get_or_create_tenant
from service.observability.rules import evaluate
from tests.alert_receiver import AlertReceiver, alert_receiver
from tests.conftest import make_container, make_settings

pytestmark = pytest.mark.integration
Seed = Callable[[Container], Callable[[Container], None]]


@pytest.fixture
def receiver() -> Iterator[AlertReceiver]:
    """A webhook receiver on 127.0.0.1."""
    with alert_receiver() as started:
        yield started


def _container(
    database_url: str, tmp_path: Path, receiver: AlertReceiver, **overrides: object
) -> Container:
    obs = ObservabilitySettings(
        alert_webhook_url=SecretStr(receiver.url),
        failure_min_documents=3,
        sync_stale_hours=1,
        queue_age_min=5,
        **overrides,
    )
    settings = make_settings(
        tmp_path / "data",
        database_url,
        observability=obs,
        llm=LlmSettings(daily_requests=5),
        allow_private_callbacks=True,
    )
    return make_container(settings)


def _document(container: Container, status: str, **values: object) -> uuid.UUID:
    with unit_of_work(container.sessions) as session:
        tenant = get_or_create_tenant(session, "alerts")
        data = uuid.uuid4().bytes
        row = DocumentRecord(
            tenant_id=tenant.id,
            sha256=hashlib.sha256(data).hexdigest(),
            size=1,
            media_type="application/pdf",
            status=status,
            **values,
        )
        session.add(row)
        session.flush()
        return row.id


def _set(container: Container, model: type, row_id: object, **values: object) -> None:
    with unit_of_work(container.sessions) as session:
        row = session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)


def seed_failure_rate(container: Container) -> Callable[[Container], None]:
    """Three failed documents in the window."""
    ids = [_document(container, "failed", finished_at=utcnow()) for _ in range(3)]

    def clear(c: Container) -> None:
        for document_id in ids:
            _set(c, DocumentRecord, document_id, status="extracted")

    return clear


def _outbox(container: Container, state: str, age: timedelta) -> uuid.UUID:
    document_id = _document(container, "extracted")
    with unit_of_work(container.sessions) as session:
        document = session.get(DocumentRecord, document_id)
        assert document is not None
        row = OutboxRecord(
            tenant_id=document.tenant_id,
            document_id=document_id,
            connector="webhook",
            result_version=1,
            state=state,
            attempts=12,
            created_at=utcnow() - age,
            last_error="503 from receiver",
        )
        session.add(row)
        session.flush()
        return row.id


def seed_dead_export(container: Container) -> Callable[[Container], None]:
    """A dead-lettered outbox row; cleared by a replay that delivers it."""
    row_id = _outbox(container, "dead", timedelta(0))
    return lambda c: _set(c, OutboxRecord, row_id, state="delivered", delivered_at=utcnow())


def seed_stale_connector(container: Container) -> Callable[[Container], None]:
    """An export waiting for two hours, nothing delivered."""
    row_id = _outbox(container, "pending", timedelta(hours=2))
    return lambda c: _set(c, OutboxRecord, row_id, state="delivered", delivered_at=utcnow())


def seed_stale_mailbox(container: Container) -> Callable[[Container], None]:
    """A mailbox failing for two hours."""
    with unit_of_work(container.sessions) as session:
        tenant = get_or_create_tenant(session, "alerts")
        two_hours_ago = utcnow() - timedelta(hours=2)
        row = MailboxRecord(
            tenant_id=tenant.id,
            name="ap",
            host="127.0.0.1",
            port=993,
            username="ap",
            secret_ref="env:X",
            failing_since=two_hours_ago,
            consecutive_failures=40,
            last_error="connection refused",
            created_at=two_hours_ago - timedelta(days=1),
        )
        session.add(row)
        session.flush()
        mailbox_id = row.id
    return lambda c: _set(
        c,
        MailboxRecord,
        mailbox_id,
        failing_since=None,
        consecutive_failures=0,
        last_polled_at=utcnow(),
    )


def seed_old_queue(container: Container) -> Callable[[Container], None]:
    """A document QUEUED ten minutes ago."""
    document_id = _document(container, "queued", queued_at=utcnow() - timedelta(minutes=10))
    return lambda c: _set(c, DocumentRecord, document_id, status="extracted")


def seed_llm_budget(container: Container) -> Callable[[Container], None]:
    """Five LLM requests today against a budget of five."""
    with unit_of_work(container.sessions) as session:
        tenant = get_or_create_tenant(session, "alerts")
        row = LlmUsageRecord(
            tenant_id=tenant.id,
            document_sha256="0" * 64,
            day=utcnow().date(),
            model="m",
            prompt_version="1",
            outcome="ok",
            requests=5,
            cost=Decimal("0.01"),
        )
        session.add(row)
        session.flush()
        usage_id = row.id
    return lambda c: _set(c, LlmUsageRecord, usage_id, requests=0)


SEEDS: dict[str, Seed] = {
    "failure_rate": seed_failure_rate,
    "export_dead": seed_dead_export,
    "connector_stale": seed_stale_connector,
    "mailbox_stale": seed_stale_mailbox,
    "queue_age": seed_old_queue,
    "llm_budget_spent": seed_llm_budget,
}


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_each_rule_reaches_the_webhook_once_then_resolves(
    kind: str, database_url: str, tmp_path: Path, receiver: AlertReceiver
) -> None:
    """Condition → one ALERT message (not repeated) → cleared → one RESOLVED message."""
    container = _container(database_url, tmp_path, receiver)
    clear = SEEDS[kind](container)
    first = evaluate(container)
    assert any(key.split(":")[0] == kind for key in first.opened), first
    evaluate(container)  # still open: not sent again
    assert len(receiver.matching(f"ALERT [{kind}]")) == 1, receiver.texts
    clear(container)
    evaluate(container)
    assert len(receiver.matching(f"RESOLVED [{kind}]")) == 1, receiver.texts
    with container.sessions() as session:
        states = {r.state for r in session.query(AlertRecord).filter_by(kind=kind)}
    assert states == {"resolved"}


def test_disk_nearly_full_is_alerted(tmp_path: Path, receiver: AlertReceiver) -> None:
    """A disk below the free-space threshold (100 % here: always) raises disk_full."""
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    container = _container(url, tmp_path, receiver, disk_free_min_percent=100.0)
    evaluate(container)
    assert receiver.matching("ALERT [disk_full] data_dir")
    assert receiver.matching("ALERT [disk_full] blob_store")


def test_an_undelivered_alert_is_sent_on_the_next_tick(
    tmp_path: Path, receiver: AlertReceiver
) -> None:
    """The receiver is down: nothing marked notified; once it is back the alert arrives."""
    container = _container(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, receiver)
    seed_old_queue(container)
    receiver.failing = True
    report = evaluate(container)
    assert report.failed and not receiver.texts
    receiver.failing = False
    evaluate(container)
    assert len(receiver.matching("ALERT [queue_age]")) == 1


def test_event_alerts_of_other_code_are_delivered_once(
    tmp_path: Path, receiver: AlertReceiver
) -> None:
    """An alert raised through DbAlertSink (mail, LLM tier) reaches the webhook once."""
    container = _container(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, receiver)
    sink = DbAlertSink(container.sessions)
    assert sink.raise_alert(
        Alert("mail_poll_failing", "mailbox 'ap': 3 failed polls", dedupe_key="mail_poll_failing:x")
    )
    book = AlertBook(container.sessions, [WebhookNotifier(receiver.url, allow_private=True)])
    book.deliver_pending()
    book.deliver_pending()
    assert len(receiver.matching("ALERT [mail_poll_failing]")) == 1
