"""QuickBooks Online contract server: the v3 accounting API subset docproc calls.

`/oauth2/v1/tokens/bearer` (refresh-token rotation, Basic client auth), and under
`/v3/company/{realmId}/`: `query` (SELECT * FROM Vendor|Bill|Attachable WHERE a = 'b' AND …
[MAXRESULTS n]), `vendor` and `bill` (create; `requestid` replays the first answer), `upload`
(multipart `file_metadata_01` + `file_content_01`). Errors are QBO `Fault` bodies:
ValidationFault (400, e.g. 6240 duplicate name, 2500 invalid reference, 6000 business
validation), AUTHENTICATION (401, code 3200), ThrottleExceeded (429), SystemFault (500).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from decimal import Decimal
from typing import Any

from tests.contract_servers.base import Api, Request, Response, Store, main, now_iso

ACCOUNTS = frozenset({"7", "8"})
_QUERY = re.compile(
    r"^\s*SELECT \* FROM (\w+)(?:\s+WHERE\s+(.*?))?(?:\s+MAXRESULTS\s+(\d+))?\s*$", re.I | re.S
)
_CONDITION = re.compile(r"([\w.]+)\s*=\s*'((?:[^'\\]|\\.)*)'")
_PATH = re.compile(r"^/v3/company/([^/]+)/(\w+)$")


def fault(status: int, kind: str, code: str, message: str, detail: str) -> Response:
    """A QBO Fault body."""
    error = {"Message": message, "Detail": detail, "code": code, "element": ""}
    return Response(status, {"Fault": {"Error": [error], "type": kind}, "time": now_iso()})


def _field(value: Any, path: list[str]) -> list[Any]:
    """Values at a dotted path, any case, through lists."""
    if not path:
        return [value]
    if isinstance(value, list):
        return [found for item in value for found in _field(item, path)]
    if not isinstance(value, dict):
        return []
    key = next((k for k in value if k.lower() == path[0].lower()), None)
    return _field(value[key], path[1:]) if key is not None else []


def _matches(row: dict[str, Any], conditions: list[tuple[str, str]]) -> bool:
    return all(
        any(str(v) == wanted for v in _field(row, name.split("."))) for name, wanted in conditions
    )


class QuickBooksApi(Api):
    """One QBO company's Vendors, Bills and Attachables."""

    name = "quickbooks"
    token_path = "/oauth2/v1/tokens/bearer"

    def error(self, status: int, message: str) -> Response:
        """QBO's Fault body for a status."""
        if status == 429:
            return fault(429, "ThrottleExceeded", "003001", "ThrottleExceeded", message)
        return fault(status, "SystemFault", "10000", "An application error has occurred", message)

    def unauthorized(self) -> Response:
        """QBO's 401 for an expired or unknown token."""
        return fault(
            401,
            "AUTHENTICATION",
            "3200",
            "message=AuthenticationFailed; errorCode=003200; statusCode=401",
            "Token expired or invalid",
        )

    def handle(self, request: Request) -> Response:
        """Route one request."""
        match = _PATH.match(request.path)
        if match is None:
            return fault(404, "ValidationFault", "610", "Object Not Found", request.path)
        entity = match.group(2)
        if request.method == "GET" and entity == "query":
            return self._query(request.query.get("query", ""))
        if request.method != "POST" or entity not in ("vendor", "bill", "upload"):
            return fault(400, "ValidationFault", "4000", "Unsupported operation", entity)
        key = request.query.get("requestid")
        if key:
            with self.store.lock:
                replay = self.store.answer(f"{entity}:{key}")
                if replay is not None:
                    return replay
                response: Response = getattr(self, f"_create_{entity}")(request)
                if response.status == 200:
                    self.store.remember(f"{entity}:{key}", response)
                return response
        with self.store.lock:
            created: Response = getattr(self, f"_create_{entity}")(request)
            return created

    def _query(self, statement: str) -> Response:
        parsed = _QUERY.match(statement)
        if parsed is None:
            return fault(400, "ValidationFault", "4000", "Error parsing query", statement)
        entity, where, limit = parsed.groups()
        conditions = [
            (name, re.sub(r"\\(.)", r"\1", value))
            for name, value in _CONDITION.findall(where or "")
        ]
        rows = [row for row in self.store.all(entity) if _matches(row, conditions)]
        rows = rows[: int(limit)] if limit else rows[:100]
        answer: dict[str, Any] = {}
        if rows:
            answer = {entity: rows, "startPosition": 1, "maxResults": len(rows)}
        return Response(200, {"QueryResponse": answer, "time": now_iso()})

    def _create_vendor(self, request: Request) -> Response:
        body = request.json() or {}
        name = str(body.get("DisplayName") or "").strip()
        if not name:
            return fault(
                400,
                "ValidationFault",
                "2020",
                "Required param missing, need to supply the required value for the API",
                "DisplayName",
            )
        if any(v["DisplayName"] == name for v in self.store.all("Vendor")):
            return fault(
                400,
                "ValidationFault",
                "6240",
                "Duplicate Name Exists Error",
                f"The name supplied already exists. : {name}",
            )
        vendor_id = str(self.store.next_id())
        vendor = {
            "Id": vendor_id,
            "DisplayName": name,
            "SyncToken": "0",
            "Active": True,
            "MetaData": {"CreateTime": now_iso()},
        }
        self.store.put("Vendor", vendor_id, vendor)
        return Response(200, {"Vendor": vendor, "time": now_iso()})

    def _bill_problem(self, body: dict[str, Any]) -> Response | None:
        vendor_id = str((body.get("VendorRef") or {}).get("value") or "")
        if self.store.get("Vendor", vendor_id) is None:
            return fault(
                400,
                "ValidationFault",
                "2500",
                "Invalid Reference Id",
                f"Invalid Reference Id : Vendor assigned to this transaction has been "
                f"deleted or does not exist: {vendor_id}",
            )
        lines = body.get("Line") or []
        if not lines:
            return fault(
                400,
                "ValidationFault",
                "2020",
                "Required param missing, need to supply the required value for the API",
                "Line",
            )
        for line in lines:
            account = _field(line, ["AccountBasedExpenseLineDetail", "AccountRef", "value"])
            if not account or str(account[0]) not in ACCOUNTS:
                return fault(
                    400,
                    "ValidationFault",
                    "2500",
                    "Invalid Reference Id",
                    "Invalid Reference Id : Accounts element id does not exist",
                )
        if len(str(body.get("DocNumber") or "")) > 21:
            return fault(
                400,
                "ValidationFault",
                "6000",
                "A business validation error has occurred while processing your request",
                "Business Validation Error: DocNumber is too long (max 21)",
            )
        return None

    def _create_bill(self, request: Request) -> Response:
        body = request.json() or {}
        problem = self._bill_problem(body)
        if problem is not None:
            return problem
        total = sum((Decimal(str(line.get("Amount", 0))) for line in body["Line"]), Decimal(0))
        bill = {
            **body,
            "Id": str(self.store.next_id()),
            "SyncToken": "0",
            "TotalAmt": float(total),
            "Balance": float(total),
            "MetaData": {"CreateTime": now_iso()},
        }
        self.store.put("Bill", bill["Id"], bill)
        return Response(200, {"Bill": bill, "time": now_iso()})

    def _create_upload(self, request: Request) -> Response:
        head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
        parts = {
            part.get_param("name", header="content-disposition"): part
            for part in message.iter_parts()
        }
        meta_part, content = parts.get("file_metadata_01"), parts.get("file_content_01")
        if meta_part is None or content is None:
            return fault(
                400,
                "ValidationFault",
                "2020",
                "Required param missing",
                "file_metadata_01 and file_content_01",
            )
        raw = meta_part.get_payload(decode=True)
        metadata = json.loads(raw if isinstance(raw, bytes) and raw else b"{}")
        refs = _field(metadata, ["AttachableRef", "EntityRef"])
        for ref in refs:
            if self.store.get(str(ref.get("type")), str(ref.get("value"))) is None:
                return fault(
                    400,
                    "ValidationFault",
                    "2500",
                    "Invalid Reference Id",
                    f"AttachableRef {ref} does not exist",
                )
        data = content.get_payload(decode=True) or b""
        attachable = {
            **metadata,
            "Id": str(self.store.next_id()),
            "Size": len(data),
            "FileName": content.get_filename() or metadata.get("FileName"),
            "SyncToken": "0",
        }
        self.store.put("Attachable", attachable["Id"], attachable)
        return Response(
            200, {"AttachableResponse": [{"Attachable": attachable}], "time": now_iso()}
        )

    def records(self) -> dict[str, Any]:
        """Bills (with vendor names) and attachables, for counting."""
        vendors = {v["Id"]: v["DisplayName"] for v in self.store.all("Vendor")}
        bills = [
            {
                "id": b["Id"],
                "vendor": vendors.get(str(b["VendorRef"]["value"])),
                "number": b.get("DocNumber"),
                "total": b.get("TotalAmt"),
            }
            for b in self.store.all("Bill")
        ]
        attachments = [
            {"id": a["Id"], "entity": ref.get("value"), "file": a.get("FileName")}
            for a in self.store.all("Attachable")
            for ref in _field(a, ["AttachableRef", "EntityRef"])
        ]
        return {"bills": bills, "attachments": attachments, "vendors": list(vendors.values())}


def make_api(store: Store, oauth: Any) -> Api:
    """The API over a store."""
    return QuickBooksApi(store, oauth)


if __name__ == "__main__":
    main(make_api)
