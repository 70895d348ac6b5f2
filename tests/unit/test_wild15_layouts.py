"""The fifteenth wild family (construction invoices in French, Dutch, Spanish and German: a French
entreprise du bâtiment, a Belgian bilingual contractor under reverse charge, a Spanish
constructora, a German Handwerksbetrieb, an Austrian Baumeister under reverse charge, a Dutch
subcontractor): generator properties only. Every design is deterministic, prints every truth
value it claims in euros with decimal commas, keeps its text on the paper, and varies from seed
to seed; and each prints the conventions and distractor numbers of its country."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pymupdf
import pytest

from fixtures.generator import LAYOUTS, WILD15_LAYOUTS, GeneratedDocument, generate_invoice
from fixtures.generator.formats import (
    NumberStyle,
    all_date_forms,
    format_number,
    format_price,
    format_quantity,
)
from tests.unit.generated_text import (
    missing_header_values,
    page_texts,
    printed,
    printed_wrapped,
    text_off_the_sheet,
)

SEEDS = range(1000, 1010)
LONG_SEEDS = range(1000, 1030)
A4 = (595.0, 842.0)
EU = NumberStyle.EU
_AMOUNT = r"(-?\d{1,3}(?:\.\d{3})*,\d\d)"
_MONTHS_DE = (
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
)
_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@cache
def _document(layout: str, seed: int) -> GeneratedDocument:
    return generate_invoice(layout, seed)


@cache
def _pages(layout: str, seed: int) -> tuple[str, ...]:
    return page_texts(_document(layout, seed).pdf)


def _text(layout: str, seed: int) -> str:
    return " ".join(_pages(layout, seed))


def _eu(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


def _dutch_dates(value: date) -> set[str]:
    """The Dutch design writes 14/03/2026 as 14-03-2026."""
    return {form.replace("/", "-") for form in all_date_forms(value)}


def _invoice(layout: str, seed: int) -> Any:
    truth = _document(layout, seed).truth.invoice
    assert truth is not None
    return truth


def test_the_family_has_six_designs_registered_for_development_only() -> None:
    assert len(WILD15_LAYOUTS) == 6
    assert all(name.startswith("wild15_") and name in LAYOUTS for name in WILD15_LAYOUTS)
    assert all(LAYOUTS[name].number is EU for name in WILD15_LAYOUTS)


@pytest.mark.parametrize("layout", WILD15_LAYOUTS)
def test_the_same_seed_gives_the_same_bytes(layout: str) -> None:
    assert generate_invoice(layout, 1000).pdf == _document(layout, 1000).pdf


@pytest.mark.parametrize("layout", WILD15_LAYOUTS)
def test_different_seeds_give_different_invoices(layout: str) -> None:
    numbers = {_invoice(layout, seed).invoice_number for seed in SEEDS}
    assert len(numbers) > 1
    assert len({_document(layout, seed).pdf for seed in SEEDS}) == len(SEEDS)


@pytest.mark.parametrize("layout", WILD15_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_truth_value_is_printed_in_euros_with_decimal_commas(layout: str, seed: int) -> None:
    document, text = _document(layout, seed), _text(layout, seed)
    forms = _dutch_dates if layout == "wild15_factuur_nl" else all_date_forms
    assert missing_header_values(document, text, EU, forms) == []
    truth = _invoice(layout, seed)
    assert truth.currency == "EUR"
    for item in truth.line_items:
        assert item.description is not None and item.amount is not None
        assert printed_wrapped(text, item.description), item.description
        assert printed(text, format_number(item.amount, EU)), item.amount
        if item.quantity is not None:
            assert printed(text, format_quantity(item.quantity, EU)), item.quantity
        if item.unit_price is not None:
            assert printed(text, format_price(item.unit_price, EU)), item.unit_price
        if item.unit is not None:
            assert printed(text, f" {item.unit} "), item.unit


@pytest.mark.parametrize("layout", WILD15_LAYOUTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_pages_are_a4_have_text_and_keep_it_on_the_paper(layout: str, seed: int) -> None:
    document = _document(layout, seed)
    assert all(len(page) > 40 for page in _pages(layout, seed))
    assert text_off_the_sheet(document.pdf) == []
    assert document.truth.page_count == len(_pages(layout, seed))
    pdf: Any = pymupdf.open(stream=document.pdf)
    sizes = {(page.rect.width, page.rect.height) for page in pdf}
    pdf.close()
    assert sizes == {A4}


@pytest.mark.parametrize("layout", WILD15_LAYOUTS)
def test_long_invoices_run_over_pages_with_the_invoice_number_on_each(layout: str) -> None:
    seeds = [seed for seed in LONG_SEEDS if len(_pages(layout, seed)) > 1]
    assert seeds, f"no seed runs {layout} over more than one page"
    for seed in seeds:
        number = _invoice(layout, seed).invoice_number
        assert all(printed(page, number) for page in _pages(layout, seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_french_facture_nets_a_retenue_de_garantie_from_the_ttc_total(seed: int) -> None:
    truth = _invoice("wild15_facture", seed)
    text = _text("wild15_facture", seed)
    assert truth.retainage is not None and truth.tax_total is not None
    for label in ("n° de facture", "date d'échéance", "votre commande n°", "p.u. ht", "qté"):
        assert label in text
    ttc = re.search(rf"total ttc {_AMOUNT} eur", text)
    held = re.search(rf"retenue de garantie (\d+) % \(sur ht\) {_AMOUNT} eur", text)
    net = re.search(rf"net à payer {_AMOUNT} eur", text)
    assert ttc is not None and held is not None and net is not None
    assert _eu(ttc.group(1)) == truth.total and _eu(net.group(1)) == truth.amount_due
    assert _eu(held.group(2)) == -truth.retainage
    assert re.search(r"siret \d{3} \d{3} \d{3} \d{5}", text) is not None
    day = truth.invoice_date
    dateline = f"le {day.day} {_MONTHS_FR[day.month - 1]} {day.year}"
    assert re.search(rf"fait à \S+, {dateline}", text) is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_belgian_factuur_is_bilingual_reverse_charged_and_structured(seed: int) -> None:
    truth = _invoice("wild15_factuur_be", seed)
    text = _text("wild15_factuur_be", seed)
    assert truth.tax_total is None and truth.total == truth.subtotal
    assert "btw verlegd / autoliquidation" in text
    for pair in ("factuurnummer / n° de facture", "werf / chantier", "bestelbon / bon de commande"):
        assert pair in text
    assert "omschrijving description" in text and "bedrag montant" in text
    found = re.search(r"\+\+\+(\d{3})/(\d{4})/(\d{5})\+\+\+", text)
    assert found is not None
    digits = "".join(found.groups())
    assert int(digits[:10]) % 97 in (int(digits[10:]), int(digits[10:]) - 97)


def _prefix_sums(values: list[Decimal]) -> set[Decimal]:
    sums, running = set(), Decimal(0)
    for value in values:
        running += value
        sums.add(running)
    return sums


def test_the_spanish_factura_carries_its_running_sum_from_page_to_page() -> None:
    seeds = [seed for seed in LONG_SEEDS if len(_pages("wild15_factura", seed)) > 1]
    assert seeds
    for seed in seeds:
        truth, pages = _invoice("wild15_factura", seed), _pages("wild15_factura", seed)
        sums = _prefix_sums([item.amount for item in truth.line_items])
        for before, after in itertools.pairwise(pages):
            out = re.search(rf"suma y sigue {_AMOUNT}", before)
            carried = re.search(rf"suma anterior {_AMOUNT}", after)
            assert out is not None and carried is not None
            assert out.group(1) == carried.group(1)
            assert _eu(out.group(1)) in sums
        assert "suma y sigue" not in pages[-1] and "suma anterior" not in pages[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_spanish_factura_groups_lines_in_chapters_above_its_totals_strip(seed: int) -> None:
    truth = _invoice("wild15_factura", seed)
    text = _text("wild15_factura", seed)
    assert "capítulo 01" in text and re.search(r"\b01\.01 ", text) is not None
    for label in ("nº factura", "vencimiento", "su pedido", "precio unitario", "importe"):
        assert label in text
    base = re.search(rf"base imponible {_AMOUNT} eur", text)
    total = re.search(rf"total factura {_AMOUNT} eur", text)
    assert base is not None and total is not None
    assert (_eu(base.group(1)), _eu(total.group(1))) == (truth.subtotal, truth.total)
    assert re.search(r"registro mercantil .* rea \d\d/28/\d{7}", text) is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_german_rechnung_numbers_lv_positions_and_bills_a_period(seed: int) -> None:
    truth = _invoice("wild15_rechnung", seed)
    text = _text("wild15_rechnung", seed)
    assert "pos. menge einheit bezeichnung einzelpreis gesamtpreis" in text
    assert re.search(r"\b01\.0010 ", text) is not None
    period = re.search(r"leistungszeitraum (\d\d\.\d\d\.\d{4}) - (\d\d\.\d\d\.\d{4})", text)
    assert period is not None
    start, end = (datetime.strptime(d, "%d.%m.%Y").date() for d in period.groups())
    assert start < end < truth.invoice_date
    assert f"zzgl. 19 % mwst. {format_number(truth.tax_total, EU)} eur" in text
    labour = re.search(rf"§ 35a estg\): {_AMOUNT} eur", text)
    assert labour is not None and Decimal(0) < _eu(labour.group(1)) < truth.subtotal
    day = truth.invoice_date
    assert f"{day.day}. {_MONTHS_DE[day.month - 1]} {day.year}" in text
    assert f"zahlbar bis {truth.due_date:%d.%m.%Y} ohne abzug" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_the_austrian_rechnung_shifts_the_tax_and_offers_skonto(seed: int) -> None:
    truth = _invoice("wild15_rechnung_at", seed)
    text = _text("wild15_rechnung_at", seed)
    assert truth.tax_total is None and truth.total == truth.subtotal
    assert "übergang der steuerschuld" in text and "§ 19 abs. 1a ustg" in text
    skonto = re.search(
        rf"bis (\d\d\.\d\d\.\d{{4}}) abzüglich (\d) % skonto \(skontobetrag {_AMOUNT} eur\)", text
    )
    assert skonto is not None
    until = datetime.strptime(skonto.group(1), "%d.%m.%Y").date()
    assert truth.invoice_date < until < truth.due_date
    rate = Decimal(skonto.group(2))
    assert abs(_eu(skonto.group(3)) - truth.total * (100 - rate) / 100) <= Decimal("0.01")
    day = truth.invoice_date
    month = "jänner" if day.month == 1 else _MONTHS_DE[day.month - 1]
    assert f"am {day.day}. {month} {day.year}" in text
    assert re.search(r"firmenbuch fn \d{6} [a-z], landesgericht", text) is not None


def test_the_austrian_dateline_says_jaenner_for_january() -> None:
    seeds = range(1000, 1100)
    seed = next(s for s in seeds if _invoice("wild15_rechnung_at", s).invoice_date.month == 1)
    assert "jänner" in _text("wild15_rechnung_at", seed)
    assert "januar " not in _text("wild15_rechnung_at", seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_dutch_factuur_specifies_its_btw_and_splits_the_payment(seed: int) -> None:
    truth = _invoice("wild15_factuur_nl", seed)
    text = _text("wild15_factuur_nl", seed)
    assert truth.tax_total is not None
    spec = re.search(rf"btw-grondslag {_AMOUNT} btw % 19 % btw-bedrag {_AMOUNT}", text)
    assert spec is not None
    assert (_eu(spec.group(1)), _eu(spec.group(2))) == (truth.subtotal, truth.tax_total)
    blocked = re.search(rf"g-rekening nl\d\d ingb \d{{10}} \(\d\d %\): {_AMOUNT} eur", text)
    bank = re.search(rf"bankrekening nl\d\d rabo \d{{10}}: {_AMOUNT} eur", text)
    assert blocked is not None and bank is not None
    assert _eu(blocked.group(1)) + _eu(bank.group(1)) == truth.total
    assert re.search(r"kvk \d{8}", text) is not None
    day = truth.invoice_date
    assert f"factuurdatum {day:%d-%m-%Y}" in text or f"factuurdatum {day.isoformat()}" in text
    assert f"{day:%d/%m/%Y}" not in text  # a Dutch date is never written with slashes
