"""`python -m bench.drawings_fresh`: per-field accuracy on the fresh held-out title blocks.

The fresh designs (`fixtures/drawings/held_out_fresh.py`) were written without sight of the
extractor; they are scored exactly as `bench.drawings` scores its held-out set (same sheets
per set, same fields, same comparison), with seeds from 960000 born-digital and 960500
scanned, which no test or tuning run uses. Misses are never kept. Writes
bench/out/drawings_fresh.json and prints the Markdown accuracy table.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from bench.drawings import OUT, _accuracy_table, score_sets
from fixtures.drawings.held_out_fresh import FRESH_HELD_OUT_DESIGNS, generate_fresh_drawing_set

SEED_BASE = 960_000
SCANNED_SEED_BASE = 960_500


def main(argv: Sequence[str] | None = None) -> None:
    """Score the fresh held-out designs and print their accuracy table."""
    parser = argparse.ArgumentParser(prog="python -m bench.drawings_fresh")
    parser.add_argument("--seeds", type=int, default=4, help="born-digital seeds per design")
    parser.add_argument("--scanned-seeds", type=int, default=2, help="scanned seeds per design")
    args = parser.parse_args(argv)
    seeds = range(SEED_BASE, SEED_BASE + args.seeds)
    scan_seeds = range(SCANNED_SEED_BASE, SCANNED_SEED_BASE + args.scanned_seeds)
    sets: dict[str, dict[str, Any]] = {
        "fresh held-out, born-digital": score_sets(
            FRESH_HELD_OUT_DESIGNS, seeds, 10, scanned=False, generate=generate_fresh_drawing_set
        ),
        "fresh held-out, scanned (title-block OCR)": score_sets(
            FRESH_HELD_OUT_DESIGNS, scan_seeds, 4, scanned=True, generate=generate_fresh_drawing_set
        ),
    }
    report = {
        "designs": list(FRESH_HELD_OUT_DESIGNS),
        "seeds": [seeds.start, seeds.stop - 1],
        "scanned_seeds": [scan_seeds.start, scan_seeds.stop - 1],
        "sets": sets,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "drawings_fresh.json").write_text(json.dumps(report, indent=2))
    print(_accuracy_table(sets))


if __name__ == "__main__":
    main()
