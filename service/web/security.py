"""The web app's gate: who is signed in (session cookie), CSRF checks, and security headers.

Every page and asset depends on `require_session`; a request without a live session is sent
to the sign-in page (pages) or refused with 401 (fetch/XHR). Every state-changing request
depends on `require_csrf`: the session's token in the `X-CSRF-Token` header or, for plain
forms, a `csrf_token` field. Must not do a route's work.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from service.api.errors import ApiError
from service.bootstrap import Container
from service.db.tenants import Caller
from service.web.accounts import WebSession, session_for

COOKIE = "docproc_session"
LOGIN_COOKIE = "docproc_login_csrf"
COOKIE_PATH = "/app"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SignInRequiredError(Exception):
    """No live session: pages redirect to the sign-in page, scripts get 401."""


def container_of(request: Request) -> Container:
    """The app's container."""
    container: Container = request.app.state.container
    return container


def require_session(request: Request) -> WebSession:
    """The signed-in session behind the cookie, or SignInRequiredError."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        raise SignInRequiredError()
    with container_of(request).sessions() as session:
        found = session_for(session, token)
    if found is None:
        raise SignInRequiredError()
    return found


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


async def require_csrf(
    request: Request, web: Annotated[WebSession, Depends(require_session)]
) -> WebSession:
    """The session, once the request proves it came from our own page (CSRF token)."""
    presented = request.headers.get("x-csrf-token", "")
    content_type = request.headers.get("content-type", "")
    if not presented and content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        value = form.get("csrf_token")
        presented = value if isinstance(value, str) else ""
    if (
        not _same_origin(request)
        or not presented
        or not hmac.compare_digest(presented.encode(), web.csrf_token.encode())
    ):
        raise ApiError(403, "csrf_failed", "this form has expired; reload the page and try again")
    return web


def caller_of(web: WebSession) -> Caller:
    """The API's notion of a caller for a web session (its tenant; the session as the key)."""
    return Caller(web.tenant_id, uuid.uuid5(uuid.NAMESPACE_URL, web.id), "web")


def new_login_token() -> str:
    """A fresh token for the sign-in form's double-submit cookie."""
    return secrets.token_urlsafe(24)


def add_security_headers(response: Response) -> Response:
    """No framing, no sniffing, no inline script, no caching of tenant data."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def sign_in_redirect(request: Request) -> Response:
    """Where a request without a session goes: the sign-in page, or 401 for scripts."""
    accept = request.headers.get("accept", "")
    scripted = "application/json" in accept or "text/event-stream" in accept
    if request.method == "GET" and not scripted and not request.headers.get("x-csrf-token"):
        return add_security_headers(RedirectResponse("/app/login", status_code=303))
    from fastapi.responses import JSONResponse

    body = {"code": "unauthorized", "message": "sign in first"}
    return add_security_headers(JSONResponse(body, status_code=401))


SessionDep = Annotated[WebSession, Depends(require_session)]
CsrfDep = Annotated[WebSession, Depends(require_csrf)]
