"""Lien waivers: the statutory conditional/unconditional x progress/final forms."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from models.invoice import Project
from models.values import Amount, Frozen


class WaiverType(StrEnum):
    """Which statutory form a waiver is."""

    CONDITIONAL_PROGRESS = "conditional_progress"
    UNCONDITIONAL_PROGRESS = "unconditional_progress"
    CONDITIONAL_FINAL = "conditional_final"
    UNCONDITIONAL_FINAL = "unconditional_final"


class LienWaiver(Frozen):
    """A lien waiver and release, as the contract shapes it."""

    waiver_type: WaiverType | None = None
    claimant: str | None = None
    customer: str | None = None
    owner: str | None = None
    project: Project = Project()
    through_date: date | None = None
    amount: Amount | None = None
    exceptions: str | None = None
    signed: bool | None = None
    signature_date: date | None = None
