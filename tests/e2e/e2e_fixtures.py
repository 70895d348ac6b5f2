"""Fixtures of the end-to-end worker tests: a migrated fresh PostgreSQL, a private Redis
database, and the settings and environment a real worker process and the test share.

Built on `tests.integration.worker_fixtures`; every process is killed at teardown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from service.bootstrap import Container
from service.config import Settings
from service.db.migrations import upgrade_database
from service.worker.app import make_celery
from tests.integration.worker_fixtures import (
    container_for,
    env_for,
    fresh_pg_url,
    fresh_postgres,
    private_redis_url,
    processes,
)

__all__ = ["Stack", "fresh_pg_url", "fresh_postgres", "private_redis_url", "processes", "stack"]


@dataclass
class Stack:
    """One test's service: its settings, the same settings as environment variables for the
    worker processes, a container over them, and a Celery app to send tasks with."""

    data_dir: Path
    database_url: str
    broker_url: str

    def env(self, **worker: Any) -> dict[str, str]:
        """Environment for a worker process; keyword arguments are DOCPROC_WORKER__* values,
        `delay` sets DOCPROC_TEST_EXTRACT_DELAY_S."""
        delay = worker.pop("delay", 0)
        values = {
            "DOCPROC_DATA_DIR": str(self.data_dir),
            "DOCPROC_DATABASE__URL": self.database_url,
            "DOCPROC_BROKER__URL": self.broker_url,
            "DOCPROC_TEST_EXTRACT_DELAY_S": str(delay),
        }
        values |= {f"DOCPROC_WORKER__{key.upper()}": str(value) for key, value in worker.items()}
        return env_for(values)

    def settings(self) -> Settings:
        """The same configuration for this test process."""
        return Settings(
            data_dir=self.data_dir,
            database={"url": self.database_url},
            broker={"url": self.broker_url},
        )

    def container(self) -> Container:
        """Real adapters over the test database and blob folder."""
        return container_for(self.settings())

    def celery(self) -> Celery:
        """A Celery app on the test broker, for sending tasks."""
        return make_celery(self.settings())


@pytest.fixture
def stack(tmp_path: Path, fresh_pg_url: str, private_redis_url: str) -> Iterator[Stack]:
    """A migrated fresh PostgreSQL, a flushed private Redis database and a data folder."""
    upgrade_database(fresh_pg_url)
    yield Stack(tmp_path / "data", fresh_pg_url, private_redis_url)
