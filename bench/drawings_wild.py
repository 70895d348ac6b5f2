"""`python -m bench.drawings_wild`: per-field accuracy on the wild development title blocks.

The wild designs (`fixtures/drawings/wild.py`) are development designs modelled on real
title blocks; they are scored exactly as `bench.drawings` scores its sets (same sheets per
set, same fields, same comparison), with development seeds from 500 born-digital and 700
scanned, so their misses are kept and `--misses` prints them. `--family wild2` scores the
second family (`wild2.py`: revision histories and project names of many shapes) the same
way, `--family wild3` the third (`wild3.py`: issue boxes, corner tables, plot dates), `--family
wild4` the fourth (`wild4.py`: upward-growing tables, issue purposes, vertical project names),
`--family wild5` the fifth (`wild5.py`: suffixed sheet numbers, two-line titles, noted scales,
plot-date distractors, blocks at the left edge or the top).
Writes bench/out/drawings_<family>.json and prints the Markdown accuracy table.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from bench.drawings import OUT, _accuracy_table, score_sets
from fixtures.drawings import (
    WILD2_DESIGNS,
    WILD3_DESIGNS,
    WILD4_DESIGNS,
    WILD5_DESIGNS,
    WILD_DESIGNS,
)

SEED_BASE = 500
SCANNED_SEED_BASE = 700
FAMILIES: dict[str, tuple[str, ...]] = {
    "wild": WILD_DESIGNS,
    "wild2": WILD2_DESIGNS,
    "wild3": WILD3_DESIGNS,
    "wild4": WILD4_DESIGNS,
    "wild5": WILD5_DESIGNS,
}


def main(argv: Sequence[str] | None = None) -> None:
    """Score the wild development designs and print their accuracy table."""
    parser = argparse.ArgumentParser(prog="python -m bench.drawings_wild")
    parser.add_argument("--seeds", type=int, default=4, help="born-digital seeds per design")
    parser.add_argument("--scanned-seeds", type=int, default=2, help="scanned seeds per design")
    parser.add_argument("--family", choices=sorted(FAMILIES), default="wild", help="which family")
    parser.add_argument("--designs", nargs="*", help="a subset of the family (default: all)")
    parser.add_argument("--misses", action="store_true", help="print the misses")
    args = parser.parse_args(argv)
    family = args.family
    designs = args.designs if args.designs is not None else list(FAMILIES[family])
    seeds = range(SEED_BASE, SEED_BASE + args.seeds)
    scan_seeds = range(SCANNED_SEED_BASE, SCANNED_SEED_BASE + args.scanned_seeds)
    sets: dict[str, dict[str, Any]] = {}
    if args.seeds:
        sets[f"{family}, born-digital"] = score_sets(designs, seeds, 10, False, keep_misses=True)
    if args.scanned_seeds:
        sets[f"{family}, scanned (title-block OCR)"] = score_sets(
            designs, scan_seeds, 4, True, keep_misses=True
        )
    OUT.mkdir(exist_ok=True)
    (OUT / f"drawings_{family}.json").write_text(json.dumps({"sets": sets}, indent=2))
    print(_accuracy_table(sets))
    if args.misses:
        for name, result in sets.items():
            print(f"\n{name}:", *result["misses"], sep="\n  ")


if __name__ == "__main__":
    main()
