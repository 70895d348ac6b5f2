"""`python -m bench.drawings`: drawing sets, time per sheet and per-field accuracy.

Speed: a 60-sheet ARCH D vector set (a development design), read in a child process so its
peak RSS is the extraction's alone: median ms per sheet of text layer + title-block read,
beside bare PyMuPDF `get_text("words")` on the same pages, plus the whole `run_pipeline`.
Accuracy: per field on the held-out title-block designs (seeds from 900000, which no test
or tuning run uses), born-digital and scanned reported separately (scanned sheets go through
the title-block clip OCR). `--dev` adds the development designs (seeds from 500, tuning
allowed) and `--dev-only` runs just those, with their misses kept for study; a held-out set
never keeps its misses. Writes bench/out/drawings.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pymupdf

from bench.score import values_equal
from extractors.drawings import extract_drawing_set
from extractors.drawings.region_ocr import PdfSheetImages, TesseractRegionOcr
from extractors.drawings.sheet import read_sheet
from extractors.limits import Limits
from extractors.pipeline import run_pipeline
from extractors.text_layer import read_text_layer
from fixtures.drawings import ARCH_D, DEV_DESIGNS, HELD_OUT_DESIGNS, generate_drawing_set
from models import SHEET_FIELDS

EVAL_SEED_BASE = 900_000
DEV_SEED_BASE = 500
OUT = Path(__file__).resolve().parent / "out"
FIELDS = SHEET_FIELDS


def _perf_child(path: str) -> None:
    """In a fresh process: time every sheet of the PDF at `path`, print JSON figures."""
    data = Path(path).read_bytes()
    doc = pymupdf.open(stream=data, filetype="pdf")
    ours: list[float] = []
    bare: list[float] = []
    for index, pdf_page in enumerate(doc):
        start = time.perf_counter()
        pdf_page.get_text("words")
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        read_sheet(read_text_layer(pdf_page, index + 1, with_rules=False))
        ours.append(time.perf_counter() - start)
    doc.close()
    start = time.perf_counter()
    envelope = run_pipeline(data, Path(path).name, Limits())
    pipeline_s = time.perf_counter() - start
    sheets = len(ours)
    figures = {
        "sheets": sheets,
        "ours_ms_median": statistics.median(ours) * 1000,
        "bare_words_ms_median": statistics.median(bare) * 1000,
        "pipeline_ms_per_sheet": pipeline_s * 1000 / sheets,
        "pipeline_document_type": envelope.document_type,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(figures))


def measure_speed(seed: int) -> dict[str, Any]:
    """Generate the 60-sheet ARCH D set and time it in a child process."""
    generated = generate_drawing_set(DEV_DESIGNS[0], seed, sheets=60, size=ARCH_D)
    OUT.mkdir(exist_ok=True)
    path = OUT / "drawings-archd-60.pdf"
    path.write_bytes(generated.pdf)
    child = subprocess.run(
        [sys.executable, "-m", "bench.drawings", "--perf-child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    path.unlink()
    return figures


def _sheet_values(sheet: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = sheet.model_dump(mode="json")
    return dumped


def score_sets(
    designs: Sequence[str],
    seeds: Sequence[int],
    sheets: int,
    scanned: bool,
    keep_misses: bool = False,
    generate: Callable[..., Any] = generate_drawing_set,
) -> dict[str, Any]:
    """Per-field accuracy over generated sets (truth vs extraction), with the misses when
    `keep_misses` (development designs only: held-out misses are never looked at);
    `generate` makes a set from a design name and seed (default: the package's designs)."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[str] = []
    ocr = TesseractRegionOcr() if scanned else None
    seconds = 0.0
    for design in designs:
        for seed in seeds:
            generated = generate(design, seed, sheets=sheets, scanned=scanned)
            doc = pymupdf.open(stream=generated.pdf, filetype="pdf")
            start = time.perf_counter()
            pages = [read_text_layer(p, i + 1, with_rules=False) for i, p in enumerate(doc)]
            result = extract_drawing_set(pages, PdfSheetImages(doc), ocr)
            seconds += time.perf_counter() - start
            doc.close()
            truth_sheets = generated.truth.drawing_set.sheets if generated.truth.drawing_set else []
            for truth, read in zip(truth_sheets, result.drawing_set.sheets, strict=True):
                want, got = _sheet_values(truth), _sheet_values(read)
                for name in FIELDS:
                    ok = _equal(want[name], got[name])
                    total[name] += 1
                    right[name] += ok
                    if keep_misses and not ok and len(misses) < 60:
                        misses.append(f"{generated.name} p{truth.page} {name}: "
                                      f"{want[name]!r} != {got[name]!r}")  # fmt: skip
    count = max(total.values(), default=0)
    return {
        "designs": list(designs),
        "seeds": list(seeds),
        "sheets": count,
        "accuracy": {name: right[name] / total[name] for name in FIELDS if total[name]},
        "seconds_per_sheet": seconds / max(count, 1),
        "misses": misses,
    }


def _equal(truth: Any, result: Any) -> bool:
    if isinstance(truth, list) and isinstance(result, list):
        return len(truth) == len(result) and all(
            all(values_equal(a.get(k), b.get(k)) for k in ("revision", "date", "description"))
            for a, b in zip(truth, result, strict=True)
        )
    return values_equal(truth, result)


def _dev_sets(count: int, scan_count: int) -> dict[str, dict[str, Any]]:
    """Development designs, born-digital and scanned, misses kept (tuning is allowed here)."""
    seeds = range(DEV_SEED_BASE, DEV_SEED_BASE + count)
    scan_seeds = range(DEV_SEED_BASE, DEV_SEED_BASE + scan_count)
    return {
        "dev, born-digital": score_sets(DEV_DESIGNS, seeds, 10, False, keep_misses=True),
        "dev, scanned (title-block OCR)": score_sets(
            DEV_DESIGNS, scan_seeds, 4, True, keep_misses=True
        ),
    }


def _write(report: dict[str, Any]) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "drawings.json").write_text(json.dumps(report, indent=2))


