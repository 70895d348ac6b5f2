"""Migrations up from empty and down to base, on PostgreSQL and SQLite; the migrated schema
equals `Base.metadata` (alembic's autogenerate comparison finds nothing to add or change)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from service.cli import main
from service.db.migrations import current_revision, downgrade_database, upgrade_database
from service.db.tables import Base
from tests.integration.worker_fixtures import fresh_postgres

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind: a fresh PostgreSQL database, or a new SQLite file."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with fresh_postgres() as url:
        yield url


def _differences(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_the_tables(empty_database: str) -> None:
    """Upgrading an empty database gives exactly the schema `service.db.tables` declares."""
    assert current_revision(empty_database) is None
    upgrade_database(empty_database)
    assert current_revision(empty_database) is not None
    assert _tables(empty_database) == set(Base.metadata.tables) | {"alembic_version"}
    assert _differences(empty_database) == []


def test_downgrade_to_base_leaves_nothing_and_upgrades_again(empty_database: str) -> None:
    """Down to base drops every table; upgrading again works (the scripts are reversible)."""
    upgrade_database(empty_database)
    downgrade_database(empty_database, "base")
    assert current_revision(empty_database) is None
    assert _tables(empty_database) <= {"alembic_version"}
    upgrade_database(empty_database)
    assert _differences(empty_database) == []


def test_upgrade_is_idempotent(empty_database: str) -> None:
    """A second upgrade at head changes nothing (every start in embedded mode runs it)."""
    upgrade_database(empty_database)
    upgrade_database(empty_database)
    assert _differences(empty_database) == []


def test_docproc_db_upgrade_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`docproc db upgrade --url URL` migrates and prints the revision it reached."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["db", "--url", url, "upgrade"]) == 0
    revision = capsys.readouterr().out.strip()
    assert revision == current_revision(url)
    assert main(["db", "--url", url, "downgrade", "base"]) == 0
    assert capsys.readouterr().out.strip() == "base"
