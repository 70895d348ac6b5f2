"""Lien waivers: classification, the four California titles, signed/unsigned, exceptions, the
generic and Texas-style wording, and linking a waiver to the pay application it covers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from extractors.billing import extract_lien_waiver, match_waivers, unmatched_pay_apps
from extractors.billing.lien_waiver import waiver_type_of
from extractors.classify import classify_document
from extractors.limits import Limits
from extractors.page import Box, Page, Word
from extractors.pipeline import run_pipeline
from fixtures.billing import (
    DEV_WAIVERS,
    generate_lien_waiver,
    generate_pay_application,
)
from models import BillTo, DocumentType, Invoice, LienWaiver, PayApplication, Project, Vendor
from models import WaiverType as W
from tests.unit.test_billing import _pages


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CONDITIONAL WAIVER AND RELEASE ON PROGRESS PAYMENT", W.CONDITIONAL_PROGRESS),
        ("UNCONDITIONAL WAIVER AND RELEASE ON PROGRESS PAYMENT", W.UNCONDITIONAL_PROGRESS),
        ("CONDITIONAL WAIVER AND RELEASE ON FINAL PAYMENT", W.CONDITIONAL_FINAL),
        ("UNCONDITIONAL WAIVER AND RELEASE ON FINAL PAYMENT", W.UNCONDITIONAL_FINAL),
        ("Conditional Waiver and Release Upon Progress Payment", W.CONDITIONAL_PROGRESS),
        ("UNCONDITIONAL PARTIAL LIEN WAIVER", W.UNCONDITIONAL_PROGRESS),
        ("FINAL LIEN WAIVER The undersigned, having received the payment", W.UNCONDITIONAL_FINAL),
        ("PARTIAL LIEN WAIVER Upon receipt of the payment above", W.CONDITIONAL_PROGRESS),
    ],
)
def test_waiver_type_from_the_title(title: str, expected: W) -> None:
    assert waiver_type_of(title) is expected


@pytest.mark.parametrize("design", DEV_WAIVERS)
def test_waivers_are_classified_and_extracted(design: str) -> None:
    for seed in range(6):
        doc = generate_lien_waiver(design, seed)
        pages = _pages(doc.pdf)
        assert classify_document(pages) is DocumentType.LIEN_WAIVER
        assert extract_lien_waiver(pages).waiver == doc.truth.lien_waiver


def _first(design: str, wanted: object) -> LienWaiver:
    """The extracted waiver of the first seed whose truth satisfies `wanted`."""
    for seed in range(200):
        doc = generate_lien_waiver(design, seed)
        truth = doc.truth.lien_waiver
        assert truth is not None
        if callable(wanted) and wanted(truth):
            return extract_lien_waiver(_pages(doc.pdf)).waiver
    raise AssertionError("no such seed")


@pytest.mark.parametrize("waiver_type", list(W))
def test_all_four_california_forms(waiver_type: W) -> None:
    got = _first("ca_statutory", lambda t: t.waiver_type is waiver_type)
    assert got.waiver_type is waiver_type
    assert got.claimant and got.customer and got.owner
    progress = waiver_type in (W.CONDITIONAL_PROGRESS, W.UNCONDITIONAL_PROGRESS)
    assert (got.through_date is not None) is progress
    assert (got.amount is None) is (waiver_type is W.UNCONDITIONAL_FINAL)


def test_signed_and_unsigned() -> None:
    signed = _first("ca_statutory", lambda t: t.signed)
    unsigned = _first("ca_statutory", lambda t: not t.signed)
    assert signed.signed is True and signed.signature_date is not None
    assert unsigned.signed is False and unsigned.signature_date is None


def test_signature_words_on_the_line_count_and_underscores_do_not() -> None:
    def page(*texts: tuple[str, float]) -> Page:
        words = tuple(Word(t, Box(x, 100, x + 8 * len(t), 110), 9) for t, x in texts)
        return Page(1, 612, 792, words)

    blank = extract_lien_waiver([page(("Claimant's", 50), ("Signature:", 130), ("_____", 230))])
    inked = extract_lien_waiver(
        [page(("Claimant's", 50), ("Signature:", 130), ("J.", 240), ("Ortega", 260))]
    )
    assert blank.waiver.signed is False
    assert inked.waiver.signed is True


def test_exceptions_none_is_null_and_text_is_kept() -> None:
    none = _first("generic_waiver", lambda t: t.exceptions is None)
    some = _first("generic_waiver", lambda t: t.exceptions is not None)
    assert none.exceptions is None
    assert some.exceptions is not None and len(some.exceptions) > 10


def test_waiver_through_the_pipeline() -> None:
    doc = generate_lien_waiver("generic_waiver", 2)
    envelope = run_pipeline(doc.pdf, doc.name, Limits())
    assert envelope.document_type is DocumentType.LIEN_WAIVER
    assert envelope.lien_waiver == doc.truth.lien_waiver
    assert envelope.invoice is None


def _pay_app(vendor: str, number: str, period: date, due: str) -> Invoice:
    return Invoice(
        vendor=Vendor(name=vendor),
        bill_to=BillTo(name="Apex Builders Inc"),
        project=Project(name="Riverside Medical Office", number=number),
        pay_application=PayApplication(period_to=period, current_payment_due=Decimal(due)),
    )


def _waiver(claimant: str, number: str, through: date | None, amount: str | None) -> LienWaiver:
    return LienWaiver(
        waiver_type=W.CONDITIONAL_PROGRESS,
        claimant=claimant,
        project=Project(name="Riverside Medical Office", number=number),
        through_date=through,
        amount=None if amount is None else Decimal(amount),
    )


def test_match_waivers_pairs_by_claimant_project_date_and_amount() -> None:
    may, june = date(2026, 5, 31), date(2026, 6, 30)
    apps = [
        _pay_app("Summit Drywall LLC", "24-017", may, "81660.00"),
        _pay_app("Summit Drywall LLC", "24-017", june, "50000.00"),
        _pay_app("Cascade Electric Inc.", "24-017", may, "1200.00"),
    ]
    waivers = [
        _waiver("SUMMIT DRYWALL, LLC", "24-017", june, "50000.00"),
        _waiver("Summit Drywall LLC", "24-017", may, "81660.00"),
        _waiver("Cascade Electric", "24-099", may, "1200.00"),
    ]
    pairs = {(m.pay_app, m.waiver) for m in match_waivers(apps, waivers)}
    assert pairs == {(0, 1), (1, 0)}
    assert unmatched_pay_apps(apps, waivers) == [2]
    wrong_amount = [waivers[1].model_copy(update={"amount": Decimal("81000.00")})]
    assert unmatched_pay_apps(apps[:1], wrong_amount) == [0]


def test_generated_waiver_covers_its_generated_pay_application() -> None:
    pay_app = generate_pay_application("aia_g702", 5)
    waiver = generate_lien_waiver("generic_waiver", 5, covers=pay_app)
    other = generate_lien_waiver("generic_waiver", 6)
    apps = [pay_app.truth.invoice]
    found = [extract_lien_waiver(_pages(d.pdf)).waiver for d in (other, waiver)]
    assert [(m.pay_app, m.waiver) for m in match_waivers(apps, found)] == [(0, 1)]  # type: ignore[arg-type]
