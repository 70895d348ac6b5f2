"""QuickBooks Online: an approved invoice becomes a Bill with the original PDF attached.

Calls (v3 REST, `minorversion` on every call): the query endpoint to find a vendor
(`SELECT * FROM Vendor WHERE DisplayName = '…'`, then every vendor for a fuzzy match), `vendor`
to create a missing one, `SELECT * FROM Bill WHERE DocNumber = '…'` (filtered to the vendor)
before creating, `bill` to create, and `upload` (multipart `file_metadata_01` +
`file_content_01`, an `AttachableRef` to the bill) unless an Attachable already points at it.
Every create carries a `requestid` derived from the outbox row, so QuickBooks answers a
repeated create with the first one's result; the DocNumber lookup covers what requestid
cannot (a retry from another delivery). Must not touch the database.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

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

NAME = "quickbooks"
DEFAULT_BASE_URL = "https://quickbooks.api.intuit.com"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
MINOR_VERSION = "75"
DUPLICATE_NAME = "6240"


def quote(value: str) -> str:
    """A value as a QuickBooks query string literal (quotes escaped with a backslash)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fault_message(response: httpx.Response) -> str:
    """The first `Fault.Error` of a QuickBooks error body, for a person."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:300]
    fault = body.get("Fault") or body.get("fault") or {}
    errors = fault.get("Error") or fault.get("error") or []
    if not errors:
        return str(body)[:300]
    first = errors[0]
    message = first.get("Message") or first.get("message") or ""
    detail = first.get("Detail") or first.get("detail") or ""
    return f"{message}: {detail} (code {first.get('code')})"


def _fault_code(response: httpx.Response) -> str | None:
    try:
        errors = response.json().get("Fault", {}).get("Error", [])
    except (ValueError, AttributeError):
        return None
    return str(errors[0].get("code")) if errors else None


def _money(value: Decimal) -> float:
    # QuickBooks takes JSON numbers; amounts are already rounded to the minor unit.
    return float(value)


class QuickBooksConnector:
    """Bills in one QuickBooks company (realm)."""

    name = NAME

    def __init__(
        self,
        oauth: OAuthClient,
        realm_id: str,
        expense_account_id: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        terms: dict[str, str] | None = None,
        aliases: AliasBook | None = None,
    ) -> None:
        self._oauth = oauth
        self._root = f"{base_url.rstrip('/')}/v3/company/{realm_id}"
        self._account = expense_account_id
        self._terms = terms or {}
        self._aliases = aliases or AliasBook()

    def _call(
        self, method: str, path: str, params: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        query = {"minorversion": MINOR_VERSION, **(params or {})}
        headers = {"Accept": "application/json"}
        return self._oauth.request(method, f"{self._root}/{path}", headers, params=query, **kwargs)

    def _query(self, statement: str, entity: str) -> list[dict[str, Any]]:
        response = check(self._call("GET", "query", {"query": statement}), fault_message)
        found = json_of(response).get("QueryResponse", {}).get(entity, [])
        return [row for row in found if isinstance(row, dict)]

    def find_vendor(self, name: str) -> Candidate | None:
        """The vendor this name means: a learned alias, the exact name, or a close one."""
        alias = self._aliases.vendor(name)
        if alias is not None and alias.id:
            return alias
        name = alias.name if alias is not None else name
        exact = self._query(f"SELECT * FROM Vendor WHERE DisplayName = {quote(name)}", "Vendor")
        if exact:
            return Candidate(str(exact[0]["Id"]), str(exact[0]["DisplayName"]))
        every = self._query("SELECT * FROM Vendor MAXRESULTS 1000", "Vendor")
        return best_match(name, (Candidate(str(v["Id"]), str(v["DisplayName"])) for v in every))

    def _canonical(self, name: str) -> str:
        alias = self._aliases.vendor(name)
        return alias.name if alias is not None else name

    def _vendor_id(self, name: str, document: DeliveryDocument) -> str:
        found = self.find_vendor(name)
        if found is not None:
            return found.id
        response = self._call(
            "POST",
            "vendor",
            {"requestid": f"{document.delivery_id.hex}v"},
            json={"DisplayName": self._canonical(name)[:500]},
        )
        if response.status_code == 400 and _fault_code(response) == DUPLICATE_NAME:
            again = self.find_vendor(name)  # created meanwhile by another push
            if again is not None:
                return again.id
        vendor = json_of(check(response, fault_message))["Vendor"]
        return str(vendor["Id"])

    def _find_bill(self, number: str, vendor_id: str) -> dict[str, Any] | None:
        bills = self._query(f"SELECT * FROM Bill WHERE DocNumber = {quote(number)}", "Bill")
        mine = [b for b in bills if str(b.get("VendorRef", {}).get("value")) == vendor_id]
        return mine[0] if mine else None

    def _bill_body(self, invoice: Invoice, vendor_id: str) -> dict[str, Any]:
        lines = [
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": _money(line.amount),
                "Description": (line.description or "")[:4000],
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": self._account}},
            }
            for line in invoice.line_items
            if line.amount is not None
        ]
        if invoice.tax_total:
            lines.append(_plain_line("Tax", invoice.tax_total, self._account))
        if not lines and invoice.total is not None:
            lines.append(_plain_line("Invoice total", invoice.total, self._account))
        if not lines:
            raise PermanentError("the invoice has neither line amounts nor a total")
        body: dict[str, Any] = {
            "VendorRef": {"value": vendor_id},
            "Line": lines,
            "DocNumber": invoice.invoice_number,
        }
        if invoice.invoice_date:
            body["TxnDate"] = invoice.invoice_date.isoformat()
        if invoice.due_date:
            body["DueDate"] = invoice.due_date.isoformat()
        if invoice.payment_terms and invoice.payment_terms in self._terms:
            body["SalesTermRef"] = {"value": self._terms[invoice.payment_terms]}
        if invoice.currency:
            body["CurrencyRef"] = {"value": invoice.currency}
        return body

    def _attach(self, bill_id: str, document: DeliveryDocument) -> None:
        statement = (
            "SELECT * FROM Attachable WHERE AttachableRef.EntityRef.Type = 'Bill' "
            f"AND AttachableRef.EntityRef.value = {quote(bill_id)}"
        )
        if self._query(statement, "Attachable"):
            return
        metadata = {
            "AttachableRef": [{"EntityRef": {"type": "Bill", "value": bill_id}}],
            "FileName": document.filename,
            "ContentType": document.media_type,
        }
        files = {
            "file_metadata_01": (None, json.dumps(metadata), "application/json"),
            "file_content_01": (document.filename, document.content, document.media_type),
        }
        params = {"requestid": f"{document.delivery_id.hex}a"}
        check(self._call("POST", "upload", params, files=files), fault_message)

    def push(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        """The invoice as a Bill (found by DocNumber + vendor, else created) with its PDF."""
        invoice = invoice_of(result)
        vendor, number = str(invoice.vendor.name), str(invoice.invoice_number)
        vendor_id = self._vendor_id(vendor, document)
        bill = self._find_bill(number, vendor_id)
        if bill is None:
            response = self._call(
                "POST",
                "bill",
                {"requestid": f"{document.delivery_id.hex}b"},
                json=self._bill_body(invoice, vendor_id),
            )
            bill = json_of(check(response, fault_message))["Bill"]
        bill_id = str(bill["Id"])
        self._attach(bill_id, document)
        return ExternalRef(NAME, bill_id, invoice_key(vendor, number))

    def lookup(self, external_key: str) -> ExternalRef | None:
        """The Bill stored under `vendor|number`, or None (nothing is created)."""
        vendor, number = split_invoice_key(external_key)
        found = self.find_vendor(vendor)
        if found is None:
            return None
        bill = self._find_bill(number, found.id)
        return ExternalRef(NAME, str(bill["Id"]), external_key) if bill else None


def _plain_line(description: str, amount: Decimal, account: str) -> dict[str, Any]:
    return {
        "DetailType": "AccountBasedExpenseLineDetail",
        "Amount": _money(amount),
        "Description": description,
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account}},
    }