def _table(speed: dict[str, Any], sets: dict[str, dict[str, Any]]) -> str:
    ratio = speed["ours_ms_median"] / max(speed["bare_words_ms_median"], 1e-9)
    lines = [
        '| 60-sheet ARCH D vector set | ours ms/sheet (median) | bare get_text("words") ms '
        "| ratio | pipeline ms/sheet | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
        f"| text layer + title block | {speed['ours_ms_median']:.1f} "
        f"| {speed['bare_words_ms_median']:.1f} | {ratio:.1f}x "
        f"| {speed['pipeline_ms_per_sheet']:.1f} | {speed['peak_rss_mb']:.0f} MB |",
        "",
        _accuracy_table(sets),
    ]
    return "\n".join(lines)


def _accuracy_table(sets: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| set | seeds | sheets | " + " | ".join(FIELDS) + " | s/sheet |",
        "|---|---|---:|" + "---:|" * (len(FIELDS) + 1),
    ]
    for name, result in sets.items():
        cells = " | ".join(f"{result['accuracy'].get(f, 0.0):.1%}" for f in FIELDS)
        seeds = result["seeds"]
        span = f"{seeds[0]}-{seeds[-1]}" if seeds else "-"
        lines.append(
            f"| {name} | {span} | {result['sheets']} | {cells} "
            f"| {result['seconds_per_sheet']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the drawing-set benchmark and print its Markdown tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.drawings")
    parser.add_argument("--perf-child", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", type=int, default=4, help="held-out seeds per design")
    parser.add_argument("--scanned-seeds", type=int, default=2, help="scanned seeds per design")
    parser.add_argument("--quick", action="store_true", help="fewer sets (smoke run)")
    parser.add_argument(
        "--seed-offset", type=int, default=0, help="start the held-out seeds this far past 900000"
    )
    parser.add_argument("--dev", action="store_true", help="also score the development designs")
    parser.add_argument(
        "--dev-only", action="store_true", help="score only the development designs (no speed)"
    )
    args = parser.parse_args(argv)
    if args.perf_child:
        _perf_child(args.perf_child)
        return
    count = 1 if args.quick else args.seeds
    scan_count = 1 if args.quick else args.scanned_seeds
    sets: dict[str, dict[str, Any]] = {}
    if args.dev or args.dev_only:
        sets |= _dev_sets(count, scan_count)
    if args.dev_only:
        print(_accuracy_table(sets))
        _write({"sets": sets})
        return
    base = EVAL_SEED_BASE + args.seed_offset
    seeds = range(base, base + count)
    scan_seeds = range(base + 500, base + 500 + scan_count)
    speed = measure_speed(EVAL_SEED_BASE + 900)
    sets |= {
        "held-out, born-digital": score_sets(HELD_OUT_DESIGNS, seeds, 10, scanned=False),
        "held-out, scanned (title-block OCR)": score_sets(
            HELD_OUT_DESIGNS, scan_seeds, 4, scanned=True
        ),
    }
    report = {
        "speed": speed,
        "speed_seed": EVAL_SEED_BASE + 900,
        "held_out_seeds": [base, base + count - 1],
        "held_out_scanned_seeds": [base + 500, base + 500 + scan_count - 1],
        "sets": sets,
    }
    _write(report)
    print(_table(speed, sets))


if __name__ == "__main__":
    main()
