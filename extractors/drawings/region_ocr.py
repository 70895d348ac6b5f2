"""OCR of a title-block region on a scanned sheet: the ports and their Tesseract / PyMuPDF
adapters.

`SheetImages` renders what the drawing extractor asks for (a low-resolution grey page to find
the block's ruled lines, a clip of the block at OCR resolution); `RegionOcr` turns a clip into
words in page coordinates. `PdfSheetImages` and `TesseractRegionOcr` implement them with
PyMuPDF and pytesseract; configuration is passed in, never read from the environment. Only
the clip is rendered at OCR resolution, never a whole sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from extractors.drawings.labels import is_label_word
from extractors.drawings.ruled_cells import find_ruled_cells
from extractors.page import Box, Word

if TYPE_CHECKING:
    from extractors.drawings.title_block import GrayImage

_POINTS_PER_INCH = 72.0
# Capital letters fill about this share of a font size: OCR boxes hug the glyphs.
_CAP_HEIGHT = 0.72
_PAD_PIXELS = 10  # white margin around a clip: Tesseract misses glyphs that touch the edge
_GRAIN_SPREADS = 5.0  # grey this many noise spreads lighter than the paper's median is paper
_INK_MARGIN = 60.0  # ink is at least this much darker than the paper's white point ...
_MIN_INK_PIXELS = 20  # ... and a region with fewer such pixels is blank


class SheetImages(Protocol):
    """Renders parts of a document's sheets on request."""

    def render_gray(self, page: int, dpi: int) -> GrayImage:
        """Page `page` (from 1) as an 8-bit grey image at `dpi`."""
        ...

    def render_clip(self, page: int, clip: Box, dpi: int) -> GrayImage:
        """The `clip` (points) of page `page` as an 8-bit grey image at `dpi`."""
        ...


class RegionOcr(Protocol):
    """Reads the words of a rendered region."""

    def read_region(self, image: GrayImage, clip: Box, dpi: int) -> list[Word]:
        """A region's image (rendered from `clip` at `dpi`) in, its words in page points out."""
        ...

    def read_block(self, image: GrayImage, clip: Box, dpi: int) -> list[Word]:
        """A block of text lines (a list, a paragraph) rendered from `clip` in, its words in
        page points out."""
        ...

    def read_line(self, image: GrayImage) -> str:
        """One line of large print (a sheet number) in, its text out."""
        ...

    def read_text(self, image: GrayImage) -> str:
        """One line of any print (a value beside its label) in, its text out."""
        ...


@dataclass(frozen=True, slots=True)
class RegionOcrConfig:
    """Tesseract settings for title-block clips."""

    lang: str = "eng"
    psm: int = 11  # sparse text: an unruled title block is cells, not paragraphs
    cell_psm: int = 6  # one ruled cell is a uniform block (keeps one-letter revision marks)
    block_psm: int = 4  # a block of text outside the title block: one column of lines
    min_confidence: float = 30.0
    timeout_s: float = 60.0
    tesseract_cmd: str | None = None
    line_chars: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-."


