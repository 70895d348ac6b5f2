"""Pay applications: classification, the G702 summary, the G703 schedule across pages, the
G702/G703 arithmetic checks (a mismatch names its lines), and contract-valid CLI output."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from extractors.billing import extract_pay_application
from extractors.billing.pay_application import derive_missing
from extractors.classify import classify_document
from extractors.document import open_document
from extractors.limits import Limits
from extractors.page import Page
from extractors.pipeline import read_pages, run_pipeline
from extractors.sniff import guard
from fixtures.billing import (
    DEV_PAY_APPS,
    generate_lien_waiver,
    generate_pay_application,
)
from fixtures.generator.scan import PROFILES, scan_document
from models import (
    DocumentType,
    Envelope,
    ExtractionError,
    Invoice,
    LineItem,
    PayApplication,
    check_g702,
    check_g703_against_g702,
    check_pay_application,
)

ROOT = Path(__file__).resolve().parents[2]


def _pages(data: bytes) -> list[Page]:
    verdict = guard(data, Limits())
    assert not isinstance(verdict, ExtractionError)
    opened = open_document(data, Limits(), verdict.kind)
    assert not isinstance(opened, ExtractionError)
    with opened:
        return read_pages(opened, None).pages


@pytest.mark.parametrize("design", DEV_PAY_APPS)
def test_pay_applications_are_classified_as_such(design: str) -> None:
    doc = generate_pay_application(design, 3)
    assert classify_document(_pages(doc.pdf)) is DocumentType.PAY_APPLICATION


@pytest.mark.parametrize("design", DEV_PAY_APPS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_g702_summary_and_header_fields(design: str, seed: int) -> None:
    doc = generate_pay_application(design, seed)
    truth = doc.truth.invoice
    assert truth is not None
    got = extract_pay_application(_pages(doc.pdf)).invoice
    assert got.pay_application == truth.pay_application
    assert got.vendor.name == truth.vendor.name
    assert got.bill_to.name == truth.bill_to.name
    assert got.invoice_number == truth.invoice_number
    assert got.invoice_date == truth.invoice_date
    assert got.project == truth.project
    assert got.amount_due == got.total == truth.pay_application.current_payment_due  # type: ignore[union-attr]


def test_schedule_of_values_is_read_across_pages() -> None:
    doc = next(
        d
        for seed in range(40)
        if ((d := generate_pay_application("aia_g702", seed)).truth.page_count or 0) >= 4
    )
    truth = doc.truth.invoice
    assert truth is not None
    extraction = extract_pay_application(_pages(doc.pdf))
    assert len(truth.line_items) > 40
    assert extraction.invoice.line_items == truth.line_items
    first = extraction.invoice.line_items[0]
    assert first.amount == first.work_completed_this_period
    assert extraction.issues == []


def test_line_item_g703_fields_serialise_as_money_strings() -> None:
    invoice = Invoice(
        currency="USD",
        line_items=[
            LineItem(
                description="Paving",
                amount=Decimal("10"),
                scheduled_value=Decimal("100"),
                retainage=Decimal("1.5"),
                percent_complete=Decimal("10.00"),
            )
        ],
    )
    line = json.loads(invoice.model_dump_json())["line_items"][0]
    assert line["scheduled_value"] == "100.00"
    assert line["retainage"] == "1.50"
    assert line["amount"] == "10.00"
    assert line["materials_stored"] is None
    assert Invoice.model_validate_json(invoice.model_dump_json()) == invoice


def _summary(**changes: str) -> PayApplication:
    values = {
        "original_contract_sum": "1250000.00",
        "net_change_orders": "48200.00",
        "contract_sum_to_date": "1298200.00",
        "total_completed_and_stored": "812400.00",
        "retainage": "40620.00",
        "total_earned_less_retainage": "771780.00",
        "less_previous_certificates": "690120.00",
        "current_payment_due": "81660.00",
        "balance_to_finish": "526420.00",
    }
    values.update(changes)
    return PayApplication(**{key: Decimal(value) for key, value in values.items()})


def test_g702_arithmetic_of_the_contract_example_holds() -> None:
    assert check_g702(_summary()) == []


def test_g702_mismatch_names_the_lines() -> None:
    issues = check_g702(_summary(current_payment_due="81000.00"))
    assert len(issues) == 1
    message = str(issues[0])
    assert "line 8 (current payment due)" in message
    assert "line 6" in message and "line 7" in message


def test_g703_totals_that_disagree_with_the_g702_are_flagged() -> None:
    lines = [
        LineItem(
            scheduled_value=Decimal("1298200.00"),
            total_completed=Decimal("800000"),
            retainage=Decimal("40620.00"),
        )
    ]
    issues = check_g703_against_g702(lines, _summary())
    assert [issue.field for issue in issues] == ["pay_application.total_completed_and_stored"]
    assert "column G" in str(issues[0]) and "line 4" in str(issues[0])


def test_inconsistent_pay_application_is_flagged_with_the_lines_named() -> None:
    doc = generate_pay_application("aia_g702", 7, consistent=False)
    envelope = run_pipeline(doc.pdf, doc.name, Limits())
    assert envelope.document_type is DocumentType.PAY_APPLICATION
    assert envelope.needs_review is True
    failed = [w for w in envelope.warnings or [] if w.startswith("arithmetic check failed")]
    assert failed, envelope.warnings
    assert any("G703 column G" in w and "G702 line 4" in w for w in failed)
    assert envelope.invoice is not None
    assert check_pay_application(envelope.invoice)


def test_consistent_pay_application_needs_no_review() -> None:
    doc = generate_pay_application("excel_payapp", 4)
    envelope = run_pipeline(doc.pdf, doc.name, Limits())
    assert envelope.needs_review is False, envelope.warnings
    assert envelope.invoice == doc.truth.invoice


def test_scanned_copy_keeps_the_truth() -> None:
    doc = generate_pay_application("aia_g702", 1)
    scanned = scan_document(doc, 1, PROFILES["clean_300"])
    assert scanned.truth.invoice == doc.truth.invoice
    assert scanned.media_type in ("application/pdf", "image/png")


def test_cli_extract_gives_contract_valid_envelopes(tmp_path: Path) -> None:
    pay_app = generate_pay_application("aia_g702", 11)
    waiver = generate_lien_waiver("ca_statutory", 11)
    paths = []
    for doc in (pay_app, waiver):
        path = tmp_path / f"{doc.name}.pdf"
        path.write_bytes(doc.pdf)
        paths.append(str(path))
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "extract", *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    envelopes = [Envelope.model_validate_json(line) for line in run.stdout.splitlines()]
    assert [e.document_type for e in envelopes] == [
        DocumentType.PAY_APPLICATION,
        DocumentType.LIEN_WAIVER,
    ]
    assert envelopes[0].invoice == pay_app.truth.invoice
    assert envelopes[1].lien_waiver == waiver.truth.lien_waiver


def test_an_unreadable_g702_line_is_computed_from_the_others() -> None:
    found = {
        "contract_sum_to_date": Decimal("100"),
        "net_change_orders": Decimal("10"),
        "total_earned_less_retainage": Decimal("40"),
        "retainage": Decimal("5"),
    }
    filled = sorted(derive_missing(found))
    assert filled == ["balance_to_finish", "original_contract_sum", "total_completed_and_stored"]
    assert found["original_contract_sum"] == Decimal("90")
    assert found["total_completed_and_stored"] == Decimal("45")
    assert found["balance_to_finish"] == Decimal("60")
