"""Xero: an approved invoice becomes an ACCPAY (bill) invoice with the original PDF attached.

Calls (accounting API 2.0, `Authorization: Bearer` and `xero-tenant-id` on each):
`GET Invoices?where=Type=="ACCPAY" AND InvoiceNumber=="…"` (the contact compared by
normalised name) before creating; `PUT Invoices` with an `Idempotency-Key` derived from the
outbox row; `GET Invoices/{id}/Attachments` and `PUT Invoices/{id}/Attachments/{FileName}`
(raw bytes, also with an Idempotency-Key). Xero matches the contact by name and creates it
when new; a learned alias supplies a ContactID instead. Must not touch the database.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from models import Envelope, Invoice
from service.connectors import (
    DeliveryDocument,
    ExternalRef,
    PermanentError,
    invoice_key,
    invoice_of,
    split_invoice_key,
)
from service.connectors.http import check, json_of
from service.connectors.matching import AliasBook, Candidate, best_match
from service.connectors.oauth import OAuthClient

NAME = "xero"
DEFAULT_BASE_URL = "https://api.xero.com"
TOKEN_URL = "https://identity.xero.com/connect/token"


def error_message(response: httpx.Response) -> str:
    """Xero's ValidationErrors (or ApiException / problem detail) as words for a person."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:300]
    problems = [
        str(error.get("Message"))
        for element in body.get("Elements") or []
        for error in element.get("ValidationErrors") or []
    ]
    if problems:
        return "; ".join(problems)
    return str(body.get("Message") or body.get("Detail") or body.get("Title") or body)[:300]


def _literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class XeroConnector:
    """ACCPAY invoices in one Xero organisation (tenant)."""

    name = NAME

    def __init__(
        self,
        oauth: OAuthClient,
        xero_tenant_id: str,
        account_code: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        aliases: AliasBook | None = None,
    ) -> None:
        self._oauth = oauth
        self._root = f"{base_url.rstrip('/')}/api.xro/2.0"
        self._tenant = xero_tenant_id
        self._account = account_code
        self._aliases = aliases or AliasBook()

    def _call(
        self, method: str, path: str, idempotency_key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"xero-tenant-id": self._tenant, "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        headers.update(kwargs.pop("headers", {}))
        response = self._oauth.request(method, f"{self._root}/{path}", headers, **kwargs)
        return check(response, error_message)

    def _find(self, vendor: str, number: str) -> dict[str, Any] | None:
        where = f'Type=="ACCPAY" AND InvoiceNumber=={_literal(number)}'
        found = json_of(self._call("GET", "Invoices", params={"where": where})).get("Invoices", [])
        by_contact = {
            str(row["InvoiceID"]): Candidate(str(row["InvoiceID"]), row["Contact"]["Name"])
            for row in found
            if row.get("Status") not in ("DELETED", "VOIDED")
        }
        alias = self._aliases.vendor(vendor)
        match = best_match(alias.name if alias else vendor, by_contact.values())
        if match is None:
            return None
        chosen: dict[str, Any] = next(r for r in found if str(r["InvoiceID"]) == match.id)
        return chosen

    def _contact(self, vendor: str) -> dict[str, str]:
        alias = self._aliases.vendor(vendor)
        if alias is not None and alias.id:
            return {"ContactID": alias.id}
        return {"Name": alias.name if alias else vendor}

    def _body(self, invoice: Invoice, document: DeliveryDocument) -> dict[str, Any]:
        lines = [
            {
                "Description": line.description or "—",
                "Quantity": str(line.quantity) if line.quantity is not None else "1",
                "UnitAmount": str(line.unit_price if line.unit_price is not None else line.amount),
                "LineAmount": str(line.amount),
                "AccountCode": self._account,
            }
            for line in invoice.line_items
            if line.amount is not None
        ]
        if not lines and invoice.total is not None:
            lines = [
                {
                    "Description": "Invoice total",
                    "Quantity": "1",
                    "UnitAmount": str(invoice.total),
                    "AccountCode": self._account,
                }
            ]
        if not lines:
            raise PermanentError("the invoice has neither line amounts nor a total")
        body: dict[str, Any] = {
            "Type": "ACCPAY",
            "Contact": self._contact(str(invoice.vendor.name)),
            "InvoiceNumber": invoice.invoice_number,
            "Reference": invoice.po_number or invoice.project.number or document.project_hint,
            "LineItems": lines,
            "LineAmountTypes": "Exclusive",
            "Status": "DRAFT",
        }
        if invoice.invoice_date:
            body["Date"] = invoice.invoice_date.isoformat()
        if invoice.due_date:
            body["DueDate"] = invoice.due_date.isoformat()
        if invoice.currency:
            body["CurrencyCode"] = invoice.currency
        return {key: value for key, value in body.items() if value is not None}

    def _attach(self, invoice_id: str, document: DeliveryDocument) -> None:
        listing = json_of(self._call("GET", f"Invoices/{invoice_id}/Attachments"))
        if any(a.get("FileName") == document.filename for a in listing.get("Attachments", [])):
            return
        self._call(
            "PUT",
            f"Invoices/{invoice_id}/Attachments/{quote(document.filename, safe='')}",
            f"{document.delivery_id}-attachment",
            content=document.content,
            headers={"Content-Type": document.media_type},
        )

    def push(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        """The invoice as an ACCPAY invoice (found by number + contact, else created) + PDF."""
        invoice = invoice_of(result)
        vendor, number = str(invoice.vendor.name), str(invoice.invoice_number)
        found = self._find(vendor, number)
        if found is None:
            body = {"Invoices": [self._body(invoice, document)]}
            created = json_of(
                self._call("PUT", "Invoices", f"{document.delivery_id}-invoice", json=body)
            )
            found = created["Invoices"][0]
        invoice_id = str(found["InvoiceID"])
        self._attach(invoice_id, document)
        return ExternalRef(NAME, invoice_id, invoice_key(vendor, number))

    def lookup(self, external_key: str) -> ExternalRef | None:
        """The ACCPAY invoice stored under `vendor|number`, or None."""
        vendor, number = split_invoice_key(external_key)
        found = self._find(vendor, number)
        return ExternalRef(NAME, str(found["InvoiceID"]), external_key) if found else None
