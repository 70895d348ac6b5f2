"""The OCR engine the CLI and the workers hand to the pipeline: Tesseract when it is installed.

Owns reading the environment for it (PATH, TESSDATA_PREFIX); extractors stay pure.
"""

from __future__ import annotations

import logging
import os
import shutil
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.ocr import OcrEngine

logger = logging.getLogger("docproc.ocr")


@lru_cache(maxsize=1)
def make_ocr_engine() -> OcrEngine | None:
    """Tesseract when its binary is on PATH (one thread a page: pages run side by side), else None.

    Only the engine object is made here; OpenCV and numpy load when a page first needs OCR.
    """
    from extractors.ocr_tesseract import TesseractEngine

    binary = shutil.which("tesseract")
    if binary is None:
        logger.warning("tesseract is not installed: scanned pages and images will not be read")
        return None
    passed = {k: v for k, v in os.environ.items() if k in ("TESSDATA_PREFIX", "PATH")}
    return TesseractEngine(binary=binary, threads=1, env=passed, searchable_pdf=False)
