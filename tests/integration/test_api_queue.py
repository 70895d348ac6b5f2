"""The API's Celery adapter: what it publishes is exactly what `send_task` publishes, on the
queue chosen by media type, and it keeps publishing after Redis drops its connections."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis

from service.api.queue import EXTRACT_TASK, CeleryTaskQueue
from service.config import Settings
from service.worker.app import make_celery
from tests.integration.worker_fixtures import private_redis_url

pytestmark = pytest.mark.integration

__all__ = ["private_redis_url"]


def _messages(url: str, queue: str) -> list[dict[str, Any]]:
    """The queue's messages, oldest first, without the per-delivery tag."""
    client = redis.Redis.from_url(url)
    try:
        raw = client.lrange(queue, 0, -1)
    finally:
        client.close()
    messages = [json.loads(item) for item in reversed(raw)]
    for message in messages:
        message["properties"].pop("delivery_tag")
    return messages


def test_the_message_is_what_send_task_sends(tmp_path: Path, private_redis_url: str) -> None:
    app = make_celery(Settings(data_dir=tmp_path, broker={"url": private_redis_url}))
    task_id = str(uuid.uuid4())
    args: list[Any] = [str(uuid.uuid4()), 3]
    app.send_task(EXTRACT_TASK, args=args, queue="intake", task_id=task_id,
                  argsrepr=repr(args), kwargsrepr="{}")  # fmt: skip
    CeleryTaskQueue(app).send(EXTRACT_TASK, args, "intake", task_id=task_id)
    by_celery, by_adapter = _messages(private_redis_url, "intake")
    assert by_adapter == by_celery
    assert by_adapter["headers"]["task"] == EXTRACT_TASK
    assert by_adapter["headers"]["id"] == task_id


def test_extraction_goes_to_the_queue_of_its_media_type(
    tmp_path: Path, private_redis_url: str
) -> None:
    app = make_celery(Settings(data_dir=tmp_path, broker={"url": private_redis_url}))
    queue = CeleryTaskQueue(app)
    pdf, scan = uuid.uuid4(), uuid.uuid4()
    queue.enqueue_extraction(pdf, 1, "application/pdf")
    queue.enqueue_extraction(scan, 2, "image/png")
    queue.enqueue_extraction(pdf, 1, "application/pdf")
    intake, ocr = _messages(private_redis_url, "intake"), _messages(private_redis_url, "ocr")
    assert [m["headers"]["argsrepr"] for m in intake] == [repr([str(pdf), 1])] * 2
    assert [m["headers"]["argsrepr"] for m in ocr] == [repr([str(scan), 2])]
    assert len({m["headers"]["id"] for m in intake}) == 2


def test_publishing_survives_redis_dropping_its_connections(
    tmp_path: Path, private_redis_url: str
) -> None:
    app = make_celery(Settings(data_dir=tmp_path, broker={"url": private_redis_url}))
    queue = CeleryTaskQueue(app)
    queue.enqueue_extraction(uuid.uuid4(), 1, "application/pdf")
    admin = redis.Redis.from_url(private_redis_url)
    try:  # only this database's clients: the server is shared
        db = admin.connection_pool.connection_kwargs["db"]
        ours = [c["id"] for c in admin.client_list() if int(c["db"]) == db]
        killed = [admin.client_kill_filter(_id=client_id, skipme=True) for client_id in ours]
    finally:
        admin.close()
    assert sum(killed) >= 1
    queue.enqueue_extraction(uuid.uuid4(), 1, "application/pdf")
    assert len(_messages(private_redis_url, "intake")) == 2
