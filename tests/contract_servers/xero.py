"""Xero contract server: the accounting API 2.0 subset docproc calls.

`/connect/token` (refresh-token rotation with a 30-minute grace for the previous one, Basic
client auth), and under `/api.xro/2.0/`: `GET Invoices?where=…` (`Field=="value"` joined by
AND or &&, or `InvoiceNumbers=`), `PUT|POST Invoices` (contact matched by name, created
when new), `GET Invoices/{id}/Attachments`, `PUT Invoices/{id}/Attachments/{FileName}`.
Every call needs `Authorization: Bearer` and `xero-tenant-id`; `Idempotency-Key` replays the
first answer. Errors are Xero's: ValidationException with `Elements[].ValidationErrors`
(400), problem details (401/403), ApiException (500), 429 with Retry-After.
"""

from __future__ import annotations

import re
import time
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from tests.contract_servers.base import Api, Request, Response, Store, main

TENANT_ID = "8f6b3c1e-0000-4000-8000-00000000x3r0".replace("x3r0", "0001")
ACCOUNT_CODES = frozenset({"300", "310", "400", "429", "453"})
_CONDITION = re.compile(r'([\w.]+)\s*==\s*"((?:[^"\\]|\\.)*)"')
_ATTACHMENTS = re.compile(r"^/api\.xro/2\.0/Invoices/([^/]+)/Attachments(?:/(.+))?$")


def _date() -> str:
    return f"/Date({int(time.time() * 1000)}+0000)/"


def validation(invoice: dict[str, Any], *messages: str) -> Response:
    """Xero's 400 ValidationException body."""
    element = {**invoice, "ValidationErrors": [{"Message": m} for m in messages]}
    return Response(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [element],
        },
    )


