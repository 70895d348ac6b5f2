"""The worker's jobs on a fresh, migrated PostgreSQL database: the reconciler re-enqueues
exactly the stuck documents, transient faults are retried without counting attempts, and bad
input or a missing blob is a result, never retried."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from service.bootstrap import Container
from service.config import Settings
from service.db.documents import ClaimOutcome, claim_document, requeue_if_stuck
from service.db.migrations import upgrade_database
from service.db.session import unit_of_work
from service.db.tables import DocumentRecord, utcnow
from service.storage import BlobMissingError, BlobStore, BlobStoreUnavailableError
from service.worker import jobs, tasks
from tests.integration import worker_fixtures as wf
from tests.integration.worker_fixtures import (
    SAMPLES,
    container_for,
    document_state,
    seed_document,
)

# Fixtures used here, shared with the other worker tests.
fresh_pg_url = wf.fresh_pg_url

pytestmark = pytest.mark.integration

SAMPLE = SAMPLES / "letterhead_right-000002.pdf"


@pytest.fixture
def container(tmp_path: Path, fresh_pg_url: str) -> Iterator[Container]:
    """Real adapters over a migrated fresh database; retries capped low for the tests."""
    upgrade_database(fresh_pg_url)
    settings = Settings(
        data_dir=tmp_path / "data",
        database={"url": fresh_pg_url},
        worker={"retry_max": 2, "queued_stale_s": 600, "lease_s": 900},
    )
    built = container_for(settings)
    yield built
    built.engine.dispose()


def _set(container: Container, document_id: uuid.UUID, **values: object) -> None:
    with unit_of_work(container.sessions) as session:
        document = session.get(DocumentRecord, document_id)
        assert document is not None
        for name, value in values.items():
            setattr(document, name, value)


def _seed(container: Container, name: str, **values: object) -> uuid.UUID:
    document_id, _ = seed_document(container, SAMPLES / name)
    if values:
        _set(container, document_id, **values)
    return document_id


def test_reconcile_requeues_expired_leases_and_stale_queued_only(container: Container) -> None:
    """Expired PROCESSING and old QUEUED rows are re-enqueued (once per pass); running,
    freshly queued and finished documents are left alone."""
    now = utcnow()
    expired = _seed(container, "classic_left-000001.pdf", status="processing", attempts=1,
                    lease_until=now - timedelta(seconds=1), lease_owner="dead")  # fmt: skip
    stale = _seed(container, "letterhead_right-000002.pdf",
                  queued_at=now - timedelta(seconds=601))  # fmt: skip
    running = _seed(container, "centred_vat-000003.pdf", status="processing",
                    lease_until=now + timedelta(seconds=300), lease_owner="alive")  # fmt: skip
    _seed(container, "supply_house-000004.pdf")  # queued just now
    _seed(container, "banner_gst-000006.pdf", status="extracted")
    sent: list[tuple[uuid.UUID, int, str | None]] = []
    report = jobs.reconcile(container, lambda doc, gen, kind: sent.append((doc, gen, kind)))
    assert report.expired_leases == [expired]
    assert report.stale_queued == [stale]
    pdf = "application/pdf"
    assert sorted(sent) == sorted([(expired, 1, pdf), (stale, 1, pdf)])
    assert document_state(container, expired).status == "queued"
    assert document_state(container, expired).attempts == 1  # kept: poison still counts
    assert document_state(container, running).status == "processing"
    sent.clear()
    jobs.reconcile(container, lambda doc, gen, kind: sent.append((doc, gen, kind)))
    assert sent == []  # requeued rows are fresh again


def test_extract_stores_once_however_often_it_runs(container: Container) -> None:
    """Running the same message twice leaves one result; the second run is `already_done`."""
    document_id, generation = seed_document(container, SAMPLE)
    first = jobs.extract(container, document_id, generation, owner="message-1")
    second = jobs.extract(container, document_id, generation, owner="message-1")
    assert first.status in {"extracted", "needs_review"}
    assert second.status == "already_done"
    state = document_state(container, document_id)
    assert state.extracted_results == 1
    assert state.attempts == 1


class FlakyBlobs:
    """A blob store whose reads fail with a transient fault (an S3 outage); a fake, not a mock."""

    def __init__(self, real: BlobStore) -> None:
        self.real = real
        self.reads = 0

    def put_file(self, path: Path, sha256: str) -> None:
        """Stored as usual."""
        self.real.put_file(path, sha256)

    def read_bytes(self, sha256: str) -> bytes:
        """Always unavailable."""
        self.reads += 1
        raise BlobStoreUnavailableError("S3 store unavailable: EndpointConnectionError")

    def iter_chunks(self, sha256: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Always unavailable."""
        raise BlobStoreUnavailableError("S3 store unavailable: EndpointConnectionError")

    def exists(self, sha256: str) -> bool:
        """As the real store says."""
        return self.real.exists(sha256)

    def delete(self, sha256: str) -> None:
        """As the real store does."""
        self.real.delete(sha256)


