"""The web app's HTML pages: sign-in, upload, review queue and review screen, documents list
and detail, drawing register, reports. Thin: read the request, call a query, render.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated

import anyio
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.api.errors import not_found
from service.api.intake import reprocess
from service.db.documents import get_document
from service.db.session import unit_of_work
from service.db.tables import DocumentRecord, DocumentStatus, utcnow
from service.web import queries, register, reports
from service.web.accounts import sign_in_with_key, sign_in_with_password, sign_out
from service.web.rendering import LOGIN_CSS, page
from service.web.security import (
    COOKIE,
    COOKIE_PATH,
    CSP,
    LOGIN_COOKIE,
    CsrfDep,
    SessionDep,
    caller_of,
    container_of,
    new_login_token,
)
from service.web.workbench import review_context

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    """The site root goes to the web app."""
    return RedirectResponse("/app/", status_code=307)


@router.get("/app")
@router.get("/app/")
def home(web: SessionDep) -> RedirectResponse:
    """The web app's front door: the upload page."""
    return RedirectResponse("/app/upload", status_code=303)


@router.get("/app/login")
def login_form(request: Request, error: str | None = None) -> Response:
    """The sign-in form (email + password, or an API key)."""
    token, nonce = new_login_token(), new_login_token()
    response = page(
        request,
        "login.html",
        None,
        "login",
        login_token=token,
        error=error,
        style_nonce=nonce,
        login_css=LOGIN_CSS,
    )
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", f"style-src 'nonce-{nonce}'"
    )
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path=COOKIE_PATH)
    return response


@router.post("/app/login")
def login(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    api_key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the credentials; on success set the session cookie and go to the app."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or csrf_token != expected:
        return login_form(request, "The sign-in form expired. Please try again.")
    container = container_of(request)
    ttl = timedelta(hours=container.settings.web.session_hours)
    with unit_of_work(container.sessions) as session:
        if api_key.strip():
            opened = sign_in_with_key(session, api_key, ttl)
        else:
            opened = sign_in_with_password(session, email, password, ttl)
    if opened is None:
        return login_form(request, "That email and password (or API key) did not match.")
    response = RedirectResponse("/app/upload", status_code=303)
    response.set_cookie(
        COOKIE,
        opened[0],
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=container.settings.web.cookie_secure,
        path=COOKIE_PATH,
    )
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/app/logout")
def logout(request: Request, web: CsrfDep) -> Response:
    """End the session and go back to the sign-in page."""
    with unit_of_work(container_of(request).sessions) as session:
        sign_out(session, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/app/login", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.get("/app/upload")
def upload_page(request: Request, web: SessionDep) -> Response:
    """Drag-and-drop upload with progress and live status."""
    return page(request, "upload.html", web, "upload")


@router.get("/app/review")
def review_queue(request: Request, web: SessionDep) -> Response:
    """Documents that need review, oldest first."""
    with container_of(request).sessions() as session:
        rows = queries.review_queue(session, web.tenant_id)
    return page(request, "queue.html", web, "review", rows=rows, now=utcnow())


def _document_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as error:
        raise not_found() from error


def load_document(request: Request, tenant_id: uuid.UUID, raw_id: str) -> DocumentRecord:
    """The tenant's document by path id, or 404."""
    with container_of(request).sessions() as session:
        document = get_document(session, tenant_id, _document_id(raw_id))
    if document is None:
        raise not_found()
    return document


@router.get("/app/documents/{document_id}/review")
async def review_screen(request: Request, document_id: str, web: SessionDep) -> Response:
    """The side-by-side review screen of one document."""
    document = load_document(request, web.tenant_id, document_id)
    context = await anyio.to_thread.run_sync(review_context, container_of(request), document)
    return page(request, "review.html", web, "review", **context)


def _parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _parse_amount(raw: str | None) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "")) if raw else None
    except InvalidOperation:
        return None


def list_filter(request: Request) -> queries.ListFilter:
    """The documents page's filter from its query string (bad values are ignored)."""
    params = request.query_params
    status = params.get("status") or None
    return queries.ListFilter(
        status=status if status in set(DocumentStatus) else None,
        document_type=params.get("type") or None,
        vendor=(params.get("vendor") or "").strip()[:200] or None,
        project=(params.get("project") or "").strip()[:200] or None,
        date_from=_parse_date(params.get("from")),
        date_to=_parse_date(params.get("to")),
        amount_min=_parse_amount(params.get("min")),
        amount_max=_parse_amount(params.get("max")),
        q=(params.get("q") or "").strip()[:200] or None,
    )


@router.get("/app/documents")
def documents_page(request: Request, web: SessionDep, cursor: str | None = None) -> Response:
    """All documents, filtered and searchable, newest first, 50 a page."""
    where = list_filter(request)
    with container_of(request).sessions() as session:
        rows, next_cursor = queries.list_page(session, web.tenant_id, where, cursor)
    params = {k: v for k, v in request.query_params.items() if k != "cursor" and v}
    return page(
        request,
        "documents.html",
        web,
        "documents",
        rows=rows,
        where=where,
        next_cursor=next_cursor,
        params=params,
        statuses=list(DocumentStatus),
    )


@router.get("/app/documents/{document_id}")
def document_page(request: Request, document_id: str, web: SessionDep) -> Response:
    """One document: its status, event history, versions and exports."""
    document = load_document(request, web.tenant_id, document_id)
    with container_of(request).sessions() as session:
        found = queries.history(session, document.id)
    latest = found.versions[-1].version if found.versions else None
    return page(
        request,
        "document.html",
        web,
        "documents",
        document=document,
        history=found,
        approved=queries.is_approved(found.events, latest),
    )


@router.post("/app/documents/{document_id}/reprocess")
def reprocess_document(request: Request, document_id: str, web: CsrfDep) -> Response:
    """Extract the document again, then show it."""
    document = load_document(request, web.tenant_id, document_id)
    reprocess(container_of(request), request.app.state.queue, caller_of(web), document.id)
    return RedirectResponse(f"/app/documents/{document.id}", status_code=303)


def _period(request: Request) -> reports.Period:
    today = utcnow().date()
    start = _parse_date(request.query_params.get("from")) or today - timedelta(days=30)
    end = _parse_date(request.query_params.get("to")) or today
    return reports.Period(min(start, end), max(start, end))


@router.get("/app/drawings")
def drawings_page(request: Request, web: SessionDep) -> Response:
    """The drawing register, per project."""
    with container_of(request).sessions() as session:
        found = register.drawing_register(session, web.tenant_id)
    return page(request, "drawings.html", web, "drawings", register=found)


@router.get("/app/reports")
def reports_page(request: Request, web: SessionDep) -> Response:
    """Spend, invoices waiting and processing health over a period."""
    period = _period(request)
    with container_of(request).sessions() as session:
        spend = reports.spend(session, web.tenant_id, period)
        waiting = reports.waiting(session, web.tenant_id)
        health = reports.health(session, web.tenant_id, period)
    return page(
        request,
        "reports.html",
        web,
        "reports",
        period=period,
        spend=spend,
        waiting=waiting,
        health=health,
        days=reports.day_bars(health),
        now=utcnow(),
    )