def _get(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class XeroApi(Api):
    """One Xero organisation's contacts, ACCPAY invoices and attachments."""

    name = "xero"
    token_path = "/connect/token"

    def error(self, status: int, message: str) -> Response:
        """Xero's error body for a status."""
        if status == 429:
            return Response(
                429,
                {"Title": "Too Many Requests", "Status": 429, "Detail": message},
                {"X-Rate-Limit-Problem": "minute"},
            )
        return Response(status, {"ErrorNumber": 500, "Type": "ApiException", "Message": message})

    def unauthorized(self) -> Response:
        """Xero's 401 problem detail."""
        return Response(
            401,
            {
                "Type": None,
                "Title": "Unauthorized",
                "Status": 401,
                "Detail": "TokenExpired: token expired",
                "Extensions": {},
            },
        )

    def handle(self, request: Request) -> Response:
        """Check the tenant header, replay idempotent answers, route."""
        if request.headers.get("xero-tenant-id") != TENANT_ID:
            return Response(
                403,
                {
                    "Type": None,
                    "Title": "Forbidden",
                    "Status": 403,
                    "Detail": "AuthorizationUnsuccessful",
                },
            )
        key = request.headers.get("idempotency-key")
        if request.method in ("PUT", "POST") and key:
            with self.store.lock:
                replay = self.store.answer(f"{request.path}:{key}")
                if replay is not None:
                    return replay
                response = self._route(request)
                if response.status < 500:
                    self.store.remember(f"{request.path}:{key}", response)
                return response
        with self.store.lock:
            return self._route(request)

    def _route(self, request: Request) -> Response:
        if request.path == "/api.xro/2.0/Invoices":
            if request.method == "GET":
                return self._list(request)
            return self._create(request)
        match = _ATTACHMENTS.match(request.path)
        if match is not None:
            invoice_id, filename = match.groups()
            if self.store.get("Invoice", invoice_id) is None:
                return Response(404, {"Title": "Not Found", "Status": 404})
            if request.method == "GET":
                return Response(200, {"Attachments": self._attachments(invoice_id)})
            if request.method in ("PUT", "POST") and filename:
                return self._attach(invoice_id, unquote(filename), request)
        return Response(404, {"Title": "Not Found", "Status": 404})

    def _list(self, request: Request) -> Response:
        rows = self.store.all("Invoice")
        where = request.query.get("where", "")
        for name, value in _CONDITION.findall(where):
            wanted = re.sub(r"\\(.)", r"\1", value)
            rows = [row for row in rows if str(_get(row, name)) == wanted]
        numbers = request.query.get("InvoiceNumbers")
        if numbers:
            rows = [row for row in rows if row["InvoiceNumber"] in numbers.split(",")]
        return Response(
            200,
            {
                "Id": str(uuid.uuid4()),
                "Status": "OK",
                "ProviderName": "docproc",
                "DateTimeUTC": _date(),
                "Invoices": rows,
            },
        )

    def _contact(self, given: dict[str, Any]) -> dict[str, Any] | None:
        contacts = self.store.all("Contact")
        if given.get("ContactID"):
            return next((c for c in contacts if c["ContactID"] == given["ContactID"]), None)
        name = str(given.get("Name") or "").strip()
        if not name:
            return None
        found = next((c for c in contacts if c["Name"].lower() == name.lower()), None)
        if found is None:
            found = {"ContactID": str(uuid.uuid4()), "Name": name, "ContactStatus": "ACTIVE"}
            self.store.put("Contact", found["ContactID"], found)
        return found

    def _problems(self, invoice: dict[str, Any]) -> list[str]:
        problems = []
        if invoice.get("Type") not in ("ACCPAY", "ACCREC"):
            problems.append("Invoice Type must be specified")
        lines = invoice.get("LineItems") or []
        if not lines:
            problems.append("At least one line item must be specified")
        if any(str(line.get("AccountCode")) not in ACCOUNT_CODES for line in lines):
            problems.append("Account code '…' is not a valid code for this document.")
        if len(str(invoice.get("InvoiceNumber") or "")) > 255:
            problems.append("Invoice Number must be 255 characters or less")
        return problems

    def _create(self, request: Request) -> Response:
        body = request.json() or {}
        given = (body.get("Invoices") or [{}])[0] if "Invoices" in body else body
        problems = self._problems(given)
        contact = self._contact(given.get("Contact") or {})
        if contact is None:
            problems.append("A Contact must be specified for this type of transaction")
        if problems:
            return validation(given, *problems)
        assert contact is not None
        lines = [
            {
                **line,
                "LineAmount": str(
                    line.get("LineAmount")
                    or Decimal(str(line.get("Quantity", 1)))
                    * Decimal(str(line.get("UnitAmount", 0)))
                ),
                "LineItemID": str(uuid.uuid4()),
            }
            for line in given["LineItems"]
        ]
        total = sum((Decimal(str(line["LineAmount"])) for line in lines), Decimal(0))
        invoice = {
            **given,
            "InvoiceID": str(uuid.uuid4()),
            "Contact": contact,
            "LineItems": lines,
            "Status": given.get("Status", "DRAFT"),
            "Total": float(total),
            "HasAttachments": False,
            "UpdatedDateUTC": _date(),
        }
        self.store.put("Invoice", invoice["InvoiceID"], invoice)
        return Response(
            200,
            {
                "Id": str(uuid.uuid4()),
                "Status": "OK",
                "ProviderName": "docproc",
                "DateTimeUTC": _date(),
                "Invoices": [invoice],
            },
        )

    def _attachments(self, invoice_id: str) -> list[dict[str, Any]]:
        return [a for a in self.store.all("Attachment") if a["InvoiceID"] == invoice_id]

    def _attach(self, invoice_id: str, filename: str, request: Request) -> Response:
        attachment_id = str(uuid.uuid4())
        attachment = {
            "AttachmentID": attachment_id,
            "FileName": filename,
            "Url": f"https://api.xero.com/api.xro/2.0/Invoices/{invoice_id}/Attachments/{filename}",
            "MimeType": request.headers.get("content-type", "application/octet-stream"),
            "ContentLength": len(request.body),
            "InvoiceID": invoice_id,
        }
        self.store.put("Attachment", attachment_id, attachment)
        return Response(200, {"Attachments": [attachment]})

    def records(self) -> dict[str, Any]:
        """Invoices (with contact names) and attachments, for counting."""
        bills = [
            {
                "id": i["InvoiceID"],
                "vendor": i["Contact"]["Name"],
                "number": i["InvoiceNumber"],
                "total": i["Total"],
            }
            for i in self.store.all("Invoice")
        ]
        attachments = [
            {"id": a["AttachmentID"], "entity": a["InvoiceID"], "file": a["FileName"]}
            for a in self.store.all("Attachment")
        ]
        return {"bills": bills, "attachments": attachments}


def make_api(store: Store, oauth: Any) -> Api:
    """The API over a store."""
    return XeroApi(store, oauth)


if __name__ == "__main__":
    main(make_api)
