"""Readiness and metrics endpoints: GET /readyz (per-check status, 503 when any fails) and
GET /metrics (Prometheus text: every process's metrics on this host plus database state).

Checks: the database answers, the broker accepts a connection, the blob store is reachable
and writable, Tesseract is installed, the database schema is at the newest migration. Each
check is bounded by a short timeout. Must not change state (the blob check writes nothing:
it only inspects the folder or the bucket).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from service.bootstrap import Container

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_S = 3.0


class CheckResult(BaseModel):
    """One dependency's state."""

    ok: bool
    detail: str
    ms: float


class Readiness(BaseModel):
    """The readiness answer: `ready` only if every check is ok."""

    status: str
    checks: dict[str, CheckResult]


def check_database(container: Container) -> str:
    """SELECT 1 answers."""
    with container.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return "ok"


def check_broker(container: Container) -> str:
    """The broker accepts a connection (Redis, RabbitMQ) or its folder exists (embedded)."""
    url = container.settings.broker.url
    if not url:
        folder = container.settings.data_dir / "broker"
        if not folder.is_dir() and not container.settings.data_dir.is_dir():
            raise RuntimeError(f"no broker folder at {folder}")
        return "filesystem broker"
    from kombu import Connection

    with Connection(url, connect_timeout=CHECK_TIMEOUT_S) as connection:
        connection.ensure_connection(max_retries=1, timeout=int(CHECK_TIMEOUT_S))
    return url.split("://", 1)[0]


def check_blobs(container: Container) -> str:
    """The disk store's folder is writable, or the bucket answers HEAD."""
    root = getattr(container.blobs, "root", None)
    if isinstance(root, Path):
        if not root.is_dir() or not os.access(root, os.W_OK):
            raise RuntimeError(f"{root} is not a writable folder")
        free = shutil.disk_usage(root).free // (1024 * 1024)
        return f"disk, {free} MiB free"
    client, bucket = (
        getattr(container.blobs, "client", None),
        getattr(container.blobs, "bucket", ""),
    )
    if client is None:
        return "unknown store: not checked"
    client.head_bucket(Bucket=bucket)
    return f"s3 bucket {bucket}"


def check_tesseract(_container: Container) -> str:
    """The tesseract binary is on PATH."""
    found = shutil.which("tesseract")
    if found is None:
        raise RuntimeError("tesseract is not installed (scans cannot be read)")
    return found


def check_migrations(container: Container) -> str:
    """The database is at the newest Alembic revision."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from service.db.migrations import alembic_config

    head = ScriptDirectory.from_config(alembic_config(container.settings.database_url))
    with container.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    newest = head.get_current_head()
    if current != newest:
        raise RuntimeError(f"database at {current}, code expects {newest}: run docproc db upgrade")
    return f"at {current}"


CHECKS: dict[str, Callable[[Container], str]] = {
    "database": check_database,
    "broker": check_broker,
    "blob_store": check_blobs,
    "tesseract": check_tesseract,
    "migrations": check_migrations,
}


def run_checks(container: Container) -> Readiness:
    """Every check, each caught and timed."""
    results: dict[str, CheckResult] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail, ok = check(container), True
        except Exception as error:
            detail, ok = f"{type(error).__name__}: {str(error)[:300]}", False
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        results[name] = CheckResult(ok=ok, detail=detail, ms=elapsed_ms)
    ready = all(r.ok for r in results.values())
    return Readiness(status="ready" if ready else "unavailable", checks=results)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when the database, broker, blob store, Tesseract and schema are fine."""
    readiness = run_checks(request.app.state.container)
    code = 200 if readiness.status == "ready" else 503
    return JSONResponse(readiness.model_dump(mode="json"), status_code=code)


@router.get("/metrics", response_class=Response, include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text exposition (no key: bind the API privately or filter at the proxy)."""
    from service.observability.metrics import render

    body, content_type = render(request.app.state.container.sessions)
    return Response(body, media_type=content_type)
