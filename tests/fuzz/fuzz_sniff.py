"""Atheris fuzz target for the sniff/guard stage: any bytes in, a verdict out, never a crash.

Run with `python -m tests.fuzz.fuzz_sniff -max_total_time=600` (`make fuzz`). The property
checked beyond "no exception": an accepted image never declares a canvas over the limits,
and nothing but PDF, PNG, JPEG or TIFF is ever accepted. Must not touch the disk or network.
"""

from __future__ import annotations

import sys

import atheris  # type: ignore[import-untyped]

from models import ExtractionError  # pydantic: imported uninstrumented

with atheris.instrument_imports(include=["extractors"]):
    from extractors.limits import Limits
    from extractors.sniff import Accepted, MediaKind, guard, sniff_kind

LIMITS = Limits(max_bytes=1_000_000, max_pages=50, max_image_pixels=50_000_000,
                max_image_side=10_000)  # fmt: skip
ACCEPTABLE = {MediaKind.PDF, MediaKind.PNG, MediaKind.JPEG, MediaKind.TIFF}


def check_one(data: bytes) -> None:
    """One input: guard it and check the verdict's invariants (AssertionError on a breach)."""
    verdict = guard(data, LIMITS)
    if isinstance(verdict, Accepted):
        assert verdict.kind in ACCEPTABLE, verdict
        assert sniff_kind(data[:1024]) is verdict.kind
        if verdict.image is not None:
            image = verdict.image
            assert max(image.width, image.height) <= LIMITS.max_image_side, image
            assert image.width * image.height <= LIMITS.max_image_pixels, image
            assert image.frames <= LIMITS.max_pages, image
    else:
        assert isinstance(verdict, ExtractionError), verdict


def main() -> None:
    """Run the fuzzer with libFuzzer's command-line options."""
    atheris.Setup(sys.argv, check_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
