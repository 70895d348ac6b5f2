"""The app factory: routers, the one error handler and the wiring of container and queue.

`create_app()` with no arguments wires the real container and the Celery queue; tests pass
their own. Must not build anything with I/O at import time.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

from service.api import documents, provenance
from service.api.errors import install_error_handler
from service.api.queue import CeleryTaskQueue, TaskQueue
from service.api.ratelimit import RateLimiter
from service.api.routers import billing, connectors, exports, inbound, outbox
from service.bootstrap import Container, get_container
from service.observability import health
from service.observability.logging import configure_logging, is_configured
from service.web.mount import install as install_web

DESCRIPTION = """Construction documents (invoices, pay applications, lien waivers, drawing
sets) in; validated JSON out. Authenticate with `Authorization: Bearer dp_…` (keys in the
query string are refused). Errors are always JSON `{"code", "message"}`."""


class Health(BaseModel):
    """The liveness answer."""

    status: str


def create_app(container: Container | None = None, queue: TaskQueue | None = None) -> FastAPI:
    """The HTTP API over this container, sending jobs to this queue."""
    container = container or get_container()
    if not is_configured():
        configure_logging(container.settings)
    app = FastAPI(title="docproc", version="1", description=DESCRIPTION)
    app.state.container = container
    app.state.queue = queue or CeleryTaskQueue()
    app.state.limiter = RateLimiter(container.settings.api.requests_per_minute)
    install_error_handler(app)
    app.include_router(documents.router)
    app.include_router(provenance.router)
    for delivery in (outbox, connectors, exports):
        app.include_router(delivery.router)
    app.include_router(inbound.router)
    app.include_router(billing.router)
    install_web(app)
    app.include_router(health.router)  # /readyz, /metrics

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        """Liveness: 200 without a key."""
        return Health(status="ok")

    return app


def create_served_app() -> FastAPI:
    """The app as `docproc api` serves it, built inside each server process (uvicorn's
    `--workers` start every process from this import string): keys redacted from the access
    log, then `create_app()`."""
    from service.api.logs import install_access_log_redaction

    install_access_log_redaction()
    queue = CeleryTaskQueue()
    queue.warm()
    return create_app(queue=queue)
