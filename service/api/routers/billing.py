"""`GET /v1/pay-applications/missing-waivers`: a tenant's pay applications no lien waiver covers.

Built from the latest result of each document (a person's correction wins); the matching is
`extractors.billing.match_waivers`'s (claimant ~ contractor, project, through date ~ period
to, amount ~ current payment due). Reads only; must not change rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from extractors.billing import unmatched_pay_apps
from models import DocumentType, Envelope, Invoice, LienWaiver
from service.api.deps import CallerDep, ContainerDep
from service.api.errors import ERROR_RESPONSES
from service.db.documents import latest_result
from service.db.tables import DocumentRecord, DocumentStatus

router = APIRouter(tags=["billing"], responses=ERROR_RESPONSES)

MAX_DOCUMENTS = 10_000
_LISTED = (DocumentStatus.EXTRACTED, DocumentStatus.NEEDS_REVIEW, DocumentStatus.EXPORTED)
_BILLING = (DocumentType.PAY_APPLICATION.value, DocumentType.LIEN_WAIVER.value)


class MissingWaiver(BaseModel):
    """A pay application with no lien waiver covering it."""

    document_id: str
    filename: str | None
    contractor: str | None
    project_name: str | None
    project_number: str | None
    application_number: str | None
    period_to: date | None
    current_payment_due: str | None


class MissingWaivers(BaseModel):
    """The answer: every uncovered pay application, oldest first."""

    pay_applications: list[MissingWaiver]


def _row(document: DocumentRecord, invoice: Invoice) -> MissingWaiver:
    summary = invoice.pay_application
    due = summary.current_payment_due if summary else None
    return MissingWaiver(
        document_id=str(document.id),
        filename=document.filename,
        contractor=invoice.vendor.name,
        project_name=invoice.project.name,
        project_number=invoice.project.number,
        application_number=summary.application_number if summary else None,
        period_to=summary.period_to if summary else None,
        current_payment_due=None if due is None else f"{due:.2f}",
    )


def pay_apps_missing_waivers(container: Any, tenant_id: Any) -> list[MissingWaiver]:
    """A tenant's pay applications (latest results) that no stored lien waiver covers."""
    pay_apps: list[tuple[DocumentRecord, Invoice]] = []
    waivers: list[LienWaiver] = []
    with container.sessions() as session:
        query = (
            select(DocumentRecord)
            .where(
                DocumentRecord.tenant_id == tenant_id,
                DocumentRecord.status.in_(_LISTED),
                DocumentRecord.duplicate_of.is_(None),
                DocumentRecord.document_type.in_(_BILLING),
            )
            .order_by(DocumentRecord.created_at, DocumentRecord.id)
            .limit(MAX_DOCUMENTS)
        )
        for document in session.scalars(query):
            result = latest_result(session, document.id)
            if result is None:
                continue
            envelope = Envelope.model_validate(result.envelope)
            if envelope.document_type is DocumentType.LIEN_WAIVER and envelope.lien_waiver:
                waivers.append(envelope.lien_waiver)
            elif envelope.document_type is DocumentType.PAY_APPLICATION and envelope.invoice:
                pay_apps.append((document, envelope.invoice))
    missing = unmatched_pay_apps([invoice for _, invoice in pay_apps], waivers)
    return [_row(*pay_apps[index]) for index in missing]


@router.get(
    "/v1/pay-applications/missing-waivers",
    summary="Pay applications without a matching lien waiver",
    response_model=MissingWaivers,
)
def missing_waivers(container: ContainerDep, caller: CallerDep) -> MissingWaivers:
    """Every pay application of the caller's tenant that no lien waiver covers."""
    return MissingWaivers(pay_applications=pay_apps_missing_waivers(container, caller.tenant_id))
