"""The drawing index of a scanned sheet: where its text is, OCR'd one text block at a time.

A scanned cover has no text layer, and OCR of a whole 36 x 24 in sheet at a resolution its
8-point index rows need is out of the question. Text blocks are found instead in the same
low-resolution render that locates the title block (ink with the ruled lines taken out,
smeared into blocks), and only blocks of text-like size and ink are rendered at OCR
resolution and read. Owns finding those blocks and turning their words into a `Page` for
`sheet_index.read_sheet_index`; not what an index says. Pure apart from the ports it is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.page import Box, Page, TextSource, Word

if TYPE_CHECKING:
    from extractors.drawings.region_ocr import RegionOcr, SheetImages
    from extractors.drawings.title_block import GrayImage

_POINTS_PER_INCH = 72.0
_RULE_INCHES = 1.0  # a straight stroke this long is a rule or line work, not a word ...
_RULE_THICKNESS = 0.1  # ... unless it is thicker than this (a bold line of text)
_JOIN_INCHES = (0.6, 0.2)  # ink this close across / down belongs to one block of text
_MIN_BLOCK_INCHES = (0.5, 0.1)  # width, height: smaller blobs are specks or rule stubs
_MAX_BLOCK_SHARE = 0.15  # a block this large a share of the page is a picture, not text
_MAX_INK_SHARE = 0.45  # a block this densely inked is a hatch or a picture, not text
_MAX_BLOCKS = 12  # read at most this many blocks a page, largest first
_EDGE_INCHES = 0.75  # blobs this near the sheet's edge are the border's stubs and scan dirt


def find_text_blocks(gray: GrayImage, width: float, height: float, exclude: Box) -> list[Box]:
    """A low-resolution grey render of a sheet in, its blocks of text outside `exclude` (the
    title block) out, in points, largest first."""
    import cv2
    import numpy as np

    rows, cols = gray.shape
    scale_x, scale_y = cols / width, rows / height
    dpi = scale_x * _POINTS_PER_INCH
    ink: GrayImage = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 12
    ).astype(np.uint8)
    ink[int(exclude.y0 * scale_y) :, int(exclude.x0 * scale_x) :] = 0
    ink[_rules(ink, dpi) > 0] = 0
    join = (max(int(dpi * _JOIN_INCHES[0]), 3), max(int(dpi * _JOIN_INCHES[1]), 2))
    smeared = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, join))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(smeared)
    edge = _EDGE_INCHES * dpi
    blocks: list[Box] = []
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index][:4])
        if (
            w < _MIN_BLOCK_INCHES[0] * dpi
            or h < _MIN_BLOCK_INCHES[1] * dpi
            or w * h > _MAX_BLOCK_SHARE * rows * cols
            or x < edge
            or y < edge
            or x + w > cols - edge
            or y + h > rows - edge
        ):
            continue
        inked = int(np.count_nonzero(ink[y : y + h, x : x + w]))
        if inked > _MAX_INK_SHARE * w * h:
            continue
        pad = 0.1 * dpi
        box = Box((x - pad) / scale_x, (y - pad) / scale_y,
                  (x + w + pad) / scale_x, (y + h + pad) / scale_y)  # fmt: skip
        blocks.append(box)
    merged = _merge(blocks)
    merged.sort(key=lambda box: -(box.x1 - box.x0) * (box.y1 - box.y0))
    return merged[:_MAX_BLOCKS]


def _rules(ink: GrayImage, dpi: float) -> GrayImage:
    """Long thin strokes of an ink mask (rules, borders, line work), thickened a little. A
    bold heading at low resolution is a long solid run too, but a thick one: it is kept."""
    import cv2
    import numpy as np

    length = max(int(dpi * _RULE_INCHES), 5)
    thin = max(int(dpi * _RULE_THICKNESS), 2)
    mask = np.zeros_like(ink)
    for kernel, across in (((length, 1), True), ((1, length), False)):
        shape = cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        opened = cv2.morphologyEx(ink, cv2.MORPH_OPEN, shape)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(opened)
        for index in range(1, count):
            thickness = int(stats[index][3] if across else stats[index][2])
            if thickness <= thin:
                mask[labels == index] = 255
    out: GrayImage = cv2.dilate(mask, np.ones((3, 3), np.uint8)).astype(np.uint8)
    return out


def _merge(boxes: list[Box]) -> list[Box]:
    """Boxes that overlap merged into one (the columns of one list, a heading and its rows)."""
    out = list(boxes)
    merged = True
    while merged:
        merged = False
        for i, first in enumerate(out):
            for j in range(i + 1, len(out)):
                second = out[j]
                if (
                    first.x0 <= second.x1
                    and second.x0 <= first.x1
                    and (first.y0 <= second.y1 and second.y0 <= first.y1)
                ):
                    out[i] = first.union(second)
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return out


def ocr_text_blocks(
    page: Page,
    gray: GrayImage,
    block: Box,
    images: SheetImages,
    ocr: RegionOcr,
    dpi: int,
) -> Page:
    """A scanned sheet in (its low-resolution render and title-block box), a page of the words
    of its text blocks outside the title block, as OCR read them, out."""
    words: list[Word] = []
    for clip in find_text_blocks(gray, page.width, page.height, block):
        words += ocr.read_block(images.render_clip(page.number, clip, dpi), clip, dpi)
    return Page(page.number, page.width, page.height, tuple(words), TextSource.OCR)
