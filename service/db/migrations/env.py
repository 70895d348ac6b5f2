"""Alembic's environment: connects to the URL the caller passed (or `Settings`) and migrates.

Owns how migrations connect (one transaction; batch mode on SQLite so later ALTERs work)
and the target metadata autogenerate compares against. Must not create tables any other way.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import service.db.tables  # noqa: F401  (registers every table on Base.metadata)
from service.db.session import make_engine
from service.db.tables import Base

target_metadata = Base.metadata


def _url() -> str:
    """The URL given by the caller, else the ini option, else the configured database."""
    config = context.config
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if url:
        return str(url)
    from service.config import get_settings

    return get_settings().database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of connecting (`alembic upgrade --sql`)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect and migrate in one transaction."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
