"""Alembic migrations shipped inside the package, and the functions that run them.

Owns `upgrade_database(url)` (called by `docproc db upgrade`, and at start by the API, `serve`
and the worker in embedded mode) and `downgrade_database(url, revision)`. The scripts live
beside this module, so an installed wheel migrates without an alembic.ini. Must not import
the API or the worker.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the packaged scripts and at `url`."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(HERE / "versions"))
    # Passed as an attribute, not an option: a URL may hold '%', which ini interpolation eats.
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision` (the newest by default)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision` (empty by default)."""
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at, or None when it was never migrated."""
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