class TesseractRegionOcr:
    """`RegionOcr` with pytesseract, on a denoised, binarised clip."""

    def __init__(self, config: RegionOcrConfig | None = None) -> None:
        self.config = config or RegionOcrConfig()

    def _tesseract(self) -> Any:
        import pytesseract  # type: ignore[import-untyped]

        if self.config.tesseract_cmd:
            pytesseract.pytesseract.tesseract_cmd = self.config.tesseract_cmd
        return pytesseract

    def read_region(self, image: GrayImage, clip: Box, dpi: int) -> list[Word]:
        """A region's image in, its words (page points, size from glyph height) out: cell by
        cell where the block is ruled, else the whole clip as sparse text."""
        ruled = find_ruled_cells(_clean(image), dpi)
        if not ruled.cells:
            return self._read_words(ruled.image, clip.x0, clip.y0, dpi, self.config.psm)
        scale = _POINTS_PER_INCH / dpi
        words: list[Word] = []
        for cell in ruled.cells:
            crop = ruled.image[cell.y : cell.y + cell.height, cell.x : cell.x + cell.width]
            x0, y0 = clip.x0 + cell.x * scale, clip.y0 + cell.y * scale
            found = self._read_words(crop, x0, y0, dpi, self.config.cell_psm)
            if not found and _stretched(crop) is not None:
                # Ink but no sure word: large print under scan grain reads at low confidence
                # ("G002" at 25 %, a lone "P01" at 0 %); binarised, the same cell reads cleanly.
                found = self._read_words(_binarised(crop), x0, y0, dpi, self.config.cell_psm)
            words += found
        return words

    def read_block(self, image: GrayImage, clip: Box, dpi: int) -> list[Word]:
        """A block of text lines in, its words out: read as one column of lines, which keeps
        the short first column of a list (sheet numbers) that sparse-text reading drops."""
        return self._read_words(_clean(image), clip.x0, clip.y0, dpi, self.config.block_psm)

    def _read_words(self, image: GrayImage, x0: float, y0: float, dpi: int, psm: int) -> list[Word]:
        """Tesseract's words of one image whose top-left corner is at (x0, y0) points."""
        import cv2

        stretched = _stretched(image)
        if stretched is None:
            return []  # blank paper: Tesseract would read the scan's grain as letters
        pad = _PAD_PIXELS
        padded = cv2.copyMakeBorder(stretched, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        tesseract = self._tesseract()
        data = tesseract.image_to_data(
            padded,
            lang=self.config.lang,
            config=f"--psm {psm}",
            output_type=tesseract.Output.DICT,
            timeout=self.config.timeout_s,
        )
        scale = _POINTS_PER_INCH / dpi
        origin = (x0 - pad * scale, y0 - pad * scale)
        return _words(data, origin, scale, self.config.min_confidence)

    def read_line(self, image: GrayImage) -> str:
        """One line of large print in, its text (upper-case sheet-number characters) out."""
        config = f"--psm 7 -c tessedit_char_whitelist={self.config.line_chars}"
        return _one_line(self, image, config)

    def read_text(self, image: GrayImage) -> str:
        """One line of any print in, its text out."""
        return _one_line(self, image, "--psm 7")


def _clean(image: GrayImage) -> GrayImage:
    """Speckle off with a small median filter; grey levels are kept (binarising loses the
    thin strokes of small print on a low-resolution scan)."""
    import cv2
    import numpy as np

    cleaned = cv2.medianBlur(image, 3)
    return cleaned.astype(np.uint8)


def _binarised(image: GrayImage) -> GrayImage:
    """The clip in black and white (Otsu's threshold after a light blur): only for a cell that
    read as nothing in grey, since binarising thins the strokes of small print."""
    import cv2
    import numpy as np

    stretched = _stretched(image)
    base = image if stretched is None else stretched
    _, out = cv2.threshold(
        cv2.GaussianBlur(base, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    result: GrayImage = np.asarray(out, dtype=np.uint8)
    return result


def _one_line(self: TesseractRegionOcr, image: GrayImage, config: str) -> str:
    """Tesseract's text of a clip read as one line with `config`; "" for a blank clip."""
    stretched = _stretched(_clean(image))
    if stretched is None:
        return ""
    tesseract = self._tesseract()
    text = tesseract.image_to_string(
        stretched, lang=self.config.lang, config=config, timeout=self.config.timeout_s
    )
    return str(text).strip()


def _stretched(image: GrayImage) -> GrayImage | None:
    """A grey image with the paper made white and its darkest ink black, or None when it holds
    no ink. The paper's level and grain are measured (median and spread), so a scan's noise
    turns white instead of being read as specks, and faint print (a light typewriter face on a
    low-resolution scan) gets the contrast Tesseract's own thresholding needs."""
    import numpy as np

    pixels = image.astype(np.float32)
    paper = float(np.median(pixels))
    spread = 1.4826 * max(float(np.median(np.abs(pixels - paper))), 1.0)
    white = paper - _GRAIN_SPREADS * spread
    if np.count_nonzero(pixels < white - _INK_MARGIN) < _MIN_INK_PIXELS:
        return None
    black = float(pixels.min())
    stretched = (pixels - black) * (255.0 / max(white - black, 1.0))
    out: GrayImage = np.clip(stretched, 0, 255).astype(np.uint8)
    return out


def _words(
    data: dict[str, list[Any]], origin: tuple[float, float], scale: float, min_conf: float
) -> list[Word]:
    """Tesseract's word table in, words in page points (`scale` points a pixel) out."""
    words: list[Word] = []
    for index, text in enumerate(data["text"]):
        text = str(text).strip()
        confidence = float(data["conf"][index])
        # A label's small print is often read unsurely ("prolect." at 9 %); a word that is one
        # misread letter from label vocabulary is kept all the same: specks never spell one.
        if not text or (confidence < min_conf and not is_label_word(text)):
            continue
        x = origin[0] + int(data["left"][index]) * scale
        y = origin[1] + int(data["top"][index]) * scale
        w, h = int(data["width"][index]) * scale, int(data["height"][index]) * scale
        size = h / _CAP_HEIGHT
        # Pad to the box a text layer would give, so the same geometry rules apply.
        box = Box(x, y - 0.2 * size, x + w, y + h + 0.25 * size)
        words.append(Word(text, box, size, False, confidence / 100.0))
    return words


class PdfSheetImages:
    """`SheetImages` over an open PyMuPDF document (the caller owns and closes it)."""

    def __init__(self, document: Any) -> None:
        self.document = document

    def render_gray(self, page: int, dpi: int) -> GrayImage:
        """Page `page` as a grey image at `dpi`."""
        return self._render(page, None, dpi)

    def render_clip(self, page: int, clip: Box, dpi: int) -> GrayImage:
        """The clip of page `page` as a grey image at `dpi`."""
        return self._render(page, clip, dpi)

    def _render(self, page: int, clip: Box | None, dpi: int) -> GrayImage:
        import numpy as np
        import pymupdf

        rect = None if clip is None else pymupdf.Rect(clip.x0, clip.y0, clip.x1, clip.y1)
        pix = self.document[page - 1].get_pixmap(clip=rect, dpi=dpi, colorspace=pymupdf.csGRAY)
        array = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)
        return array[:, : pix.width].copy()


def region_ocr_like(engine: object) -> TesseractRegionOcr:
    """The pipeline's page OCR engine in, a region OCR out that runs the same Tesseract binary
    (the engine's `binary` when it names one)."""
    binary = getattr(engine, "binary", None)
    return TesseractRegionOcr(
        RegionOcrConfig(tesseract_cmd=binary if isinstance(binary, str) else None)
    )
