"""Drawing sets: one sheet per page with its title-block read, and the NCS discipline vocabulary."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from models.values import Frozen


class Discipline(StrEnum):
    """US National CAD Standard sheet designators, as lower-case words."""

    GENERAL = "general"
    HAZARDOUS_MATERIALS = "hazardous_materials"
    SURVEY_MAPPING = "survey_mapping"
    GEOTECHNICAL = "geotechnical"
    CIVIL_WORKS = "civil_works"
    CIVIL = "civil"
    LANDSCAPE = "landscape"
    STRUCTURAL = "structural"
    ARCHITECTURAL = "architectural"
    INTERIORS = "interiors"
    EQUIPMENT = "equipment"
    FIRE_PROTECTION = "fire_protection"
    PLUMBING = "plumbing"
    PROCESS = "process"
    MECHANICAL = "mechanical"
    ELECTRICAL = "electrical"
    TELECOMMUNICATIONS = "telecommunications"
    RESOURCE = "resource"
    OTHER_DISCIPLINES = "other_disciplines"
    CONTRACTOR_SHOP_DRAWINGS = "contractor_shop_drawings"
    OPERATIONS = "operations"
    UNKNOWN = "unknown"


_DESIGNATORS: dict[str, Discipline] = {
    "G": Discipline.GENERAL,
    "H": Discipline.HAZARDOUS_MATERIALS,
    "V": Discipline.SURVEY_MAPPING,
    "B": Discipline.GEOTECHNICAL,
    "W": Discipline.CIVIL_WORKS,
    "C": Discipline.CIVIL,
    "L": Discipline.LANDSCAPE,
    "S": Discipline.STRUCTURAL,
    "A": Discipline.ARCHITECTURAL,
    "I": Discipline.INTERIORS,
    "Q": Discipline.EQUIPMENT,
    "F": Discipline.FIRE_PROTECTION,
    "P": Discipline.PLUMBING,
    "D": Discipline.PROCESS,
    "M": Discipline.MECHANICAL,
    "E": Discipline.ELECTRICAL,
    "T": Discipline.TELECOMMUNICATIONS,
    "R": Discipline.RESOURCE,
    "X": Discipline.OTHER_DISCIPLINES,
    "Z": Discipline.CONTRACTOR_SHOP_DRAWINGS,
    "O": Discipline.OPERATIONS,
}
_LEADING_LETTERS = re.compile(r"^\s*([A-Za-z]+)")


def discipline_for_sheet_number(sheet_number: str | None) -> Discipline:
    """Sheet number in (A-101, FP-101, S2.01), NCS discipline out; the first letter decides."""
    if not sheet_number:
        return Discipline.UNKNOWN
    match = _LEADING_LETTERS.match(sheet_number)
    if match is None:
        return Discipline.UNKNOWN
    return _DESIGNATORS.get(match.group(1)[0].upper(), Discipline.UNKNOWN)


class Revision(Frozen):
    """One row of a sheet's revision table."""

    revision: str | None = None
    date: dt.date | None = None
    description: str | None = None


class Sheet(Frozen):
    """One page of a drawing set, as its title block names it."""

    page: int
    sheet_number: str | None = None
    sheet_title: str | None = None
    discipline: Discipline = Discipline.UNKNOWN
    revision: str | None = None
    revision_date: dt.date | None = None
    issue_date: dt.date | None = None
    scale: str | None = None
    project_name: str | None = None
    project_number: str | None = None
    revisions: list[Revision] = []


# What a title block tells of a sheet: every field of `Sheet` but its page.
SHEET_FIELDS: tuple[str, ...] = tuple(name for name in Sheet.model_fields if name != "page")


class DrawingSet(Frozen):
    """A drawing PDF: one sheet per page."""

    sheets: list[Sheet] = []
