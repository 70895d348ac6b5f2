"""Engines and sessions. Services never commit; the caller that owns the unit of work does."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL so the API and an embedded worker can share the file; foreign keys enforced."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# A pooled server connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_S = 30.0


class _LivenessCheck:
    """Pool checkout hook: a cheaper `pool_pre_ping`.

    A server that restarts, or terminates a backend, writes a FATAL message and closes the
    socket, so a dead idle connection has something to read; a live idle one has not. A
    non-blocking poll of the socket (no round trip) finds those, and a connection idle for
    `PING_AFTER_IDLE_S` is pinged anyway (a peer that vanished without a word). A connection
    that fails is a `DisconnectionError`, on which the pool connects afresh.
    """

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect

    def on_checkin(self, _dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        """Remember when the connection went back to the pool."""
        record.info["checked_in"] = time.monotonic()

    def on_checkout(
        self, dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        """Hand out only a connection that looks alive; ping the doubtful ones."""
        checked_in = record.info.get("checked_in")
        if checked_in is None:
            return  # just connected
        try:
            poller = select.poll()
            poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
            doubtful = bool(poller.poll(0)) or time.monotonic() - checked_in > PING_AFTER_IDLE_S
            if doubtful:
                self.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"pooled connection is dead: {error!r}") from error


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for a SQLAlchemy URL, tuned for the backend it names."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=10)
    check = _LivenessCheck(engine)
    event.listen(engine, "checkin", check.on_checkin)
    event.listen(engine, "checkout", check.on_checkout)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (results outlive the transaction)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits when the block ends and rolls back if it raises."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def atomic_connection(engine: Engine, *, single_statement: bool = False) -> Iterator[Connection]:
    """A connection whose work commits when the block ends and rolls back if it raises.

    With `single_statement` on PostgreSQL the connection runs in autocommit: one statement is
    atomic by itself, and the BEGIN and COMMIT round trips are saved.
    """
    if single_statement and engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection
        return
    with engine.begin() as connection:
        yield connection


def driver_fetch_one(
    connection: Connection, sql: str, params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """Run one PostgreSQL statement (`%(name)s` placeholders) through psycopg itself, inside
    the connection's transaction or autocommit; its first row.

    For the statements every upload runs: SQLAlchemy's execution layer costs several times
    the driver's own work on a one-row statement.
    """
    driver = connection.connection.driver_connection
    assert driver is not None, "a checked-out connection has a driver connection"
    row: tuple[Any, ...] | None = driver.execute(sql, params).fetchone()
    return row
