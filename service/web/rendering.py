"""Jinja2 templates with autoescaping on for everything, and the helpers pages share.

Must not query the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from service.web import wording
from service.web.accounts import WebSession
from service.web.security import add_security_headers

HERE = Path(__file__).resolve().parent
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined
)
_env.filters["money"] = wording.money
_env.filters["when"] = wording.when
_env.filters["status_label"] = wording.status_label
_env.filters["type_label"] = wording.type_label
_env.filters["tojson_attr"] = lambda value: json.dumps(value, separators=(",", ":"))
_env.globals["error_sentence"] = wording.error_sentence
templates = Jinja2Templates(env=_env)
# Our own stylesheet, inlined into the sign-in page (no asset is served before sign-in).
LOGIN_CSS = Markup((HERE / "static" / "app.css").read_text())

NAV = (
    ("upload", "/app/upload", "Upload"),
    ("review", "/app/review", "Review"),
    ("documents", "/app/documents", "Documents"),
    ("drawings", "/app/drawings", "Drawings"),
    ("reports", "/app/reports", "Reports"),
)


def page(
    request: Request,
    name: str,
    web: WebSession | None,
    section: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A template rendered with the shared layout context and the security headers."""
    context |= {"web": web, "nav": NAV, "section": section}
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    add_security_headers(response)
    return response
