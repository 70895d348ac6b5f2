"""The worker's configuration: routing to the three queues, delivery settings, beat's
reconciler schedule, the start-up refusal of a short visibility timeout (F17) in a real
worker process, and per-queue time limits enforced by a real prefork worker."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from service.bootstrap import Container
from service.config import Settings
from service.worker.app import (
    QUEUES,
    ROUTES,
    enqueue_extract,
    extract_queue,
    make_celery,
    queue_time_limits,
)
from service.worker.checks import ConfigurationError, check_broker_settings
from tests.e2e import e2e_fixtures as e2e
from tests.e2e.e2e_fixtures import Stack
from tests.integration.worker_fixtures import (
    PROJECT,
    SAMPLES,
    DocumentState,
    Processes,
    document_state,
    env_for,
    seed_document,
    wait_until,
)

# Fixtures used here, shared with the other worker tests.
fresh_pg_url = e2e.fresh_pg_url
private_redis_url = e2e.private_redis_url
processes = e2e.processes
stack = e2e.stack

pytestmark = pytest.mark.integration


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(data_dir=tmp_path, **values)


def test_extraction_queue_follows_the_media_type() -> None:
    """Text PDFs go to `intake`, images and unknown types to `ocr`."""
    assert extract_queue("application/pdf") == "intake"
    assert extract_queue("image/png") == extract_queue(None) == "ocr"


def test_tasks_route_to_their_queues(tmp_path: Path) -> None:
    """By name alone: extraction to `ocr`, callbacks to `push`, the reconciler to `intake`."""
    app = make_celery(_settings(tmp_path))
    router = app.amqp.router
    for task, queue in ROUTES.items():
        assert router.route({}, task)["queue"].name == queue
    assert {queue.name for queue in app.conf.task_queues} == set(QUEUES) == {
        "intake", "ocr", "push", "mail",
    }  # fmt: skip


def test_delivery_guarantees_are_configured(tmp_path: Path) -> None:
    """Late acks, reject on worker lost, prefetch 1, JSON only, memory and task budgets per
    child, and the reconciler on beat."""
    settings = _settings(tmp_path, worker={"reconcile_interval_s": 30})
    conf = make_celery(settings).conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.worker_max_memory_per_child == settings.worker.max_memory_per_child_kb
    assert conf.worker_max_tasks_per_child == settings.worker.max_tasks_per_child
    schedule = conf.beat_schedule["reconcile-documents"]
    assert (schedule["task"], schedule["schedule"]) == ("document.reconcile", 30)


def test_redis_visibility_timeout_is_set(tmp_path: Path) -> None:
    """The configured visibility timeout reaches the broker transport options."""
    settings = _settings(tmp_path, broker={"url": "redis://127.0.0.1:6379/13",
                                           "visibility_timeout_s": 7200})  # fmt: skip
    conf = make_celery(settings).conf
    assert conf.broker_transport_options["visibility_timeout"] == 7200
    assert conf.result_backend_transport_options["visibility_timeout"] == 7200


def test_time_limits_differ_per_queue(tmp_path: Path) -> None:
    """OCR gets the longest limits, push the shortest; soft below hard."""
    limits = queue_time_limits(_settings(tmp_path))
    assert limits == {"ocr": (600, 720), "intake": (300, 360), "push": (60, 90)}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"broker": {"url": "redis://x/0", "visibility_timeout_s": 600}}, "visibility timeout"),
        ({"worker": {"lease_s": 700}}, "lease"),
        ({"worker": {"ocr_soft_time_limit_s": 720}}, "soft time limit"),
    ],
)
def test_unsafe_settings_are_refused(tmp_path: Path, values: dict[str, Any], message: str) -> None:
    """A visibility timeout or lease not above the hard limit, or soft >= hard, is refused."""
    with pytest.raises(ConfigurationError, match=message):
        check_broker_settings(_settings(tmp_path, **values))


def test_safe_settings_pass(tmp_path: Path) -> None:
    """The defaults pass, with the embedded broker and with Redis or RabbitMQ."""
    check_broker_settings(_settings(tmp_path))
    check_broker_settings(_settings(tmp_path, broker={"url": "redis://127.0.0.1:6379/0"}))
    check_broker_settings(_settings(tmp_path, broker={"url": "amqp://127.0.0.1//",
                                                      "visibility_timeout_s": 1}))  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "celery", "-A", "service.worker.app", "worker", "-Q", "intake",
         "--concurrency", "1", "--pool", "prefork"],
        [sys.executable, "-m", "service.cli", "worker", "--queues", "intake"],
    ],
    ids=["celery-worker", "docproc-worker"],
)  # fmt: skip
def test_worker_process_refuses_short_visibility_timeout(
    command: list[str], tmp_path: Path
) -> None:
    """F17: a real worker started with a visibility timeout below the hard limit exits 2
    before consuming anything."""
    env = env_for({
        "DOCPROC_DATA_DIR": str(tmp_path),
        "DOCPROC_BROKER__URL": "redis://127.0.0.1:6379/13",
        "DOCPROC_BROKER__VISIBILITY_TIMEOUT_S": "60",
        "DOCPROC_DATABASE__URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })  # fmt: skip
    done = subprocess.run(command, env=env, cwd=PROJECT, capture_output=True, text=True,
                          timeout=120, check=False, start_new_session=True)  # fmt: skip
    assert done.returncode == 2, done.stderr[-3000:]
    assert "visibility timeout" in done.stderr


@pytest.mark.slow
def test_real_worker_applies_the_queue_time_limit(stack: Stack, processes: Processes) -> None:
    """A task slower than the OCR queue's soft limit is stopped and FAILED `timeout`; the
    same work through `intake`, whose limits are longer here, finishes."""
    container, celery = stack.container(), stack.celery()
    env = stack.env(delay=6, ocr_soft_time_limit_s=2, ocr_time_limit_s=4,
                    intake_soft_time_limit_s=60, intake_time_limit_s=80, lease_s=120)  # fmt: skip
    processes.worker(env, concurrency=2)
    slow_id, slow_generation = seed_document(container, SAMPLES / "classic_left-000001.pdf")
    fine_id, fine_generation = seed_document(container, SAMPLES / "supply_house-000004.pdf")
    enqueue_extract(celery, slow_id, slow_generation, "image/png")  # to ocr
    enqueue_extract(celery, fine_id, fine_generation, "application/pdf")  # to intake
    slow = wait_until(lambda: _finished(container, slow_id), what="ocr task stopped")
    fine = wait_until(lambda: _finished(container, fine_id), what="intake task done")
    assert (slow.status, slow.error_code) == ("failed", "timeout")
    assert fine.status in {"extracted", "needs_review"}


def _finished(container: Container, document_id: uuid.UUID) -> DocumentState | None:
    state = document_state(container, document_id)
    return state if state.status not in {"queued", "processing"} else None
