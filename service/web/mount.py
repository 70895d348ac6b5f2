"""Mounting the web app on the API's FastAPI app: its routers and the sign-in redirect.

Kept apart from the package's `__init__` so importing `service.web.accounts` (the `users`
command) does not import the API.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from service.web import api, files, pages
from service.web.security import SignInRequiredError, sign_in_redirect


async def _sign_in_required(request: Request, _error: Exception) -> Response:
    return sign_in_redirect(request)


def install(app: FastAPI) -> None:
    """Mount the web app's routes on `app`."""
    app.include_router(pages.router)
    app.include_router(files.router)
    app.include_router(api.router)
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
