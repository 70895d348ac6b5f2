"""`python -m bench.summary`: bench/out/*.json in, bench/results.json and the README table out.

Reads what the benchmarks of `make bench` wrote (perf, ocr, drawings, llm, startup, accuracy),
picks each headline figure and its baseline measured in the same run, and writes the record
(bench/results.json, committed), bench/out/summary.md, and the README's generated block
between `<!-- bench:summary -->` and `<!-- /bench:summary -->`. Measures nothing itself; a
missing input leaves its figures null and its rows marked "not run".
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.accuracy import embed_in_readme

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results.json"


def _load(name: str) -> dict[str, Any]:
    path = OUT / f"{name}.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _get(data: dict[str, Any], *keys: str) -> Any:
    """A nested value, or None when any step is missing."""
    value: Any = data
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _ratio(top: Any, bottom: Any) -> float | None:
    if isinstance(top, int | float) and isinstance(bottom, int | float) and bottom:
        return float(top) / float(bottom)
    return None


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=False)  # fmt: skip
    return done.stdout.strip() or "unknown"


def _llm_cost_per_1000(llm: dict[str, Any]) -> float | None:
    """LLM spend per 1,000 documents over every set bench/out/llm.json measured."""
    sets = llm.get("sets") or []
    documents = sum(int(s.get("documents", 0)) for s in sets)
    if not documents:
        return None
    spend = sum(Decimal(str(s.get("cost", "0"))) for s in sets)
    return float(spend * 1000 / documents)


def perf_figures(perf: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of bench/out/perf.json."""
    e2e = perf.get("e2e") or {}
    one = _get(e2e, "1", "docs_per_min")
    two = _get(e2e, "2", "docs_per_min")
    return {
        "born_digital_pages_per_s": _get(perf, "born_digital", "pages_per_s"),
        "born_digital_ratio_vs_pymupdf": _get(perf, "born_digital", "ratio_vs_pymupdf"),
        "bare_pymupdf_pages_per_s": _get(perf, "born_digital", "bare_pages_per_s"),
        "e2e_docs_per_min_1_worker": one,
        "e2e_docs_per_min_2_workers": two,
        "e2e_docs_per_min_4_workers": _get(e2e, "4", "docs_per_min"),
        "e2e_scaling_2_vs_1": _ratio(two, one),
        "api_rps": _get(perf, "load", "rps"),
        "api_p50_ms": _get(perf, "load", "p50_ms"),
        "api_p99_ms": _get(perf, "load", "p99_ms"),
        "api_workers": _get(perf, "load", "api_workers"),
        "worker_rss_growth_pct": _get(perf, "leak", "growth_pct"),
        "cpu_s_per_1000_docs": _get(perf, "leak", "cpu_s_per_1000_docs"),
        "worker_rss_mb_by_document": _get(perf, "leak", "child_rss_mb"),
        "import_s_cli": _get(perf, "import_s", "cli"),
        "import_s_worker": _get(perf, "import_s", "worker"),
        "import_s_api": _get(perf, "import_s", "api"),
        "import_cpu_s_worker": _get(perf, "import_cpu_s", "worker"),
        "import_cpu_s_api": _get(perf, "import_cpu_s", "api"),
        "idle_rss_mb_api": perf.get("idle_rss_mb_api"),
        "idle_rss_mb_worker": _get(e2e, "1", "idle_rss", "main_mb"),
        "idle_rss_mb_worker_child": (_get(e2e, "1", "idle_rss", "child_mb") or [None])[0],
    }


def collect() -> dict[str, Any]:
    """Every headline figure from bench/out/*.json, plus commit and cores."""
    perf, ocr, drawings, llm = _load("perf"), _load("ocr"), _load("drawings"), _load("llm")
    speed = drawings.get("speed") or {}
    sheet_ms = speed.get("pipeline_ms_per_sheet")
    results: dict[str, Any] = {
        "commit": _commit(),
        "cores": os.cpu_count(),
        "quick": perf.get("quick"),
        **perf_figures(perf),
        "scanned_ratio_vs_tesseract": _get(ocr, "cost", "ratio"),
        "scanned_s_per_page": _get(ocr, "cost", "ours_s"),
        "bare_tesseract_s_per_page": _get(ocr, "cost", "bare_tesseract_s"),
        "drawing_sheets_per_s": 1000 / sheet_ms if sheet_ms else None,
        "drawing_ratio_vs_pymupdf": _ratio(
            speed.get("ours_ms_median"), speed.get("bare_words_ms_median")
        ),
        "bare_pymupdf_drawing_sheets_per_s": _ratio(1000, speed.get("bare_words_ms_median")),
        "llm_cost_usd_per_1000_docs": _llm_cost_per_1000(llm),
        "load_average": perf.get("load_average"),
        "measured_at": _measured_at(("perf", "ocr", "drawings", "llm")),
    }
    return results


def _measured_at(names: tuple[str, ...]) -> dict[str, str | None]:
    """When each input was written (UTC), so a figure carried over from an older run shows."""
    stamps: dict[str, str | None] = {}
    for name in names:
        path = OUT / f"{name}.json"
        stamps[name] = (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(path.stat().st_mtime))
            if path.exists()
            else None
        )
    return stamps


@dataclass(frozen=True)
class Row:
    """One line of the table: the figure, its baseline, and the bar it must meet."""

    label: str
    key: str
    unit: str
    baseline: Callable[[dict[str, Any]], str]
    bar: str
    passes: Callable[[float], bool] | None


