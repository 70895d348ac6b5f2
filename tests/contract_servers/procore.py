"""Procore contract server: the REST v1.0 subset docproc calls.

`/oauth/token` (refresh-token rotation), and with `Authorization: Bearer` +
`Procore-Company-Id`: `GET /rest/v1.0/work_order_contracts?project_id=` (commitments, seeded
by the test), `GET|POST /rest/v1.0/requisitions?project_id=&commitment_id=` (a
subcontractor's pay application; `{"requisition": {…}}`), and `GET|POST
/rest/v1.0/projects/{id}/drawing_uploads` (multipart, sheets as JSON). Errors are Procore's
`{"errors": …}` bodies (401, 403, 404, 422 with field messages, 429, 500).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from typing import Any

from tests.contract_servers.base import Api, Request, Response, Store, main, now_iso

COMPANY_ID = "4268"
_UPLOADS = re.compile(r"^/rest/v1\.0/projects/(\d+)/drawing_uploads$")


class ProcoreApi(Api):
    """Commitments, requisitions and drawing uploads of one company's projects."""

    name = "procore"
    token_path = "/oauth/token"

    def error(self, status: int, message: str) -> Response:
        """Procore's error body."""
        return Response(status, {"errors": message})

    def unauthorized(self) -> Response:
        """Procore's 401."""
        return Response(401, {"errors": "Unauthorized", "message": "token expired"})

    def seed_commitment(self, project_id: str, commitment_id: str, vendor: str) -> None:
        """A work order contract (commitment) of a vendor on a project."""
        self.store.put(
            "Commitment",
            commitment_id,
            {
                "id": int(commitment_id),
                "project_id": project_id,
                "title": f"{vendor} subcontract",
                "number": f"SC-{commitment_id}",
                "status": "Approved",
                "vendor": {"id": 900 + int(commitment_id), "name": vendor},
            },
        )

    def handle(self, request: Request) -> Response:
        """Check the company header and route."""
        if request.headers.get("procore-company-id") != COMPANY_ID:
            return Response(403, {"errors": "You do not have access to this company"})
        with self.store.lock:
            if request.path == "/rest/v1.0/work_order_contracts":
                project = request.query.get("project_id")
                rows = [c for c in self.store.all("Commitment") if c["project_id"] == project]
                return Response(200, rows)
            if request.path == "/rest/v1.0/requisitions":
                return self._requisitions(request)
            match = _UPLOADS.match(request.path)
            if match is not None:
                return self._uploads(request, match.group(1))
        return Response(404, {"errors": "Not Found"})

    def _requisitions(self, request: Request) -> Response:
        commitment = self.store.get("Commitment", request.query.get("commitment_id", ""))
        if commitment is None or commitment["project_id"] != request.query.get("project_id"):
            return Response(404, {"errors": "Commitment not found"})
        if request.method == "GET":
            rows = [
                r for r in self.store.all("Requisition") if r["commitment_id"] == commitment["id"]
            ]
            return Response(200, rows)
        given = (request.json() or {}).get("requisition") or {}
        if not given.get("invoice_number"):
            return Response(422, {"errors": {"invoice_number": ["can't be blank"]}})
        row = {
            **given,
            "id": self.store.next_id(),
            "commitment_id": commitment["id"],
            "status": "draft",
            "created_at": now_iso(),
        }
        self.store.put("Requisition", str(row["id"]), row)
        return Response(201, row)

    def _uploads(self, request: Request, project_id: str) -> Response:
        if request.method == "GET":
            rows = [u for u in self.store.all("DrawingUpload") if u["project_id"] == project_id]
            return Response(200, rows)
        head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            fields[name] = len(data) if part.get_filename() else data.decode()
        if not fields.get("drawing_upload[files][]"):
            return Response(422, {"errors": {"files": ["must be present"]}})
        upload = {
            "id": self.store.next_id(),
            "project_id": project_id,
            "status": "processing",
            "origin_id": fields.get("drawing_upload[origin_id]"),
            "drawings": json.loads(fields.get("drawing_upload[drawings]") or "[]"),
        }
        self.store.put("DrawingUpload", str(upload["id"]), upload)
        return Response(201, upload)

    def records(self) -> dict[str, Any]:
        """Requisitions and drawing uploads, for counting."""
        return {
            "requisitions": self.store.all("Requisition"),
            "drawing_uploads": self.store.all("DrawingUpload"),
        }


def make_api(store: Store, oauth: Any) -> Api:
    """The API over a store."""
    return ProcoreApi(store, oauth)


if __name__ == "__main__":
    main(make_api)
