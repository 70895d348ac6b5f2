"""Title-block labels find their values whatever the design: beside across a gap, under,
in label wording variants, and revision tables with initials columns.

Each test prints a small block as words on a sheet (a sheet number anchors it) and reads it.
"""

from __future__ import annotations

from extractors.drawings.sheet import read_sheet
from extractors.page import Box, Page, Word

Print = tuple[str, float, float, float]  # text, x, baseline, size


def _words(text: str, x: float, baseline: float, size: float) -> list[Word]:
    out = []
    for part in text.split():
        width = 0.55 * size * len(part)
        out.append(Word(part, Box(x, baseline - size, x + width, baseline + 0.25 * size), size))
        x += width + 0.28 * size
    return out


def _sheet(*prints: Print) -> Page:
    anchor = ("A-101", 2900.0, 2000.0, 20.0)
    words = [w for text, x, y, size in (anchor, *prints) for w in _words(text, x, y, size)]
    return Page(2, 3024.0, 2160.0, tuple(words))


def test_a_value_in_a_column_of_its_own_beside_its_label_is_read() -> None:
    page = _sheet(
        ("PROJECT", 2800, 1500, 6.5),
        ("Union Station Renovation", 2880, 1500, 8.5),
        ("1369 HARBOR BLVD.", 2880, 1511, 8.5),
        ("JOB NO.", 2800, 1540, 6.5),
        ("19-113", 2880, 1540, 8.5),
        ("SCALE", 2800, 1560, 6.5),
        ("1\" = 30'", 2880, 1560, 8.5),
    )
    sheet = read_sheet(page).sheet
    assert sheet.project_name == "Union Station Renovation"
    assert sheet.project_number == "19-113"
    assert sheet.scale == "1\" = 30'"


def test_label_wording_variants_name_their_fields() -> None:
    page = _sheet(
        ("Scale @ A1", 2700, 1900, 5.0),
        ("1:200", 2710, 1912, 8.5),
        ("DRAWING SCALE:", 2400, 1700, 6.5),
        ("Rev No.", 2960, 1900, 5.0),
        ("C", 2965, 1912, 8.5),
        ("PROJECT TITLE", 2700, 1800, 5.0),
        ("UNION STATION RENOVATION", 2705, 1812, 8.5),
    )
    sheet = read_sheet(page).sheet
    assert sheet.scale == "1:200"
    assert sheet.revision == "C"
    assert sheet.project_name == "UNION STATION RENOVATION"


def test_a_bare_job_label_heads_a_number_or_a_name_by_its_value() -> None:
    page = _sheet(
        ("JOB:", 2700, 1950, 6.5),
        ("24-175", 2730, 1950, 8.5),
        ("PROJECT NAME:", 2200, 1950, 6.5),
        ("GRANITE FALLS CITY HALL", 2260, 1950, 8.5),
    )
    sheet = read_sheet(page).sheet
    assert sheet.project_number == "24-175"
    assert sheet.project_name == "GRANITE FALLS CITY HALL"


def test_initials_columns_stay_out_of_a_revision_description() -> None:
    page = _sheet(
        ("P01", 2600, 1800, 7.5),
        ("02.06.25", 2650, 1800, 7.5),
        ("REVISED PER PLAN CHECK", 2730, 1800, 7.5),
        ("RT", 2950, 1800, 7.5),
        ("SRP", 2990, 1800, 7.5),
        ("Rev", 2600, 1812, 7.5),
        ("Date", 2650, 1812, 7.5),
        ("Description", 2730, 1812, 7.5),
        ("By", 2950, 1812, 7.5),
        ("Chk", 2990, 1812, 7.5),
    )
    sheet = read_sheet(page).sheet
    assert [(row.revision, row.description) for row in sheet.revisions] == [
        ("P01", "REVISED PER PLAN CHECK")
    ]
    assert sheet.revision == "P01"