def _fmt(value: Any, unit: str = "") -> str:
    if not isinstance(value, int | float):
        return "not run"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def _rss_trend(results: dict[str, Any]) -> str:
    """`MB at document N → …` of the leak check, as measured."""
    trend = results.get("worker_rss_mb_by_document") or {}
    return " → ".join(f"{mb:.0f} MB @ {n}" for n, mb in trend.items()) or "not run"


ROWS = (
    Row("born-digital invoice pages/s (one core)", "born_digital_pages_per_s", "pages/s",
        lambda r: f"bare PyMuPDF words {_fmt(r.get('bare_pymupdf_pages_per_s'), 'pages/s')}",
        "≥ 40", lambda v: v >= 40),
    Row("born-digital time / bare PyMuPDF", "born_digital_ratio_vs_pymupdf", "×",
        lambda r: "same pages, same run", "≤ 6 ×", lambda v: v <= 6),
    Row("scanned A4 page, 300 DPI, s", "scanned_s_per_page", "s",
        lambda r: f"bare tesseract {_fmt(r.get('bare_tesseract_s_per_page'), 's')}", "", None),
    Row("scanned time / bare Tesseract", "scanned_ratio_vs_tesseract", "×",
        lambda r: "same image, same run", "≤ 1.25 ×", lambda v: v <= 1.25),
    Row("drawing sheets/s (ARCH D, whole pipeline)", "drawing_sheets_per_s", "sheets/s",
        lambda r: f"bare PyMuPDF words {_fmt(r.get('bare_pymupdf_drawing_sheets_per_s'), '/s')}",
        "", None),
    Row("end to end, 1 worker process", "e2e_docs_per_min_1_worker", "docs/min",
        lambda r: "API + Celery + PostgreSQL", "", None),
    Row("end to end, 2 worker processes", "e2e_docs_per_min_2_workers", "docs/min",
        lambda r: f"{_fmt(r.get('e2e_scaling_2_vs_1'), '×')} of 1 worker", "≥ 1.8 × of 1",
        None),
    Row("end to end, 4 worker processes", "e2e_docs_per_min_4_workers", "docs/min",
        lambda r: f"{r.get('cores')} cores", "", None),
    Row("upload API, 8 clients, 100 KB PDF", "api_rps", "req/s",
        lambda r: f"p50 {_fmt(r.get('api_p50_ms'), 'ms')}, "
        f"{r.get('api_workers') or 1} server process(es)", "≥ 150", lambda v: v >= 150),
    Row("upload API p99", "api_p99_ms", "ms", lambda r: "same run", "≤ 150", lambda v: v <= 150),
    Row("worker RSS growth, document 100 → 1,000", "worker_rss_growth_pct", "%",
        lambda r: f"pool child, never recycled: {_rss_trend(r)}", "< 5", lambda v: v < 5),
    Row("worker CPU per 1,000 documents", "cpu_s_per_1000_docs", "CPU-s",
        lambda r: f"LLM spend {_fmt(r.get('llm_cost_usd_per_1000_docs'), 'USD')}", "", None),
    Row("import time: CLI / worker / API", "import_s_cli", "s",
        lambda r: f"worker {_fmt(r.get('import_s_worker'), 's')}, "
        f"API {_fmt(r.get('import_s_api'), 's')}",
        "", None),
    Row("idle RSS: API (all server processes) / worker", "idle_rss_mb_api", "MB",
        lambda r: f"worker {_fmt(r.get('idle_rss_mb_worker'), 'MB')} + pool child "
        f"{_fmt(r.get('idle_rss_mb_worker_child'), 'MB')}", "", None),
)  # fmt: skip


def _verdict(row: Row, results: dict[str, Any]) -> str:
    value = results.get(row.key)
    if row.key == "e2e_docs_per_min_2_workers":
        scaling = results.get("e2e_scaling_2_vs_1")
        return "–" if scaling is None else ("yes" if scaling >= 1.8 else "**no**")
    if row.passes is None or not isinstance(value, int | float):
        return "–"
    return "yes" if row.passes(float(value)) else "**no**"


def markdown(results: dict[str, Any]) -> str:
    """The summary table: figure, baseline from the same run, bar, met."""
    lines = ["| figure | ours | baseline (same run) | bar | met |", "|---|---:|---|---|---|"]
    for row in ROWS:
        value = _fmt(results.get(row.key), row.unit)
        lines.append(f"| {row.label} | {value} | {row.baseline(results)} | {row.bar} "
                     f"| {_verdict(row, results)} |")  # fmt: skip
    load = results.get("load_average")
    load_text = f"{load[0]:.1f}" if isinstance(load, list) and load else "?"
    lines.append("")
    lines.append(f"Commit `{results['commit'][:12]}`, {results['cores']} cores, 1-minute load "
                 f"average {load_text} at the start; generated by `make bench`.")  # fmt: skip
    stamps = results.get("measured_at") or {}
    if stamps:
        lines.append("Inputs written: " + ", ".join(f"{k} {v or 'never'}"
                                                    for k, v in stamps.items()) + ".")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write bench/results.json, bench/out/summary.md and the README block; print the table."""
    results = collect()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    OUT.mkdir(exist_ok=True)
    (OUT / "summary.md").write_text(table)
    embed_in_readme("summary", table)
    print(table)


if __name__ == "__main__":
    main()
