"""Procore: drawing sets into a project's drawing area; subcontractor invoices as requisitions.

Shapes as documented for the REST API v1.0 (`Authorization: Bearer` + `Procore-Company-Id`):
- drawings: `POST /rest/v1.0/projects/{project_id}/drawing_uploads` (multipart: the PDF plus
  `drawing_upload[drawing_area_id]`, and per sheet its number, title and revision), after
  `GET …/drawing_uploads` finds none with this delivery's `origin_id`;
- invoices / pay applications: the commitment is found among
  `GET /rest/v1.0/work_order_contracts?project_id=…` by vendor name (aliases, then fuzzy);
  `GET /rest/v1.0/requisitions?project_id=…&commitment_id=…` is searched for our
  `origin_id` before `POST /rest/v1.0/requisitions?project_id=…&commitment_id=…` creates one.
No matching commitment is a permanent failure (a person assigns it). Must not touch the
database.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from models import Envelope
from service.connectors import (
    DeliveryDocument,
    ExternalRef,
    PermanentError,
    invoice_of,
)
from service.connectors.http import check
from service.connectors.matching import AliasBook, Candidate, best_match
from service.connectors.oauth import OAuthClient

NAME = "procore"
DEFAULT_BASE_URL = "https://api.procore.com"
TOKEN_URL = "https://login.procore.com/oauth/token"


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        errors = body.get("errors") or body.get("error") or body.get("message") or body
        return str(errors)[:300]
    return str(body)[:300]


class ProcoreConnector:
    """One Procore project of one company."""

    name = NAME

    def __init__(
        self,
        oauth: OAuthClient,
        company_id: str,
        project_id: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        aliases: AliasBook | None = None,
    ) -> None:
        self._oauth = oauth
        self._root = f"{base_url.rstrip('/')}/rest/v1.0"
        self._company = company_id
        self._project = project_id
        self._aliases = aliases or AliasBook()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Procore-Company-Id": self._company, "Accept": "application/json"}
        response = self._oauth.request(method, f"{self._root}/{path}", headers, **kwargs)
        check(response, _message)
        try:
            return response.json()
        except ValueError:
            return {}

    def push(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        """A drawing upload for a drawing set, a requisition for an invoice."""
        if result.drawing_set is not None:
            return self._push_drawings(document, result)
        return self._push_requisition(document, result)

    def _push_drawings(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        origin = str(document.delivery_id)
        found = self._find_upload(origin)
        if found is not None:
            return found
        assert result.drawing_set is not None
        sheets = [
            {"number": s.sheet_number, "title": s.sheet_title, "revision": s.revision}
            for s in result.drawing_set.sheets
        ]
        data = {"drawing_upload[origin_id]": origin, "drawing_upload[drawings]": json.dumps(sheets)}
        files = {
            "drawing_upload[files][]": (document.filename, document.content, document.media_type)
        }
        created = self._call(
            "POST", f"projects/{self._project}/drawing_uploads", data=data, files=files
        )
        return ExternalRef(NAME, str(created.get("id")), origin)

    def _find_upload(self, origin: str) -> ExternalRef | None:
        listing = self._call("GET", f"projects/{self._project}/drawing_uploads")
        for upload in listing if isinstance(listing, list) else []:
            if str(upload.get("origin_id")) == origin:
                return ExternalRef(NAME, str(upload.get("id")), origin)
        return None

    def _commitment(self, vendor: str) -> Candidate:
        alias = self._aliases.vendor(vendor)
        contracts = self._call("GET", "work_order_contracts", params={"project_id": self._project})
        candidates = [
            Candidate(str(c["id"]), str((c.get("vendor") or {}).get("name") or ""))
            for c in contracts
            if isinstance(c, dict)
        ]
        found = best_match(alias.name if alias else vendor, candidates)
        if found is None:
            raise PermanentError(f"no commitment for vendor {vendor!r} in project {self._project}")
        return found

    def _push_requisition(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        invoice = invoice_of(result)
        commitment = self._commitment(str(invoice.vendor.name))
        origin = f"docproc:{document.id}"
        params = {"project_id": self._project, "commitment_id": commitment.id}
        existing = self._call("GET", "requisitions", params=params)
        for requisition in existing if isinstance(existing, list) else []:
            if requisition.get("origin_id") == origin:
                return ExternalRef(NAME, str(requisition["id"]), origin)
        pay_app = invoice.pay_application
        period = pay_app.period_to if pay_app and pay_app.period_to else invoice.invoice_date
        body = {
            "requisition": {
                "origin_id": origin,
                "origin_data": json.dumps({"invoice_number": invoice.invoice_number}),
                "invoice_number": invoice.invoice_number,
                "period_end": period.isoformat() if period else None,
            }
        }
        created = self._call("POST", "requisitions", params=params, json=body)
        return ExternalRef(NAME, str(created.get("id")), origin)

    def lookup(self, external_key: str) -> ExternalRef | None:
        """A drawing upload by its origin id (requisitions are found within `push`)."""
        return self._find_upload(external_key)
