"""The Tesseract OCR engine: a page raster in, words with boxes and a searchable PDF page out.

Owns one Tesseract run per page (TSV words and a PDF text layer from the same run, on the
cleaned page rescaled to a letter size Tesseract reads well), reading its TSV into the shared
page model (boxes in PDF points, line-aligned heights, a font size and a bold guess from ink
density, the word confidence), and the orientation check: when a page
reads badly, Tesseract's orientation detection on a small copy decides whether to turn it and
read it once more. Pure: the binary, languages, thread count, extra environment and scratch
folder are constructor parameters; nothing here reads the environment. OpenCV and numpy are
imported when the first page is read, never when this module is imported.
"""

from __future__ import annotations

import csv
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from extractors.ocr import OcrFailedError, OcrResult, PageImageSource, PageRaster
from extractors.page import Box, Page, TextSource, Word

if TYPE_CHECKING:
    from extractors.preprocess import Gray

_DEFAULT_DPI = 300
_DEFAULT_MAX_PIXELS = 60_000_000
# Glyph metrics as shares of the font size (Helvetica-like), to turn ink boxes into sizes.
_CAP_HEIGHT = 0.68
_X_HEIGHT = 0.48
_DESCENT = 0.17
_BOX_ASCENT = 1.07  # a text layer's word box reaches this far above the baseline ...
_BOX_DESCENT = 0.28  # ... and this far below it (measured against the text layer)
# Typewriter type (Courier) has a short cap height: size it by its pitch instead.
_MONO_MIN_WORDS = 20
_MONO_TOLERANCE = 0.06
_MONO_SHARE = 0.5
_MONO_ADVANCE = 0.6  # a typewriter face's advance per character, in font sizes
_MONO_INK_SHORTFALL = 0.1  # the first and last glyphs' side bearings, in font sizes
_MEAN_ADVANCE = 0.5  # a character's advance, in font sizes, averaged over letters and figures
_TALL_BOX = 1.6  # a height-size this much above the width-size is two lines boxed as one
_SIDE_BEARING = 0.08  # a text layer's box holds the glyphs' side bearings; ink boxes do not
_ASCENDERS = frozenset("bdfhijklt()[]{}/\\|!?#$%&@'\"")
_DESCENDERS = frozenset("gjpqy,;()[]{}|")
_JUNK_CONFIDENCE = 0.2  # punctuation read this doubtfully is a speck; a dash is kept
_DOUBTFUL = 0.1  # a word read less surely than this is a logo stroke or a speck, not text
_OUTSIZED = 1.8  # ... and one this much bigger than the page's type ...
_UNSURE_BIG = 0.6  # ... read less surely than this is a logo
_JUNK_EDGES = "~=_|[]{}`«»"
_BOLD_STROKE = 1.25  # a stroke this much thicker than the page's median (for its height) is bold
_OSD_SIDE = 1400  # orientation detection runs on a copy this big: fast, and still sure
# OSD is asked only after a poor first reading, and its answer is kept only when the second
# reading is better: a hesitant answer is still worth trying.
_OSD_MIN_CONFIDENCE = 0.3
_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ROTATE_CONFIDENCE = re.compile(r"Orientation confidence:\s*([\d.]+)")


class TesseractError(OcrFailedError):
    """Tesseract failed on a page (crashed, timed out, or produced no output)."""


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    line: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class _Run:
    words: tuple[_Token, ...]
    lines: dict[tuple[int, int, int], tuple[int, int]]
    pdf: bytes | None

    @property
    def mean_confidence(self) -> float:
        if not self.words:
            return 0.0
        return sum(t.confidence for t in self.words) / len(self.words)


