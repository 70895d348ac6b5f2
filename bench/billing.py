"""`python -m bench.billing`: pay-application and lien-waiver accuracy on generated documents.

Per-field accuracy of the G702 summary (born-digital and scanned apart), schedule-of-values
line F1, and lien-waiver fields, for the development designs (seeds from 0) and the held-out
designs (seeds from 900000) separately. Scans go through Tesseract. Prints a Markdown table
and writes bench/out/billing.json.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.score import Tally, field_value, values_equal
from extractors.limits import Limits
from extractors.ocr_tesseract import TesseractEngine
from extractors.pipeline import run_pipeline
from fixtures.billing import (
    DEV_PAY_APPS,
    DEV_WAIVERS,
    HELD_OUT_PAY_APPS,
    HELD_OUT_SEED,
    HELD_OUT_WAIVERS,
    generate_lien_waiver,
    generate_pay_application,
)
from fixtures.generator import GeneratedDocument
from fixtures.generator.scan import PROFILES, scan_document

OUT = Path(__file__).resolve().parent / "out"
SUMMARY_FIELDS: tuple[str, ...] = tuple(
    f"pay_application.{name}"
    for name in (
        "application_number",
        "period_to",
        "original_contract_sum",
        "net_change_orders",
        "contract_sum_to_date",
        "total_completed_and_stored",
        "retainage",
        "total_earned_less_retainage",
        "less_previous_certificates",
        "current_payment_due",
        "balance_to_finish",
    )
)
HEADER_FIELDS: tuple[str, ...] = (
    "vendor.name",
    "bill_to.name",
    "invoice_number",
    "invoice_date",
    "project.name",
    "project.number",
    "total",
    "amount_due",
    "retainage",
)
SOV_FIELDS: tuple[str, ...] = (
    "item_number",
    "description",
    "scheduled_value",
    "work_completed_previous",
    "work_completed_this_period",
    "materials_stored",
    "total_completed",
    "percent_complete",
    "balance_to_finish",
    "retainage",
    "amount",
)
WAIVER_FIELDS: tuple[str, ...] = (
    "waiver_type",
    "claimant",
    "customer",
    "owner",
    "project.name",
    "project.number",
    "through_date",
    "amount",
    "exceptions",
    "signed",
    "signature_date",
)
SCAN_PROFILES: tuple[str, ...] = ("clean_300", "office_200", "skewed_300", "shadowed_200")


@dataclass
class Run:
    """One benchmark cell: a tally plus document counts and time."""

    tally: Tally = field(default_factory=Tally)
    documents: int = 0
    classified: int = 0
    seconds: float = 0.0


def _sov_equal(truth: Mapping[str, Any], result: Mapping[str, Any]) -> bool:
    return all(values_equal(truth.get(name), result.get(name)) for name in SOV_FIELDS)


def _sov_matches(truth: Sequence[Mapping[str, Any]], result: Sequence[Mapping[str, Any]]) -> int:
    unused = list(range(len(truth)))
    matched = 0
    for line in result:
        for position, index in enumerate(unused):
            if _sov_equal(truth[index], line):
                matched += 1
                del unused[position]
                break
    return matched


def _score(
    run: Run, truth: Mapping[str, Any], result: Mapping[str, Any], block: str, fields: Iterable[str]
) -> None:
    run.documents += 1
    run.classified += int(result.get("document_type") == truth.get("document_type"))
    expected, got = truth.get(block) or {}, result.get(block) or {}
    for name in fields:
        a, b = field_value(expected, name), field_value(got, name)
        run.tally.add_field(name, values_equal(a, b), f"{truth['source']}: {name} {a!r} != {b!r}")
    if block == "invoice":
        lines_truth, lines_got = expected.get("line_items") or [], got.get("line_items") or []
        run.tally.lines_truth += len(lines_truth)
        run.tally.lines_result += len(lines_got)
        run.tally.lines_matched += _sov_matches(lines_truth, lines_got)


def _evaluate(
    docs: Iterable[tuple[str, bytes, dict[str, Any]]],
    block: str,
    fields: Sequence[str],
    ocr: TesseractEngine | None,
    workers: int,
) -> Run:
    run = Run()
    start = time.perf_counter()

    def one(item: tuple[str, bytes, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
        name, data, truth = item
        envelope = run_pipeline(data, name, Limits(), ocr=ocr)
        return truth, envelope.model_dump(mode="json")

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for truth, result in pool.map(one, docs):
            _score(run, truth, result, block, fields)
    run.seconds = time.perf_counter() - start
    return run


Maker = Callable[[str, int], GeneratedDocument]


def _born(
    make: Maker, designs: Sequence[str], seeds: Iterable[int]
) -> Iterable[tuple[str, bytes, dict[str, Any]]]:
    for seed in seeds:
        for design in designs:
            doc = make(design, seed)
            yield doc.truth.source, doc.pdf, doc.truth.model_dump(mode="json")


def _scanned(
    make: Maker, designs: Sequence[str], seeds: Iterable[int]
) -> Iterable[tuple[str, bytes, dict[str, Any]]]:
    for index, seed in enumerate(seeds):
        for design in designs:
            doc = make(design, seed)
            profile = PROFILES[SCAN_PROFILES[(index + seed) % len(SCAN_PROFILES)]]
            scanned = scan_document(doc, seed, profile)
            yield scanned.name, scanned.data, scanned.truth.model_dump(mode="json")


def _pay_app(design: str, seed: int) -> GeneratedDocument:
    return generate_pay_application(design, seed)


def _waiver(design: str, seed: int) -> GeneratedDocument:
    return generate_lien_waiver(design, seed)


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f} %"


def _summary(run: Run, fields: Sequence[str]) -> dict[str, Any]:
    tally = run.tally
    return {
        "documents": run.documents,
        "classified": run.classified,
        "seconds": round(run.seconds, 1),
        "overall": tally.overall(fields),
        "fields": {name: tally.accuracy(name) for name in fields},
        "sov_lines": {
            "truth": tally.lines_truth,
            "result": tally.lines_result,
            "matched": tally.lines_matched,
            "f1": tally.f1,
        },
        "misses": tally.misses[:40],
    }


def _markdown(report: Mapping[str, Mapping[str, Any]]) -> str:
    cells = list(report)
    rows = ["| metric | " + " | ".join(cells) + " |", "|---" * (len(cells) + 1) + "|"]
    rows.append("| documents | " + " | ".join(str(report[c]["documents"]) for c in cells) + " |")
    rows.append(
        "| classified right | "
        + " | ".join(_pct(report[c]["classified"] / max(report[c]["documents"], 1)) for c in cells)
        + " |"
    )
    rows.append(
        "| **all fields** | "
        + " | ".join(f"**{_pct(report[c]['overall'])}**" for c in cells)
        + " |"
    )
    names: list[str] = []
    for cell in cells:
        names += [name for name in report[cell]["fields"] if name not in names]
    for name in names:
        values = [_pct(report[c]["fields"].get(name, float("nan"))) for c in cells]
        rows.append(f"| {name} | " + " | ".join(values) + " |")
    rows.append(
        "| SOV line F1 | "
        + " | ".join(
            _pct(report[c]["sov_lines"]["f1"]) if report[c]["sov_lines"]["truth"] else "n/a"
            for c in cells
        )
        + " |"
    )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the billing benchmark, print its Markdown tables and write bench/out/billing.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.billing", description=__doc__)
    parser.add_argument("--born", type=int, default=40, help="born-digital seeds per design")
    parser.add_argument("--scanned", type=int, default=6, help="scanned seeds per design")
    parser.add_argument(
        "--dev-scanned",
        type=int,
        default=None,
        help="scanned seeds per development design (default: --scanned)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only",
        choices=("pay", "waiver"),
        default=None,
        help="run one half; the other half's last results are kept",
    )
    args = parser.parse_args(argv)
    engine = TesseractEngine(threads=1, searchable_pdf=False)
    held = range(HELD_OUT_SEED, HELD_OUT_SEED + args.born)
    held_scan = range(HELD_OUT_SEED + 500, HELD_OUT_SEED + 500 + args.scanned)
    dev_scanned = args.scanned if args.dev_scanned is None else args.dev_scanned
    dev, dev_scan = range(args.born), range(500, 500 + dev_scanned)
    plan: dict[
        str,
        tuple[
            str, Sequence[str], Iterable[tuple[str, bytes, dict[str, Any]]], TesseractEngine | None
        ],
    ] = {
        "pay app held-out born": (
            "invoice",
            SUMMARY_FIELDS + HEADER_FIELDS,
            _born(_pay_app, HELD_OUT_PAY_APPS, held),
            None,
        ),
        "pay app held-out scanned": (
            "invoice",
            SUMMARY_FIELDS + HEADER_FIELDS,
            _scanned(_pay_app, HELD_OUT_PAY_APPS, held_scan),
            engine,
        ),
        "pay app dev born": (
            "invoice",
            SUMMARY_FIELDS + HEADER_FIELDS,
            _born(_pay_app, DEV_PAY_APPS, dev),
            None,
        ),
        "pay app dev scanned": (
            "invoice",
            SUMMARY_FIELDS + HEADER_FIELDS,
            _scanned(_pay_app, DEV_PAY_APPS, dev_scan),
            engine,
        ),
        "waiver held-out born": (
            "lien_waiver",
            WAIVER_FIELDS,
            _born(_waiver, HELD_OUT_WAIVERS, held),
            None,
        ),
        "waiver held-out scanned": (
            "lien_waiver",
            WAIVER_FIELDS,
            _scanned(_waiver, HELD_OUT_WAIVERS, held_scan),
            engine,
        ),
        "waiver dev born": ("lien_waiver", WAIVER_FIELDS, _born(_waiver, DEV_WAIVERS, dev), None),
        "waiver dev scanned": (
            "lien_waiver",
            WAIVER_FIELDS,
            _scanned(_waiver, DEV_WAIVERS, dev_scan),
            engine,
        ),
    }
    report: dict[str, dict[str, Any]] = {}
    if args.only and (OUT / "billing.json").exists():
        report = json.loads((OUT / "billing.json").read_text())
    for name, (block, fields, docs, ocr) in plan.items():
        if args.only is None or name.startswith(args.only):
            report[name] = _summary(_evaluate(docs, block, fields, ocr, args.workers), fields)
    pay = {k: v for k, v in report.items() if k.startswith("pay")}
    waivers = {k: v for k, v in report.items() if k.startswith("waiver")}
    print("## Pay applications (G702 summary, header, G703 lines)\n")
    print(_markdown(pay))
    print("\n## Lien waivers\n")
    print(_markdown(waivers))
    print(
        f"\nScans: profiles {', '.join(SCAN_PROFILES)} through Tesseract; held-out seeds from "
        f"{HELD_OUT_SEED}."
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "billing.json").write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
