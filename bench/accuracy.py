"""`make bench-accuracy`: per-field accuracy, line-item P/R/F1 and time per page.

Six sets, reported separately: the development layouts, the held-out layouts, the fresh
held-out layouts, and the second and third blind fresh held-out layouts of the fixture
generator (seeds from 900000, which no test or tuning run uses), and the real e-invoices in
../shared/corpus/zugferd (labelled fields only; skipped when absent).
Time per page is the median in-process pipeline time beside bare PyMuPDF
`get_text("words")` on the same pages in the same run, so the ratio survives a noisy machine.
Writes bench/out/accuracy.json and bench/out/accuracy.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf

from bench.score import EXTRA_FIELDS, HEADER_FIELDS, Tally, score_invoice
from extractors.limits import Limits
from extractors.pipeline import run_pipeline
from fixtures.generator import (
    DEV_LAYOUTS,
    FRESH2_HELD_OUT_LAYOUTS,
    FRESH3_HELD_OUT_LAYOUTS,
    FRESH_HELD_OUT_LAYOUTS,
    HELD_OUT_LAYOUTS,
    generate_invoice,
)

EVAL_SEED_BASE = 900_000
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
OUT = Path(__file__).resolve().parent / "out"
README = Path(__file__).resolve().parents[1] / "README.md"


def embed_in_readme(marker: str, table: str) -> None:
    """Replace the README's generated block `<!-- bench:MARKER -->` with this run's table."""
    if not README.exists():
        return
    start, end = f"<!-- bench:{marker} -->", f"<!-- /bench:{marker} -->"
    text = README.read_text()
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{table}{end}{tail}")


@dataclass
class SetResult:
    """One evaluation set: its tally, and per-page timings of ours and of bare PyMuPDF."""

    name: str
    documents: int = 0
    tally: Tally = field(default_factory=Tally)
    ours_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)


def _bare_words_ms(pdf: bytes) -> list[float]:
    """Per-page time of bare PyMuPDF word extraction: the physical baseline."""
    times = []
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        for page in doc:
            start = time.perf_counter()
            page.get_text("words")
            times.append((time.perf_counter() - start) * 1000)
    return times


def _measure(result: SetResult, pdf: bytes, source: str) -> dict[str, Any]:
    start = time.perf_counter()
    envelope = run_pipeline(pdf, source, Limits())
    elapsed = (time.perf_counter() - start) * 1000
    pages = envelope.page_count or 1
    result.ours_ms.extend([elapsed / pages] * pages)
    result.bare_ms.extend(_bare_words_ms(pdf))
    result.documents += 1
    wire: dict[str, Any] = json.loads(envelope.model_dump_json())
    return wire


def evaluate_generated(name: str, layouts: Sequence[str], per_layout: int) -> SetResult:
    """Generate `per_layout` documents for each layout with evaluation seeds and score them."""
    result = SetResult(name)
    for layout in layouts:
        for seed in range(EVAL_SEED_BASE, EVAL_SEED_BASE + per_layout):
            doc = generate_invoice(layout, seed)
            wire = _measure(result, doc.pdf, doc.name)
            truth = json.loads(doc.truth.model_dump_json())["invoice"]
            score_invoice(result.tally, truth, wire.get("invoice"), HEADER_FIELDS + EXTRA_FIELDS,
                          doc.name)  # fmt: skip
    return result


def _labelled(entry: Mapping[str, Any]) -> tuple[list[str], bool]:
    names = [f.removeprefix("invoice.") for f in entry["labelled_fields"]]
    return [n for n in names if n != "line_items"], "line_items" in names


def evaluate_corpus(folder: str) -> SetResult | None:
    """Score the real documents of one corpus folder on their labelled fields only."""
    manifest_path = CORPUS / "manifest.json"
    if not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text())
    result = SetResult(f"corpus/{folder}")
    for entry in manifest["documents"]:
        if entry["source"] != folder:
            continue
        fields, with_lines = _labelled(entry)
        pdf = (CORPUS / entry["path"]).read_bytes()
        wire = _measure(result, pdf, entry["path"])
        truth = json.loads((CORPUS / entry["truth"]).read_text())["invoice"]
        score_invoice(result.tally, truth, wire.get("invoice"), fields, entry["path"], with_lines)
    return result if result.documents else None


def _pct(value: float) -> str:
    return "–" if value != value else f"{100 * value:.1f} %"


def _markdown(results: Iterable[SetResult]) -> str:
    results = list(results)
    fields = [f for f in HEADER_FIELDS + EXTRA_FIELDS if any(r.tally.seen.get(f) for r in results)]
    head = "| field | " + " | ".join(f"{r.name} ({r.documents} docs)" for r in results) + " |"
    rows = [head, "|---|" + "---:|" * len(results)]
    rows.append("| **header fields (9)** | " + " | ".join(
        f"**{_pct(r.tally.overall(HEADER_FIELDS))}**" for r in results) + " |")  # fmt: skip
    for name in fields:
        rows.append(
            f"| {name} | " + " | ".join(_pct(r.tally.accuracy(name)) for r in results) + " |"
        )
    for label, attr in (("line items precision", "precision"), ("line items recall", "recall"),
                        ("line items F1", "f1")):  # fmt: skip
        rows.append(f"| {label} | " + " | ".join(
            f"{getattr(r.tally, attr):.3f}" for r in results) + " |")  # fmt: skip
    rows.append("| median ms / page (ours) | " + " | ".join(
        f"{statistics.median(r.ours_ms):.1f}" for r in results) + " |")  # fmt: skip
    rows.append("| median ms / page (bare PyMuPDF words) | " + " | ".join(
        f"{statistics.median(r.bare_ms):.1f}" for r in results) + " |")  # fmt: skip
    rows.append("| ratio ours / bare | " + " | ".join(
        f"{statistics.median(r.ours_ms) / statistics.median(r.bare_ms):.1f}×" for r in results
    ) + " |")  # fmt: skip
    return "\n".join(rows) + "\n"


def _summary(result: SetResult) -> dict[str, Any]:
    tally = result.tally
    return {
        "documents": result.documents,
        "pages": len(result.ours_ms),
        "header_accuracy": tally.overall(HEADER_FIELDS),
        "fields": {name: tally.accuracy(name) for name in tally.seen},
        "line_items": {"precision": tally.precision, "recall": tally.recall, "f1": tally.f1},
        "median_ms_per_page": statistics.median(result.ours_ms),
        "median_ms_per_page_bare_pymupdf": statistics.median(result.bare_ms),
        # A blind set's misses are never written: nobody may tune on them.
        "misses": [] if "(blind)" in result.name else tally.misses[:200],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Run the accuracy benchmark and print its Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--per-layout", type=int, default=20, help="documents per layout")
    parser.add_argument("--show-misses", action="store_true", help="print every wrong field")
    args = parser.parse_args(argv)
    results = [
        evaluate_generated("dev layouts", DEV_LAYOUTS, args.per_layout),
        evaluate_generated("held-out layouts", HELD_OUT_LAYOUTS, args.per_layout),
        evaluate_generated("fresh held-out layouts", FRESH_HELD_OUT_LAYOUTS, args.per_layout),
        evaluate_generated(
            "fresh2 held-out layouts (blind)", FRESH2_HELD_OUT_LAYOUTS, args.per_layout
        ),
        evaluate_generated(
            "fresh3 held-out layouts (blind)", FRESH3_HELD_OUT_LAYOUTS, args.per_layout
        ),
    ]
    corpus = evaluate_corpus("zugferd")
    if corpus is not None:
        results.append(corpus)
    table = _markdown(results)
    OUT.mkdir(exist_ok=True)
    (OUT / "accuracy.md").write_text(table)
    (OUT / "accuracy.json").write_text(
        json.dumps({r.name: _summary(r) for r in results}, indent=2, default=str)
    )
    embed_in_readme("accuracy", table)
    print(table)
    if args.show_misses:
        for result in (r for r in results if "(blind)" not in r.name):
            print(f"\n## misses: {result.name}")
            print("\n".join(result.tally.misses))


if __name__ == "__main__":
    main()
