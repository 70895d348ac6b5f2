"""Files the web app serves: page images, the original download, register and report exports,
and its own static assets (only files that ship in service/web/static, looked up by name in a
fixed table, never by building a path from the request). Everything needs a session.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.api import documents as api_documents
from service.api.errors import not_found
from service.web import previews, register, reports
from service.web.pages import _period, load_document
from service.web.rendering import HERE
from service.web.security import SessionDep, add_security_headers, caller_of, container_of

router = APIRouter(include_in_schema=False)

_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
STATIC = {
    path.name: (path, _TYPES[path.suffix])
    for path in (HERE / "static").iterdir()
    if path.suffix in _TYPES
}


@router.get("/app/static/{name}")
def static_file(name: str, web: SessionDep) -> Response:
    """One of the app's own CSS/JS files."""
    if name not in STATIC:
        raise not_found("file")
    path, media_type = STATIC[name]
    response = Response(path.read_bytes(), media_type=media_type)
    response.headers["Cache-Control"] = "private, max-age=300"
    return add_security_headers(response)


@router.get("/app/documents/{document_id}/pages/{number}.png")
async def page_image(request: Request, document_id: str, number: int, web: SessionDep) -> Response:
    """Page `number` (1-based) of the document as PNG, rendered once and cached."""
    document = load_document(request, web.tenant_id, document_id)
    container = container_of(request)
    source = await anyio.to_thread.run_sync(container.blobs.read_bytes, document.sha256)
    if number < 1 or number > await anyio.to_thread.run_sync(previews.page_count, source):
        raise not_found("page")
    zoom = container.settings.web.preview_zoom
    image = await anyio.to_thread.run_sync(
        previews.cached_page,
        container.settings.data_dir,
        document.sha256,
        source,
        number - 1,
        zoom,
    )
    response = Response(image, media_type="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return add_security_headers(response)


@router.get("/app/documents/{document_id}/file")
def download(request: Request, document_id: str, web: SessionDep) -> Response:
    """The original file, as an attachment (same rules as the API's download)."""
    return api_documents.download_file(document_id, container_of(request), caller_of(web))


def _attachment(body: bytes | str, media_type: str, name: str) -> Response:
    response = Response(body, media_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return add_security_headers(response)


@router.get("/app/drawings.csv")
def drawings_csv(request: Request, web: SessionDep) -> Response:
    """The drawing register as CSV."""
    with container_of(request).sessions() as session:
        found = register.drawing_register(session, web.tenant_id)
    return _attachment(register.register_csv(found), "text/csv; charset=utf-8", "drawings.csv")


@router.get("/app/drawings.pdf")
def drawings_pdf(request: Request, web: SessionDep) -> Response:
    """The drawing register as PDF."""
    with container_of(request).sessions() as session:
        found = register.drawing_register(session, web.tenant_id)
    body = register.register_pdf(found, "Drawing register")
    return _attachment(body, "application/pdf", "drawings.pdf")


@router.get("/app/reports.csv")
def reports_csv(request: Request, web: SessionDep) -> Response:
    """The spend report and the waiting invoices as CSV."""
    period = _period(request)
    with container_of(request).sessions() as session:
        spend = reports.spend(session, web.tenant_id, period)
        waiting = reports.waiting(session, web.tenant_id)
    return _attachment(reports.report_csv(spend, waiting), "text/csv; charset=utf-8", "report.csv")
