"""The HTTP API (FastAPI, /v1). `create_app` is the only entry point.

Imported lazily: workers import `service.api.queue` (the task-queue port), and loading the
package must not drag FastAPI, the routers and the web pages into every worker process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """`create_app`, imported on first use."""
    if name == "create_app":
        from service.api.app import create_app

        return create_app
    raise AttributeError(f"module 'service.api' has no attribute {name!r}")
