"""Line items from invoice tables: header vocabulary, rows, page breaks, totals, arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pymupdf
import pytest

from extractors.invoice import extract_invoice
from extractors.invoice.columns import Role, label_role
from extractors.invoice.line_items import extract_line_items
from extractors.page import Box, Page, TextSource, Word
from extractors.text_layer import read_text_layer
from models import LineItem
from tests.unit.printed import Line, extract, read_page

_CHAR = 5.0  # points per character at size 10 in these hand-made pages


def _line(y: float, *placed: tuple[float, str]) -> list[Word]:
    """One printed line: each (x, text) is a run of words with ordinary spaces."""
    words: list[Word] = []
    for x, text in placed:
        cursor = x
        for token in text.split():
            width = _CHAR * len(token)
            words.append(Word(token, Box(cursor, y, cursor + width, y + 10)))
            cursor += width + 2.5
    return words


def _right(y: float, x1: float, text: str) -> tuple[float, str]:
    """A right-aligned run ending at x1."""
    del y
    width = sum(_CHAR * len(t) for t in text.split()) + 2.5 * (len(text.split()) - 1)
    return (x1 - width, text)


def _page(*lines: list[Word], number: int = 1) -> Page:
    words = tuple(word for line in lines for word in line)
    return Page(number=number, width=612, height=792, words=words)


def _row(y: float, description: str, qty: str, unit: str, price: str, amount: str) -> list[Word]:
    return _line(
        y, (40, description), _right(y, 330, qty), (345, unit),
        _right(y, 440, price), _right(y, 540, amount),
    )  # fmt: skip


_HEADER = ((40, "Description"), (315, "Qty"), (345, "Unit"), (390, "Unit Price"), (500, "Amount"))


def test_rows_under_an_english_header_become_line_items() -> None:
    page = _page(
        _line(60, (40, "ACME Lumber Supply"), (400, "Invoice INV-10293")),
        _line(100, *_HEADER),
        _row(120, "2x4x8 SPF stud", "120", "EA", "3.85", "462.00"),
        _row(135, "5/8 in. Type X gypsum board", "1,250", "SF", "0.62", "775.00"),
        _line(160, (390, "Subtotal"), _right(160, 540, "1,237.00")),
        _line(175, (390, "Total"), _right(175, 540, "1,237.00")),
    )
    result = extract_line_items([page])
    assert [item.description for item in result.items] == [
        "2x4x8 SPF stud",
        "5/8 in. Type X gypsum board",
    ]
    first, second = result.items
    assert (first.quantity, first.unit, first.unit_price, first.amount) == (
        Decimal("120"), "EA", Decimal("3.85"), Decimal("462.00"),
    )  # fmt: skip
    assert second.quantity == Decimal("1250")
    assert first.cost_code is None
    assert result.warnings == ()
    assert result.confidence > 0.9
    assert result.table_end[1] == pytest.approx(145)


def test_a_continuation_line_without_numbers_joins_the_description_above() -> None:
    page = _page(
        _line(100, *_HEADER),
        _row(120, "Excavator 20T with operator", "8", "HR", "185.00", "1,480.00"),
        _line(131, (40, "north stair core and elevator lobby")),
        _row(146, "Delivery charge", "1", "LS", "75.00", "75.00"),
    )
    items = extract_line_items([page]).items
    assert [item.description for item in items] == [
        "Excavator 20T with operator north stair core and elevator lobby",
        "Delivery charge",
    ]


def test_the_table_stops_at_the_totals_block() -> None:
    page = _page(
        _line(100, *_HEADER),
        _row(120, "Rebar #5 Grade 60", "200", "LF", "1.10", "220.00"),
        _line(145, (390, "Sales Tax 8%"), _right(145, 540, "17.60")),
        _line(160, (390, "Total Due"), _right(160, 540, "237.60")),
        _row(200, "Not an item", "1", "EA", "1.00", "1.00"),
    )
    items = extract_line_items([page]).items
    assert [item.description for item in items] == ["Rebar #5 Grade 60"]


def test_a_supply_house_table_bills_the_quantity_shipped() -> None:
    page = _page(
        _line(100, (40, "Item"), (80, "Description"), (260, "Ordered"), (320, "Shipped"),
              (380, "B/O"), (420, "Price"), (500, "Ext. Price")),
        _line(120, (40, "A-100"), (80, "3/4 in. EMT conduit"), _right(120, 295, "100"),
              _right(120, 355, "80"), _right(120, 395, "20"), _right(120, 445, "1.48"),
              _right(120, 550, "118.40")),
    )  # fmt: skip
    (item,) = extract_line_items([page]).items
    assert item.description == "3/4 in. EMT conduit"
    assert item.quantity == Decimal("80")
    assert item.unit is None and item.cost_code is None
    assert item.amount == Decimal("118.40")


def test_columns_the_table_lacks_are_null_and_cost_codes_are_kept() -> None:
    page = _page(
        _line(100, (40, "Cost Code"), (110, "Scope of Work"), (500, "Amount")),
        _line(120, (40, "03-3000"), (110, "Concrete pump truck"), _right(120, 540, "938.57")),
        _line(135, (40, "09 29 00"), (110, "Drywall finisher labor"), _right(135, 540, "4,634.96")),
        _line(160, (390, "Subtotal"), _right(160, 540, "5,573.53")),
    )
    items = extract_line_items([page]).items
    assert [(i.cost_code, i.description, i.amount) for i in items] == [
        ("03-3000", "Concrete pump truck", Decimal("938.57")),
        ("09 29 00", "Drywall finisher labor", Decimal("4634.96")),
    ]
    assert all(i.quantity is None and i.unit is None and i.unit_price is None for i in items)


def test_a_german_table_reads_decimal_commas_and_grouping_dots() -> None:
    page = _page(
        _line(100, (40, "Bezeichnung"), (310, "Menge"), (345, "Einheit"), (390, "Einzelpreis"),
              (490, "Gesamtpreis")),
        _line(120, (40, "Kupferleitung NYM-J 3x1,5"), _right(120, 335, "1.890"), (345, "m"),
              _right(120, 445, "0,27"), _right(120, 545, "510,30")),
        _line(145, (390, "Zwischensumme"), _right(145, 545, "510,30")),
    )  # fmt: skip
    (item,) = extract_line_items([page]).items
    assert item.quantity == Decimal("1890")
    assert item.unit == "m"
    assert item.unit_price == Decimal("0.27")
    assert item.amount == Decimal("510.30")


def test_a_row_whose_arithmetic_fails_is_warned_about_and_lowers_confidence() -> None:
    page = _page(
        _line(100, *_HEADER),
        _row(120, "Vapor barrier 10 mil", "10", "RL", "34.16", "341.60"),
        _row(135, "Scissor lift rental", "2", "WK", "450.00", "950.00"),
    )
    result = extract_line_items([page])
    assert len(result.items) == 2
    assert len(result.warnings) == 1 and "line item 2" in result.warnings[0]
    assert result.confidence < 0.9


def test_a_page_without_an_item_table_gives_nothing() -> None:
    page = _page(_line(60, (40, "Dear customer, thank you for your business.")))
    result = extract_line_items([page])
    assert result.items == () and result.confidence == 0.0 and result.table_end == {}


def test_a_unit_printed_in_the_quantity_cell_is_not_a_unit_column() -> None:
    page = _page(
        _line(100, (40, "Description"), (315, "Qty"), (390, "Rate"), (500, "Amount")),
        _line(120, (40, "Foreman"), _right(120, 345, "8 HR"), _right(120, 440, "85.00"),
              _right(120, 540, "680.00")),
    )  # fmt: skip
    (item,) = extract_line_items([page]).items
    assert item.quantity == Decimal("8")
    assert item.unit is None


def test_a_bold_section_heading_inside_the_table_is_no_continuation() -> None:
    heading = [Word("Labor", Box(40, 131, 65, 141), bold=True)]
    page = _page(
        _line(100, *_HEADER),
        _row(120, "Rebar #5 Grade 60", "200", "LF", "1.10", "220.00"),
        heading,
        _row(142, "Foreman", "8", "HR", "85.00", "680.00"),
        _line(153, (40, "Labor subtotal"), _right(153, 540, "680.00")),
    )
    items = extract_line_items([page]).items
    assert [item.description for item in items] == ["Rebar #5 Grade 60", "Foreman"]


def test_a_row_number_in_an_unlabelled_column_is_not_part_of_the_description() -> None:
    page = _page(
        _line(100, (70, "Description"), (315, "Qty"), (390, "Price"), (500, "Amount")),
        _line(120, (40, "1"), (70, "Concrete pump truck"), _right(120, 330, "1"),
              _right(120, 440, "950.00"), _right(120, 540, "950.00")),
    )  # fmt: skip
    (item,) = extract_line_items([page]).items
    assert item.description == "Concrete pump truck"


def test_arithmetic_corrects_a_quantity_column_labelled_amount() -> None:
    page = _page(
        _line(100, (40, "Amount"), (100, "Product"), (390, "Price"), (500, "Total")),
        _line(120, _right(120, 80, "400.00"), (100, "Ballons"), _right(120, 440, "0.79"),
              _right(120, 540, "316.00")),
        _line(135, _right(135, 80, "1.00"), (100, "Design"), _right(135, 440, "160.00"),
              _right(135, 540, "160.00")),
    )  # fmt: skip
    items = extract_line_items([page]).items
    assert [(i.description, i.quantity, i.amount) for i in items] == [
        ("Ballons", Decimal("400.00"), Decimal("316.00")),
        ("Design", Decimal("1.00"), Decimal("160.00")),
    ]


def test_a_table_with_unknown_labels_is_read_by_alignment_and_arithmetic() -> None:
    labels = ((40, "Lorem"), (315, "Ipsum"), (345, "Dolor"), (390, "Sit"), (500, "Amet"))
    page = _page(
        _line(60, (40, "Harbor Steel Erectors"), (400, "Invoice 5512")),
        _line(100, *labels),
        _row(120, "Ready-mix concrete 4000 PSI", "12", "CY", "145.00", "1,740.00"),
        _row(135, "Rebar #5 Grade 60", "200", "LF", "1.10", "220.00"),
        _row(150, "Concrete pump truck", "1", "LS", "950.00", "950.00"),
        _line(175, (390, "Total"), _right(175, 540, "2,910.00")),
    )
    items = extract_line_items([page]).items
    assert [(i.description, i.quantity, i.unit, i.unit_price, i.amount) for i in items] == [
        ("Ready-mix concrete 4000 PSI", Decimal(12), "CY", Decimal("145.00"), Decimal(1740)),
        ("Rebar #5 Grade 60", Decimal(200), "LF", Decimal("1.10"), Decimal(220)),
        ("Concrete pump truck", Decimal(1), "LS", Decimal(950), Decimal(950)),
    ]


def test_a_table_continues_on_a_page_without_a_repeated_header() -> None:
    first = _page(
        _line(100, *_HEADER),
        _row(120, "Rebar #5 Grade 60", "200", "LF", "1.10", "220.00"),
        _line(770, (500, "Page 1 of 2")),
    )
    second = _page(
        _line(40, (40, "Harbor Steel Erectors"), (400, "Invoice 5512")),
        _row(80, "Concrete pump truck", "1", "LS", "950.00", "950.00"),
        _line(105, (390, "Total"), _right(105, 540, "1,170.00")),
        number=2,
    )
    result = extract_line_items([first, second])
    assert [item.description for item in result.items] == [
        "Rebar #5 Grade 60",
        "Concrete pump truck",
    ]
    assert result.table_end == {1: 130, 2: 90}


def test_an_item_number_column_beside_a_material_column_is_not_the_description() -> None:
    page = _page(
        _line(100, (40, "Item #"), (90, "Material"), (315, "Qty"), (390, "Price"), (500, "Total")),
        _line(120, (40, "1000"), (90, "Sealant membrane"), _right(120, 330, "4"),
              _right(120, 440, "12.50"), _right(120, 540, "50.00")),
    )  # fmt: skip
    (item,) = extract_line_items([page]).items
    assert item.description == "Sealant membrane"


def test_a_second_item_table_further_down_the_page_is_read_too() -> None:
    page = _page(
        _line(100, (40, "Description"), (500, "Amount")),
        _line(120, (40, "Mobilization"), _right(120, 540, "5,000.00")),
        _line(150, *_HEADER),
        _row(170, "Rebar #5 Grade 60", "200", "LF", "1.10", "220.00"),
        _line(195, (390, "Total"), _right(195, 540, "5,220.00")),
    )
    items = extract_line_items([page]).items
    assert [(item.description, item.amount) for item in items] == [
        ("Mobilization", Decimal("5000.00")),
        ("Rebar #5 Grade 60", Decimal("220.00")),
    ]


def test_a_code_column_of_csi_numbers_is_read_as_cost_codes() -> None:
    page = _page(
        _line(100, (40, "Code"), (110, "Description"), (390, "Price"), (500, "Amount")),
        _line(120, (40, "03-3000"), (110, "Concrete pump truck"), _right(120, 440, "938.57"),
              _right(120, 540, "938.57")),
        _line(135, (40, "09 29 00"), (110, "Drywall finisher labor"), _right(135, 440, "46.35"),
              _right(135, 540, "4,634.96")),
    )  # fmt: skip
    items = extract_line_items([page]).items
    assert [item.cost_code for item in items] == ["03-3000", "09 29 00"]


def _three_page_pdf() -> bytes:
    """A 3-page invoice: the table runs over page breaks under repeated headers, with
    'continued' and 'Page n of 3' footers and a brought-forward line."""
    doc = pymupdf.open()
    number = 0
    for page_index in range(3):
        page = doc.new_page(width=612, height=792)
        page.insert_text((40, 50), "Cascade Electric Supply  Invoice 4471", fontsize=10)
        if page_index:
            page.insert_text((40, 88), "Brought forward", fontsize=9)
            page.insert_text((480, 88), "1,000.00", fontsize=9)
        for x, label in ((40, "Description"), (320, "Qty"), (360, "Unit"), (400, "Rate"),
                         (495, "Amount")):  # fmt: skip
            page.insert_text((x, 110), label, fontname="hebo", fontsize=9)
        page.draw_line((40, 114), (560, 114))
        for row in range(12):
            number += 1
            y = 130 + row * 16
            page.insert_text((40, y), f"Fixture type {number:02d} LED troffer", fontsize=9)
            page.insert_text((320, y), f"{number}", fontsize=9)
            page.insert_text((360, y), "EA", fontsize=9)
            page.insert_text((400, y), "10.00", fontsize=9)
            page.insert_text((495, y), f"{number * 10}.00", fontsize=9)
        if page_index < 2:
            page.insert_text((40, 740), "Continued on next page", fontsize=9)
        else:
            page.insert_text((400, 340), "Subtotal", fontsize=9)
            page.insert_text((495, 340), "7,260.00", fontsize=9)
        page.insert_text((500, 770), f"Page {page_index + 1} of 3", fontsize=8)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def test_a_table_continues_across_pages_under_repeated_headers() -> None:
    with pymupdf.open(stream=_three_page_pdf(), filetype="pdf") as doc:
        pages = [read_text_layer(page, index + 1) for index, page in enumerate(doc)]
    result = extract_line_items(pages)
    assert len(result.items) == 36
    assert result.items[0].description == "Fixture type 01 LED troffer"
    assert result.items[-1].description == "Fixture type 36 LED troffer"
    assert [item.quantity for item in result.items] == [Decimal(n) for n in range(1, 37)]
    assert all(item.unit == "EA" and item.unit_price == Decimal("10.00") for item in result.items)
    assert set(result.table_end) == {1, 2, 3}
    assert 300 < result.table_end[3] < 340
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Description", Role.DESCRIPTION),
        ("Bezeichnung", Role.DESCRIPTION),
        ("Désignation", Role.DESCRIPTION),
        ("Descripción", Role.DESCRIPTION),
        ("Omschrijving", Role.DESCRIPTION),
        ("Qty", Role.QUANTITY),
        ("Menge", Role.QUANTITY),
        ("Quantité", Role.QUANTITY),
        ("Cantidad", Role.QUANTITY),
        ("Aantal", Role.QUANTITY),
        ("Shipped", Role.QUANTITY),
        ("Qty Ordered", Role.ORDERED),
        ("B/O", Role.BACKORDERED),
        ("U/M", Role.UNIT),
        ("Einheit", Role.UNIT),
        ("Unit Price", Role.UNIT_PRICE),
        ("Prix unitaire HT", Role.UNIT_PRICE),
        ("Einzelpreis", Role.UNIT_PRICE),
        ("Rate", Role.UNIT_PRICE),
        ("Ext. Price", Role.AMOUNT),
        ("Line Total", Role.AMOUNT),
        ("Gesamtpreis", Role.AMOUNT),
        ("Montant HT", Role.AMOUNT),
        ("Importe", Role.AMOUNT),
        ("Bedrag", Role.AMOUNT),
        ("Cost Code", Role.COST_CODE),
        ("Phase", Role.COST_CODE),
        ("Item #", Role.ITEM_NUMBER),
        ("Art.-Nr.", Role.ITEM_NUMBER),
        ("Steuerbetrag", Role.TAX),
        ("Charge", Role.AMOUNT),
        ("Remarks", None),
    ],
)
def test_column_labels_name_their_roles(label: str, role: Role | None) -> None:
    assert label_role(label) is role


def test_a_product_code_column_holds_item_numbers_not_descriptions() -> None:
    assert label_role("Product Code") is Role.ITEM_NUMBER
    assert label_role("Catalog No.") is Role.ITEM_NUMBER
    assert label_role("Details") is Role.DESCRIPTION


def test_descriptions_in_the_last_column_run_on_past_their_label() -> None:
    header: list[Line] = [
        (40, 40, "Keystone Electric Inc.", 14.0, True),
        (300, 160, "Invoice No.: INV-2291"),
        (90, 300, "Amount", 8.0, True, "right"),
        (130, 300, "Qty", 8.0, True, "right"),
        (190, 300, "Rate", 8.0, True, "right"),
        (220, 300, "Description", 8.0, True),
    ]
    rows: list[Line] = [
        (90, 318, "502.00", 9.0, False, "right"),
        (130, 318, "8", 9.0, False, "right"),
        (190, 318, "62.75", 9.0, False, "right"),
        (220, 318, "Drywall finisher labor, level 4 finish - north stair core"),
        (90, 334, "20.00", 9.0, False, "right"),
        (130, 334, "2", 9.0, False, "right"),
        (190, 334, "10.00", 9.0, False, "right"),
        (220, 334, "Wire mesh"),
    ]
    items = extract([*header, *rows]).invoice.line_items
    assert [item.description for item in items] == [
        "Drywall finisher labor, level 4 finish - north stair core",
        "Wire mesh",
    ]
    assert [item.amount for item in items] == [Decimal("502.00"), Decimal("20.00")]


def test_a_note_in_small_type_under_a_row_is_not_its_description() -> None:
    page: list[Line] = [
        (40, 40, "Keystone Electric Inc.", 14.0, True),
        (300, 160, "Invoice No.: INV-2291"),
        (40, 300, "Description", 9.0, True),
        (360, 300, "Qty", 9.0, True),
        (420, 300, "Unit Price", 9.0, True),
        (520, 300, "Amount", 9.0, True),
        (40, 320, "1/2in Regular Gypsum Board 4x8"),
        (46, 331, "Delivery ticket 40642", 7.0),
        (360, 320, "48"),
        (420, 320, "15.45"),
        (520, 320, "741.60"),
        (40, 346, "Drywall finisher labor, level 4 finish -"),
        (40, 357, "north stair core"),
        (360, 346, "8"),
        (420, 346, "62.75"),
        (520, 346, "502.00"),
    ]
    items = extract(page).invoice.line_items
    assert [item.description for item in items] == [
        "1/2in Regular Gypsum Board 4x8",
        "Drywall finisher labor, level 4 finish - north stair core",
    ]


def test_a_page_subtotal_carried_to_the_next_page_does_not_end_the_table() -> None:
    def table_page(rows: list[tuple[str, str]], first: bool) -> list[Line]:
        lines: list[Line] = [
            (40, 300, "Description", 9.0, True),
            (360, 300, "Qty", 9.0, True),
            (420, 300, "Unit Price", 9.0, True),
            (520, 300, "Amount", 9.0, True),
        ]
        if first:
            lines = [(40, 40, "Keystone Electric Inc.", 14.0, True), *lines]
        else:
            lines += [(400, 318, "Subtotal brought forward"), (520, 318, "20.00")]
        for index, (text, amount) in enumerate(rows):
            y = 336 + 16 * index
            lines += [(40, y, text), (360, y, "1"), (420, y, amount), (520, y, amount)]
        return lines

    first = [*table_page([("Wire mesh", "20.00")], True), (400, 400, "Page subtotal", 9.0, True),
             (520, 400, "20.00", 9.0, True)]  # fmt: skip
    second = [*table_page([("Rebar chairs", "5.00")], False), (400, 400, "Total", 9.0, True),
              (520, 400, "25.00", 9.0, True)]  # fmt: skip
    items = extract_invoice([read_page(first), read_page(second)]).invoice.line_items
    assert [item.description for item in items] == ["Wire mesh", "Rebar chairs"]


def _ocr_row(y: float, cells: list[tuple[float, str]]) -> list[Word]:
    return [
        Word(text, Box(x, y, x + 6.0 * len(text), y + 10), 10.0, False, 0.9) for x, text in cells
    ]


def test_a_unit_column_whose_label_ocr_missed_is_still_read() -> None:
    header = _ocr_row(100, [(40, "Description"), (360, "Qty"), (446, "Unit"), (472, "Price"),
                            (533, "Amount")])  # fmt: skip
    rows = [
        _ocr_row(
            120,
            [
                (40, "Gravel"),
                (80, "base"),
                (360, "175"),
                (392, "CY"),
                (452, "36.23"),
                (530, "6,340.25"),
            ],
        ),
        _ocr_row(
            140,
            [
                (40, "Delivery"),
                (92, "charge"),
                (366, "1."),
                (392, "LS"),
                (452, "75.71"),
                (536, "75.71"),
            ],
        ),
    ]
    page = Page(1, 612, 792, tuple(word for line in (header, *rows) for word in line),
                TextSource.OCR)  # fmt: skip
    items = extract_line_items([page]).items
    assert [(item.quantity, item.unit) for item in items] == [
        (Decimal("175"), "CY"),
        (Decimal("1"), "LS"),  # "1." with a speck after it is a quantity of one
    ]


def _table(header: list[Line], rows: list[Line]) -> list[LineItem]:
    page: list[Line] = [
        (40, 40, "Keystone Electric Inc.", 14.0, True),
        (300, 100, "Invoice No.: INV-2291"),
        *header,
        *rows,
    ]
    return extract(page).invoice.line_items


def test_an_item_number_before_the_description_in_one_column_is_no_part_of_it() -> None:
    header: list[Line] = [
        (40, 300, "Item No. / Description", 8.5, True),
        (360, 300, "Qty", 8.5, True),
        (420, 300, "Unit Price", 8.5, True),
        (520, 300, "Amount", 8.5, True),
    ]
    rows: list[Line] = [
        (40, 320, "CNC-37479 - Joint compound, all purpose 4.5 gal"),
        (360, 320, "39.00"),
        (420, 320, "17.3900"),
        (520, 320, "678.21"),
    ]
    items = _table(header, rows)
    assert [(item.description, item.quantity) for item in items] == [
        ("Joint compound, all purpose 4.5 gal", Decimal("39"))
    ]


def test_a_two_line_header_whose_upper_line_names_fewer_columns() -> None:
    header: list[Line] = [
        (40, 190, "Delivery address", 8.0, True),
        (480, 182, "Unit price", 8.5, True),
        (540, 182, "Amount", 8.5, True),
        (40, 200, "Oak Hollow Elementary Addition"),
        (180, 192, "Pos.", 8.5, True),
        (210, 192, "Description", 8.5, True),
        (400, 192, "Quantity", 8.5, True),
        (445, 192, "Unit", 8.5, True),
        (490, 192, "(EUR)", 8.5, True),
        (545, 192, "(EUR)", 8.5, True),
    ]
    rows: list[Line] = [
        (190, 210, "10"),
        (210, 210, "Welded wire mesh 6x6 W1.4"),
        (400, 210, "190"),
        (448, 210, "SF"),
        (490, 210, "0.36"),
        (545, 210, "68.40"),
    ]
    items = _table(header, rows)
    assert [(item.description, item.unit, item.amount) for item in items] == [
        ("Welded wire mesh 6x6 W1.4", "SF", Decimal("68.40"))
    ]


def test_description_lines_set_above_their_rows_numbers_belong_to_that_row() -> None:
    header: list[Line] = [
        (40, 300, "Description", 9.0, True),
        (360, 300, "Qty", 9.0, True),
        (420, 300, "Unit Price", 9.0, True),
        (520, 300, "Amount", 9.0, True),
    ]
    rows: list[Line] = [
        (40, 320, "Welded wire mesh 6x6 W1.4"),
        (360, 320, "190"),
        (420, 320, "0.36"),
        (520, 320, "68.40"),
        # Bottom-aligned cells: the wrapped description starts above the row's numbers.
        (40, 336, "Laborer, site cleanup - north stair core and elevator"),
        (40, 346, "lobby area"),
        (360, 346, "104"),
        (420, 346, "53.60"),
        (520, 346, "5,574.40"),
    ]
    items = _table(header, rows)
    assert [item.description for item in items] == [
        "Welded wire mesh 6x6 W1.4",
        "Laborer, site cleanup - north stair core and elevator lobby area",
    ]


def test_bilingual_and_joined_column_labels_are_one_column_each() -> None:
    assert label_role("Qty / Qté") is Role.QUANTITY
    assert label_role("Amount / Montant") is Role.AMOUNT
    assert label_role("Item & Description") is Role.DESCRIPTION
    header: list[Line] = [
        (40, 300, "Item &", 8.5, True),
        (72, 300, "Description", 8.5, True),
        (330, 300, "Qty /", 8.5, True),
        (352, 300, "Qté", 8.5, True),
        (420, 300, "Price / Prix", 8.5, True),
        (500, 300, "Amount / Montant", 8.5, True),
    ]
    rows: list[Line] = [
        (40, 320, "Gravel base 3/4in crushed"),
        (340, 320, "88"),
        (425, 320, "47.32"),
        (510, 320, "4,164.16"),
    ]
    items = _table(header, rows)
    assert [(item.description, item.quantity, item.amount) for item in items] == [
        ("Gravel base 3/4in crushed", Decimal("88"), Decimal("4164.16"))
    ]


def test_a_quantity_times_price_cell_gives_both() -> None:
    header: list[Line] = [
        (40, 300, "Item", 8.5, True),
        (360, 300, "Qty x Price", 8.5, True),
        (520, 300, "Amount", 8.5, True),
    ]
    rows: list[Line] = [
        (40, 320, "Temporary fence panels, monthly"),
        (360, 320, "1,580 LF x $1.035"),
        (520, 320, "$1,635.30"),
    ]
    items = _table(header, rows)
    assert [(item.quantity, item.unit_price, item.unit) for item in items] == [
        (Decimal("1580"), Decimal("1.035"), None)
    ]


def test_a_watermark_across_the_rows_does_not_join_them() -> None:
    header: list[Line] = [
        (40, 300, "Description", 9.0, True),
        (360, 300, "Qty", 9.0, True),
        (420, 300, "Unit Price", 9.0, True),
        (520, 300, "Amount", 9.0, True),
    ]
    rows: list[Line] = [
        (150, 360, "ORIGINAL", 90.0, True),  # grey, across the table, in the text layer too
        (40, 320, "Wire mesh"),
        (360, 320, "2"),
        (420, 320, "10.00"),
        (520, 320, "20.00"),
        (40, 336, "Rebar chairs"),
        (360, 336, "5"),
        (420, 336, "1.00"),
        (520, 336, "5.00"),
    ]
    assert [item.description for item in _table(header, rows)] == ["Wire mesh", "Rebar chairs"]


def test_a_progress_bill_column_this_period_is_the_amount() -> None:
    assert label_role("This Period") is Role.AMOUNT
    header: list[Line] = [
        (44, 300, "Cost Code", 8.5, True),
        (127, 300, "Description of Work", 8.5, True),
        (522, 300, "This Period", 8.5, True),
    ]
    rows: list[Line] = [
        (44, 320, "05-1200"),
        (127, 320, "Structural steel W8x31 beam"),
        (560, 320, "1,145.80", 8.5, False, "right"),
    ]
    items = _table(header, rows)
    assert [(item.cost_code, item.amount) for item in items] == [("05-1200", Decimal("1145.80"))]
