"""The HTTP API (FastAPI, /v1). `create_app` is the only entry point."""

from service.api.app import create_app

__all__ = ["create_app"]
