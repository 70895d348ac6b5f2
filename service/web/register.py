"""The drawing register: every sheet of every drawing set of a tenant, per project, with the
superseded revisions marked; and its CSV and PDF exports (the PDF drawn with PyMuPDF).

A sheet is superseded when the same project has the same sheet number in a newer revision
(higher revision, then later revision date, then the later upload). Must not touch rows.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import DocumentRecord
from service.web.queries import latest_results

if TYPE_CHECKING:
    import pymupdf

COLUMNS = ("Project", "Sheet", "Title", "Revision", "Date", "Discipline", "File", "Status")


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One sheet of one drawing set as the register lists it."""

    project: str
    sheet_number: str
    title: str
    revision: str
    revision_date: str
    discipline: str
    document_id: uuid.UUID
    filename: str
    uploaded: datetime
    superseded: bool = False

    def cells(self) -> tuple[str, ...]:
        """The row's cells in COLUMNS order."""
        status = "superseded" if self.superseded else "current"
        return (
            self.project,
            self.sheet_number,
            self.title,
            self.revision,
            self.revision_date,
            self.discipline,
            self.filename,
            status,
        )


def _revision_key(row: SheetRow) -> tuple[int, int, str, str, datetime]:
    digits = re.fullmatch(r"\D*(\d+)", row.revision or "")
    number = int(digits.group(1)) if digits else -1
    return (1 if digits else 0, number, row.revision, row.revision_date, row.uploaded)


def _rows_of(document: DocumentRecord, envelope: dict[str, object]) -> list[SheetRow]:
    drawing_set = envelope.get("drawing_set")
    sheets = drawing_set.get("sheets", []) if isinstance(drawing_set, dict) else []
    rows = []
    for sheet in sheets:
        project = (
            sheet.get("project_number")
            or sheet.get("project_name")
            or document.project_name
            or document.project_hint
            or "No project"
        )
        title = sheet.get("sheet_title") or ""
        rows.append(
            SheetRow(
                project=str(project),
                sheet_number=str(sheet.get("sheet_number") or f"p{sheet.get('page')}"),
                title=str(title),
                revision=str(sheet.get("revision") or ""),
                revision_date=str(sheet.get("revision_date") or sheet.get("issue_date") or ""),
                discipline=str(sheet.get("discipline") or ""),
                document_id=document.id,
                filename=document.filename or str(document.id),
                uploaded=document.created_at,
            )
        )
    return rows


def mark_superseded(rows: list[SheetRow]) -> list[SheetRow]:
    """The rows with every sheet that has a newer revision in its project marked superseded."""
    newest: dict[tuple[str, str], SheetRow] = {}
    for row in rows:
        key = (row.project, row.sheet_number)
        if key not in newest or _revision_key(row) > _revision_key(newest[key]):
            newest[key] = row
    marked = [
        replace(row, superseded=newest[(row.project, row.sheet_number)] is not row) for row in rows
    ]
    return sorted(marked, key=lambda r: (r.project, r.sheet_number, _revision_key(r)))


def drawing_register(session: Session, tenant_id: uuid.UUID) -> dict[str, list[SheetRow]]:
    """The tenant's register: project → its sheets, superseded ones marked."""
    query = select(DocumentRecord).where(
        DocumentRecord.tenant_id == tenant_id, DocumentRecord.document_type == "drawing_set"
    )
    documents = list(session.scalars(query))
    results = latest_results(session, [d.id for d in documents])
    rows = [
        row for d in documents if d.id in results for row in _rows_of(d, results[d.id].envelope)
    ]
    register: dict[str, list[SheetRow]] = {}
    for row in mark_superseded(rows):
        register.setdefault(row.project, []).append(row)
    return register


def register_csv(register: dict[str, list[SheetRow]]) -> str:
    """The register as CSV text (one line per sheet)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rows in register.values():
        for row in rows:
            writer.writerow([_csv_safe(cell) for cell in row.cells()])
    return out.getvalue()


def _csv_safe(cell: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; quote them out."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


_WIDTHS = (90, 60, 220, 40, 70, 80)


def register_pdf(register: dict[str, list[SheetRow]], title: str) -> bytes:
    """The register as a landscape PDF table (superseded sheets in grey)."""
    import pymupdf  # only when a register is printed: the API starts without PyMuPDF

    document = pymupdf.open()
    page, y = _new_page(document, title)
    for project, rows in register.items():
        for row in rows:
            if y > 560:
                page, y = _new_page(document, title)
            colour = (0.6, 0.6, 0.6) if row.superseded else (0, 0, 0)
            x = 36.0
            for width, cell in zip(_WIDTHS, (project, *row.cells()[1:6]), strict=True):
                page.insert_textbox(
                    pymupdf.Rect(x, y, x + width - 4, y + 14), cell, fontsize=8, color=colour
                )
                x += width
            y += 14
    data = document.tobytes()
    document.close()
    return bytes(data)


def _new_page(document: pymupdf.Document, title: str) -> tuple[pymupdf.Page, float]:
    page = document.new_page(width=792, height=612)
    page.insert_text((36, 40), title, fontsize=14)
    x = 36.0
    for width, heading in zip(_WIDTHS, COLUMNS[:6], strict=True):
        page.insert_text((x, 64), heading, fontsize=8)
        x += width
    page.draw_line((36, 68), (756, 68), color=(0.5, 0.5, 0.5), width=0.5)
    return page, 74.0