@dataclass(frozen=True)
class TesseractEngine:
    """Tesseract as an `OcrEngine` and `RasterOcrEngine`; settings come in, nothing is read."""

    binary: str = "tesseract"
    languages: str = "eng"
    psm: int = 6
    threads: int = 1
    env: Mapping[str, str] = field(default_factory=dict)
    searchable_pdf: bool = True
    scratch_dir: str | None = None
    timeout: float = 180.0
    low_confidence: float = 0.6  # a first reading below this mean confidence checks orientation
    max_pixels: int = _DEFAULT_MAX_PIXELS

    def ocr_page(self, page: PageImageSource) -> Page:
        """A page to look at in (rendered at 300 DPI here), its recognised words out."""
        from extractors.preprocess import decode_gray

        png = page.render_png(_DEFAULT_DPI, self.max_pixels)
        gray = decode_gray(png)
        dpi = 72.0 * gray.shape[1] / page.width if page.width > 0 else float(_DEFAULT_DPI)
        raster = PageRaster(page.number, page.width, page.height, dpi, gray.tobytes(),
                            int(gray.shape[1]), int(gray.shape[0]))  # fmt: skip
        return self.ocr_raster(raster).page

    def ocr_raster(self, raster: PageRaster) -> OcrResult:
        """A grey page raster in: cleaned, read once (twice when upside down), words and PDF out."""
        import numpy as np

        from extractors.preprocess import clean_page, fit_type_size, turn

        gray = np.frombuffer(raster.pixels, dtype=np.uint8)
        gray = gray.reshape(raster.px_height, raster.px_width)
        cleaned = clean_page(gray, raster.dpi, photo=raster.photo)
        # Rescaled for Tesseract: `dpi` goes with `image` from here on (boxes stay in points).
        image, dpi = fit_type_size(cleaned.image, raster.dpi)
        turns = cleaned.quarter_turns
        run = self._read(image, dpi)
        if run.mean_confidence < self.low_confidence:
            extra = self._orientation(image, dpi)
            if extra == 0:
                extra = 2  # OSD unsure (a sparse page): upside down is the likeliest misreading
            if extra:
                turned = turn(image, extra)
                second = self._read(turned, dpi)
                if second.mean_confidence > run.mean_confidence:
                    image, run, turns = turned, second, (turns + extra) % 4
        page = _to_page(run, image, raster.number, dpi)
        extra_turns = (turns - cleaned.quarter_turns) % 4
        rules = _rules(cleaned.rules, extra_turns, cleaned.image.shape, raster.dpi)
        page = Page(page.number, page.width, page.height, page.words, page.source, rules)
        return OcrResult(page, run.pdf, run.mean_confidence, turns, cleaned.skew)

    def _command(self, image: Path, base: Path, dpi: float, *outputs: str) -> list[str]:
        return [self.binary, str(image), str(base), "--dpi", str(round(dpi)),
                "-l", self.languages, "--psm", str(self.psm), *outputs]  # fmt: skip

    def _environment(self) -> dict[str, str]:
        return {**self.env, "OMP_THREAD_LIMIT": str(self.threads)}

    def _call(self, command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, timeout=self.timeout,
                                  env=self._environment(), check=False)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TesseractError(f"tesseract could not run: {exc}") from exc
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise TesseractError(f"tesseract failed ({done.returncode}): {' '.join(detail)}")
        return done.stdout.decode("utf-8", "replace")

    def _read(self, image: Gray, dpi: float) -> _Run:
        """One Tesseract run on a cleaned page: TSV words and (when wanted) a PDF page."""
        import cv2

        with tempfile.TemporaryDirectory(prefix="docproc-ocr-", dir=self.scratch_dir) as tmp:
            folder = Path(tmp)
            source = folder / "page.pgm"
            cv2.imwrite(str(source), image, [cv2.IMWRITE_PXM_BINARY, 1])
            outputs = ("tsv", "pdf") if self.searchable_pdf else ("tsv",)
            self._call(self._command(source, folder / "out", dpi, *outputs))
            tsv = (folder / "out.tsv").read_text(encoding="utf-8", errors="replace")
            pdf_path = folder / "out.pdf"
            pdf = pdf_path.read_bytes() if self.searchable_pdf and pdf_path.exists() else None
        words, lines = parse_tsv(tsv)
        return _Run(words, lines, pdf)

    def _orientation(self, image: Gray, dpi: float) -> int:
        """Clockwise quarter turns that would put the page upright (0 when unsure)."""
        import cv2

        scale = min(1.0, _OSD_SIDE / max(image.shape))
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        with tempfile.TemporaryDirectory(prefix="docproc-osd-", dir=self.scratch_dir) as tmp:
            source = Path(tmp) / "page.pgm"
            cv2.imwrite(str(source), small)
            command = [self.binary, str(source), "-", "--dpi", str(round(dpi * scale)),
                       "--psm", "0"]  # fmt: skip
            try:
                report = self._call(command)
            except TesseractError:
                return 0  # too little text to tell: keep the first reading
        rotate, confidence = _ROTATE.search(report), _ROTATE_CONFIDENCE.search(report)
        if rotate is None or confidence is None:
            return 0
        if float(confidence.group(1)) < _OSD_MIN_CONFIDENCE:
            return 0
        return (int(rotate.group(1)) // 90) % 4


def _trim_junk(text: str) -> str:
    """A word without the rule remnants Tesseract glues to it ("~+EA" -> "EA", "_Einheit")."""
    core = text.strip(_JUNK_EDGES)
    if core != text and core[:1] == "+" and core[1:].isalpha():
        core = core[1:]
    return core if any(c.isalnum() for c in core) else text


def _rules(
    found: Sequence[tuple[int, int, int, int]], extra_turns: int, shape: tuple[int, ...], dpi: float
) -> tuple[Box, ...]:
    """Ruling lines found in pixels, in points on the page as read (after a half turn too)."""
    scale = 72.0 / dpi
    height, width = shape[0], shape[1]
    if extra_turns == 2:
        found = [(width - x1, height - y1, width - x0, height - y0) for x0, y0, x1, y1 in found]
    elif extra_turns:
        return ()  # a page read sideways after all: its rules are not worth carrying
    return tuple(Box(x0 * scale, y0 * scale, x1 * scale, y1 * scale) for x0, y0, x1, y1 in found)


def parse_tsv(
    tsv: str,
) -> tuple[tuple[_Token, ...], dict[tuple[int, int, int], tuple[int, int]]]:
    """Tesseract TSV in: its words (with confidence 0..1) and each line's top and bottom out."""
    words: list[_Token] = []
    lines: dict[tuple[int, int, int], tuple[int, int]] = {}
    for row in csv.DictReader(tsv.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE):
        try:
            level = int(row["level"])
            key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
            left, top = int(row["left"]), int(row["top"])
            width, height = int(row["width"]), int(row["height"])
            confidence = float(row["conf"])
        except (KeyError, TypeError, ValueError):
            continue
        if level == 4:
            lines[key] = (top, top + height)
        text = _trim_junk((row.get("text") or "").strip())
        if level == 5 and text and confidence >= 0:
            words.append(_Token(text, left, top, width, height, confidence / 100.0, key))
    return tuple(words), lines


def _stroke_widths(run: _Run, image: Gray) -> list[float]:
    """Per word: its ink's mean stroke width in pixels (area over boundary, about half a stroke)."""
    import cv2
    import numpy as np

    kernel = np.ones((3, 3), np.uint8)
    widths = []
    for token in run.words:
        crop = image[token.top : token.top + token.height, token.left : token.left + token.width]
        ink = (crop < 128).astype(np.uint8)
        area = int(ink.sum())
        boundary = area - int(cv2.erode(ink, kernel, borderType=cv2.BORDER_CONSTANT,
                                        borderValue=0).sum())  # fmt: skip
        widths.append(area / max(boundary, 1))
    return widths


def _metrics(token: _Token, scale: float) -> tuple[float, float]:
    """A word's font size from its ink height and letter shapes, and its baseline, in points."""
    text = token.text
    tall = any(c.isupper() or c.isdigit() or c in _ASCENDERS for c in text)
    deep = any(c in _DESCENDERS for c in text)
    top = _CAP_HEIGHT if tall else _X_HEIGHT
    size = token.height * scale / (top + (_DESCENT if deep else 0.0))
    # Tesseract sometimes boxes a word together with a line tightly above it: a box far taller
    # than the word is wide for its letters. Size such a word by its width instead.
    by_width = token.width * scale / (_MEAN_ADVANCE * len(text))
    if len(text) >= 4 and size > _TALL_BOX * by_width:
        return by_width, (token.top + token.height) * scale
    baseline = (token.top + token.height) * scale - (_DESCENT * size if deep else 0.0)
    return size, baseline


def _doubtful(token: _Token, size: float, usual: float) -> bool:
    """Logo strokes and specks read as letters: barely recognised, or big and unsure."""
    if token.confidence < _DOUBTFUL:
        return True
    return size > _OUTSIZED * usual and token.confidence < _UNSURE_BIG


def _monospaced(words: Sequence[_Token]) -> bool:
    """True when most words share one character pitch: typewriter type, sized by pitch."""
    # Letters only: figures are tabular (one pitch) in proportional faces too.
    pitches = [t.width / len(t.text) for t in words if len(t.text) >= 4 and t.text.isalpha()]
    if len(pitches) < _MONO_MIN_WORDS:
        return False
    typical = median(pitches)
    close = sum(1 for p in pitches if abs(p - typical) < _MONO_TOLERANCE * typical)
    return close / len(pitches) >= _MONO_SHARE


def _monospaced_sizes(
    words: Sequence[_Token], metrics: list[tuple[float, float]], scale: float
) -> list[tuple[float, float]]:
    """Sizes of typewriter words from their pitch (each line's median), baselines unchanged."""
    pitch_sizes: dict[tuple[int, int, int], list[float]] = {}
    for token in words:
        if len(token.text) >= 3 and token.text.isalpha():
            advance = _MONO_ADVANCE * len(token.text) - _MONO_INK_SHORTFALL
            pitch_sizes.setdefault(token.line, []).append(token.width * scale / advance)
    sized = {key: median(found) for key, found in pitch_sizes.items()}
    return [(sized.get(token.line, size), baseline)
            for token, (size, baseline) in zip(words, metrics, strict=True)]  # fmt: skip


def _line_metrics(
    run: _Run, scale: float
) -> tuple[list[tuple[float, float]], dict[tuple[int, int, int], tuple[float, float]], float]:
    """Every word's (size, baseline), each line's median of its lettered words, the page's size."""
    metrics = [_metrics(token, scale) for token in run.words]
    if _monospaced(run.words):
        metrics = _monospaced_sizes(run.words, metrics, scale)
    by_line: dict[tuple[int, int, int], list[tuple[float, float]]] = {}
    for token, metric in zip(run.words, metrics, strict=True):
        if any(c.isalnum() for c in token.text):
            by_line.setdefault(token.line, []).append(metric)
    lines = {key: (median(m[0] for m in found), median(m[1] for m in found))
             for key, found in by_line.items()}  # fmt: skip
    lettered = [m[0] for found in by_line.values() for m in found]
    usual = median(lettered) if lettered else 10.0
    # A word of x-height letters only ("area", "con") has no cap height to measure: when its
    # estimate is near the page's usual size, take the usual size.
    metrics = [
        (usual, baseline)
        if _x_height_only(token.text) and 0.75 * usual <= size <= 1.33 * usual
        else (size, baseline)
        for token, (size, baseline) in zip(run.words, metrics, strict=True)
    ]
    return metrics, lines, usual


def _x_height_only(text: str) -> bool:
    return not any(c.isupper() or c.isdigit() or c in _ASCENDERS or c in _DESCENDERS
                   for c in text)  # fmt: skip


def _to_page(run: _Run, image: Gray, number: int, dpi: float) -> Page:
    """A Tesseract run in, a `Page` in points (text-layer-like boxes, size, bold, confidence)."""
    scale = 72.0 / dpi
    metrics, lines, usual = _line_metrics(run, scale)
    # Bold type has thicker strokes for its size: compare stroke over size with the page's.
    strokes = [stroke / max(size, 0.1) for stroke, (size, _) in
               zip(_stroke_widths(run, image), metrics, strict=True)]  # fmt: skip
    typical = [s for s, t in zip(strokes, run.words, strict=True) if len(t.text) >= 3]
    norm = median(typical) if typical else 0.0
    words = []
    for token, stroke, (size, baseline) in zip(run.words, strokes, metrics, strict=True):
        if _doubtful(token, size, usual):
            continue
        if not any(c.isalnum() for c in token.text):
            # Rule remnants, specks and logo fragments read as | - = _ : drop the doubtful and
            # the outsized, and set real punctuation on its line, at the line's size.
            junk = all(c in _JUNK_EDGES for c in token.text)
            if junk or token.confidence < _JUNK_CONFIDENCE or size > 2.0 * usual:
                continue
            size, baseline = lines.get(token.line, (usual, baseline))
        bearing = _SIDE_BEARING * size
        box = Box(token.left * scale - bearing, baseline - _BOX_ASCENT * size,
                  (token.left + token.width) * scale + bearing,
                  baseline + _BOX_DESCENT * size)  # fmt: skip
        bold = norm > 0 and len(token.text) >= 2 and stroke > _BOLD_STROKE * norm
        words.append(Word(token.text, box, round(size, 1), bold, round(token.confidence, 3)))
    height, width = image.shape
    return Page(number, width * scale, height * scale, tuple(words), TextSource.OCR)