def _with_blobs(container: Container, blobs: BlobStore) -> Container:
    return Container(container.settings, container.engine, container.sessions, blobs)


def test_transient_fault_is_retried_without_counting_attempts(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blob store outage is retried (up to retry_max) and gives the claim back each time,
    so the document is QUEUED again, not poisoned, for the reconciler to resend."""
    document_id, generation = seed_document(container, SAMPLE)
    flaky = FlakyBlobs(container.blobs)
    monkeypatch.setattr(tasks, "get_container", lambda: _with_blobs(container, flaky))
    result = tasks.extract_document.apply(args=(str(document_id), generation))
    assert isinstance(result.result, BlobStoreUnavailableError)
    assert flaky.reads == 1 + container.settings.worker.retry_max
    state = document_state(container, document_id)
    assert state.status == "queued"
    assert state.attempts == 0
    assert state.extracted_results == 0


def test_database_fault_is_retryable() -> None:
    """OperationalError (a database restart) is among the retried faults; bad input is not."""
    assert issubclass(OperationalError, tasks.RETRYABLE)
    assert issubclass(BlobStoreUnavailableError, tasks.RETRYABLE)
    assert not issubclass(BlobMissingError, tasks.RETRYABLE)
    assert not issubclass(ValueError, tasks.RETRYABLE)


def test_backoff_grows_and_is_capped() -> None:
    """The retry countdown grows exponentially and never exceeds the cap."""
    assert tasks.backoff_s(0, 300) <= 1
    assert 32 <= tasks.backoff_s(6, 300) <= 64
    assert all(tasks.backoff_s(n, 300) <= 300 for n in range(30))


def test_bad_input_is_a_result_not_a_retry(
    container: Container, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file the pipeline rejects is FAILED with its code after one attempt, no retry."""
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"MZ\x90\x00 not a pdf at all" * 10)
    document_id, generation = seed_document(container, junk)
    monkeypatch.setattr(tasks, "get_container", lambda: container)
    result = tasks.extract_document.apply(args=(str(document_id), generation))
    assert result.result == "failed"
    state = document_state(container, document_id)
    assert state.status == "failed"
    assert state.attempts == 1
    assert state.error_code
    assert state.extracted_results == 1  # the error envelope is the result


def test_missing_blob_fails_for_good(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document whose bytes are gone is FAILED with `blob_missing`, not retried."""
    document_id, generation = seed_document(container, SAMPLE)
    with unit_of_work(container.sessions) as session:
        document = session.get(DocumentRecord, document_id)
        assert document is not None
        container.blobs.delete(document.sha256)
    monkeypatch.setattr(tasks, "get_container", lambda: container)
    result = tasks.extract_document.apply(args=(str(document_id), generation))
    assert result.result == "failed"
    state = document_state(container, document_id)
    assert (state.status, state.error_code, state.attempts) == ("failed", "blob_missing", 1)


def test_a_second_message_for_a_leased_document_does_not_run(container: Container) -> None:
    """F17 with the start-up check bypassed: a duplicate delivery (another message id) while
    the lease holds is skipped, so one document never runs twice at once."""
    document_id, generation = seed_document(container, SAMPLE)
    with unit_of_work(container.sessions) as session:
        claim = claim_document(session, document_id, generation, lease=timedelta(minutes=5),
                               max_attempts=3, owner="first-message")  # fmt: skip
        assert claim.outcome is ClaimOutcome.CLAIMED
    duplicate = jobs.extract(container, document_id, generation, owner="second-message")
    assert duplicate.status == "leased_elsewhere"
    state = document_state(container, document_id)
    assert (state.status, state.attempts, state.extracted_results) == ("processing", 1, 0)


def test_requeue_rechecks_under_lock(container: Container) -> None:
    """A document a worker claimed after the reconciler listed it is left with that worker."""
    document_id, generation = seed_document(container, SAMPLE)
    _set(container, document_id, queued_at=utcnow() - timedelta(hours=1))
    with unit_of_work(container.sessions) as session:
        claim_document(session, document_id, generation, lease=timedelta(minutes=5),
                       max_attempts=3, owner="worker")  # fmt: skip
    with unit_of_work(container.sessions) as session:
        assert requeue_if_stuck(session, document_id, stale_after=timedelta(seconds=1)) is None
    assert document_state(container, document_id).status == "processing"
