"""Clean a page image up before OCR: flatten, straighten, even the lighting, binarise.

Owns the OpenCV steps between a raster and Tesseract: finding a photographed page's
quadrilateral and warping it flat, the quarter-turn family of the text lines (0/180 versus
90/270), deskew (within +-10 degrees), background division against shadows, denoising,
darkening faint print, binarisation, removing dark scanner borders and punch holes, and
rescaling a page whose letters are too small or too big for Tesseract. Pure functions on numpy
arrays: no files, no environment, no OCR. OpenCV and numpy are imported by the modules that
import this one, never by the command line's start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]

_WORK_SIDE = 1000  # analysis (quad, skew, line direction) runs on a copy this big
_MAX_SKEW = 10.0
_COARSE_STEP = 1.0
_FINE_STEP = 0.1
_MIN_QUAD_AREA = 0.25  # of the image: a smaller quadrilateral is a box on the page, not the page
_MAX_QUAD_AREA = 0.97  # of the image: bigger means the page already fills the frame
_QUAD_INSET = 0.005  # of the longer side: page corners closer to the frame than this are cut off
_RULE_MIN_INCHES = 0.4  # a straight run of ink this long is a ruling line, not a letter
_PAPER_GREY = 235  # on evened paper, lighter than this is background: shading, tint, fringe
_RULE_GREY = 215  # darker than this (on evened paper) may be part of a ruling line
_RULE_MAX_THICKNESS = 0.03  # inches: thicker is a filled box or a banner, not a rule
_NOISE_LIMIT = 12.0  # grey levels of high-frequency noise above which a median filter runs
# Faint print (thermal receipts, light-blue ink) beside dark type: Tesseract's one global Otsu
# threshold puts the faint strokes with the paper. Where the darkest ink nearby is lighter than
# _FAINT_INK, it is darkened towards _INK_TARGET, by at most _MAX_INK_GAIN; where it is lighter
# than _PAPER_ONLY there is nothing but paper and specks, left alone.
_FAINT_INK = 90
_PAPER_ONLY = 225
_INK_TARGET = 40.0
_MAX_INK_GAIN = 3.0
_FAINT_MIN_SHARE = 0.01  # of the page: less faint print than this is specks, not text
_GAIN_TILE = 48  # pixels: the ink is deepened by one gain per tile this big
_MIN_GAIN = 1.02  # a tile whose gain is below this is left as it is
_INK_WINDOW = 0.06  # of the analysis copy's longer side: a few text lines across
# Tesseract reads letters of 12 to 50 pixels well. A photo or a scan whose stated resolution
# is wrong (JPEGs say 72 or 96 DPI) can carry letters of 7 or of 80 pixels: those pages are
# rescaled to _TYPE_TARGET pixels. Pages within the band are left as they are (a 200-DPI fax
# read at its own resolution reads better than enlarged).
# A dark panel: a solid patch darker than this grey, filling most of its bounding box, at least
# this share of the page and this many analysis pixels high (a banner, a filled header row).
_PANEL_DARK = 120
_PANEL_FILL = 0.6
_PANEL_MIN_SHARE = 0.004
_PANEL_MIN_SIDE = 8
_TYPE_BAND = (12.0, 50.0)
_TYPE_TARGET = 26.0
_TYPE_SCALE_LIMITS = (0.4, 3.0)
_TYPE_MIN_GLYPHS = 30
_TYPE_MAX_PIXELS = 40_000_000
_HALF_SIZE_PIXELS = 4_000_000


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A cleaned page: the image for OCR and what was done to get it."""

    image: Gray
    quarter_turns: int  # clockwise quarter turns applied (0..3)
    skew: float  # degrees the page was rotated back by
    flattened: bool  # a photographed page's quadrilateral was warped flat
    rules: tuple[tuple[int, int, int, int], ...] = ()  # ruling lines found (and erased), pixels


def decode_gray(data: bytes) -> Gray:
    """Encoded image bytes (PNG, JPEG, TIFF first frame) in, an 8-bit grey array out."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError("the page image cannot be decoded")
    return np.asarray(image, dtype=np.uint8)


def _shrink(image: Gray, side: int = _WORK_SIDE) -> tuple[Gray, float]:
    """A copy whose longer side is at most `side`, and the factor it was scaled by."""
    scale = min(1.0, side / max(image.shape))
    if scale >= 1.0:
        return image, 1.0
    # Area averaging over a big page is slow: take every k-th pixel first, average the rest.
    step = max(1, int(0.5 / scale))
    source = image[::step, ::step] if step > 1 else image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.asarray(cv2.resize(source, size, interpolation=cv2.INTER_AREA)), scale


def _order_corners(points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Four points in, ordered top-left, top-right, bottom-right, bottom-left."""
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.array(
        [points[np.argmin(sums)], points[np.argmin(diffs)],
         points[np.argmax(sums)], points[np.argmax(diffs)]],
        dtype=np.float32,
    )  # fmt: skip


def find_page_quad(image: Gray) -> npt.NDArray[np.float32] | None:
    """A photo in, the page's four corners (TL, TR, BR, BL, full-size pixels) or None."""
    small, scale = _shrink(image, 800)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour) / float(small.shape[0] * small.shape[1])
    if not _MIN_QUAD_AREA <= area <= _MAX_QUAD_AREA:
        return None
    hull = cv2.convexHull(contour)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return None
    corners = quad.reshape(4, 2).astype(np.float32)
    # A page photographed on a desk has desk all round it; a quadrilateral reaching the frame's
    # edge is a shadow or a dark banner cutting into a page that fills the frame.
    inset = _QUAD_INSET * max(small.shape)
    height, width = small.shape
    xs, ys = corners[:, 0], corners[:, 1]
    if (
        xs.min() < inset
        or ys.min() < inset
        or xs.max() > width - inset
        or ys.max() > height - inset
    ):
        return None
    return _order_corners(corners / scale)


def warp_quad(image: Gray, quad: npt.NDArray[np.float32]) -> Gray:
    """Warp the quadrilateral `quad` (TL, TR, BR, BL) of `image` to an upright rectangle."""
    tl, tr, br, bl = quad
    width = round(float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = round(float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)  # fmt: skip
    matrix = cv2.getPerspectiveTransform(quad, target)
    warped = cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    return np.asarray(warped, dtype=np.uint8)


def even_lighting(image: Gray) -> Gray:
    """Divide by an estimate of the paper's brightness, so shadows and gradients go white."""
    small, _ = _shrink(image, 400)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)  # ink removed: paper stays
    background = cv2.GaussianBlur(background, (0, 0), 4)
    background = cv2.resize(background, (image.shape[1], image.shape[0]),
                            interpolation=cv2.INTER_LINEAR)  # fmt: skip
    evened = cv2.divide(image, np.maximum(background, 1), scale=255)
    return np.asarray(evened, dtype=np.uint8)


def noise_level(image: Gray) -> float:
    """A rough sigma of the high-frequency noise on the paper, in grey levels."""
    small, _ = _shrink(image, 600)
    residual = small.astype(np.int16) - cv2.medianBlur(small, 3).astype(np.int16)
    paper = small > 180
    if not paper.any():
        return 0.0
    return float(np.median(np.abs(residual[paper])) * 1.4826 + np.std(residual[paper]) * 0.5)


def ink_mask(image: Gray) -> Gray:
    """Dark marks as 255 on 0, from an Otsu threshold of a small copy (for analysis only)."""
    _, mask = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return np.asarray(mask, dtype=np.uint8)


def _profile_score(mask: Gray, degrees: float) -> float:
    """How sharply the ink falls into rows when the mask is rotated by `degrees`."""
    height, width = mask.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    rotated = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_NEAREST)
    rows = rotated.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def _best_angle(mask: Gray, centre: float, span: float, step: float) -> tuple[float, float]:
    angles = np.arange(centre - span, centre + span + step / 2, step)
    scores = [_profile_score(mask, float(angle)) for angle in angles]
    best = int(np.argmax(scores))
    return float(angles[best]), float(scores[best])


def estimate_skew(image: Gray) -> float:
    """A page image in, its skew in degrees (counter-clockwise positive, within +-10) out."""
    small, _ = _shrink(image, 700)
    mask = ink_mask(small)
    coarse, _ = _best_angle(mask, 0.0, _MAX_SKEW, _COARSE_STEP)
    fine, _ = _best_angle(mask, coarse, _COARSE_STEP, _FINE_STEP)
    return round(fine, 2)


def _without_long_lines(mask: Gray) -> Gray:
    """The ink mask without ruling lines, whose direction says nothing about the text's."""
    length = max(15, max(mask.shape) // 12)
    across = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    down = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    lines = cv2.dilate(cv2.bitwise_or(across, down), np.ones((3, 3), np.uint8))
    return np.asarray(cv2.subtract(mask, lines), dtype=np.uint8)


def lines_run_vertically(image: Gray) -> bool:
    """True when the text lines run top to bottom (the page is turned by 90 or 270 degrees)."""
    small, _ = _shrink(image, 600)
    mask = _without_long_lines(ink_mask(small))
    _, across = _best_angle(mask, 0.0, 6.0, 2.0)
    _, down = _best_angle(np.ascontiguousarray(mask.T), 0.0, 6.0, 2.0)
    # Scores grow with the length of the summed axis; compare per unit of that length.
    return bool(down / mask.shape[0] > 1.5 * across / mask.shape[1])


def rotate(image: Gray, degrees: float) -> Gray:
    """Rotate counter-clockwise by `degrees` about the centre, keeping the size, white fill."""
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    turned = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(255,))  # fmt: skip
    return np.asarray(turned, dtype=np.uint8)


def turn(image: Gray, quarter_turns: int) -> Gray:
    """Rotate by whole quarter turns clockwise."""
    code = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    quarter_turns %= 4
    return image if quarter_turns == 0 else np.asarray(cv2.rotate(image, code[quarter_turns]))


def border_and_hole_mask(binary: Gray, dpi: float) -> Gray | None:
    """Where the dark blobs touching the edge (scanner borders) and punch holes are, or None."""
    step = 2 if max(binary.shape) > 1500 else 1  # blobs this big survive half resolution
    ink = (binary[::step, ::step] < 128).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = ink.shape
    hole_min, hole_max = 0.15 * dpi / step, 0.45 * dpi / step  # holes are 4 to 11 mm across
    edge = 0.15 * width
    chosen = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        touches = x == 0 or y == 0 or x + w >= width or y + h >= height
        big = w > 0.3 * width or h > 0.3 * height or area > 0.002 * width * height
        round_blob = hole_min <= w <= hole_max and 0.85 <= w / max(h, 1) <= 1.18
        # A filled disc covers pi/4 of its box; bold letters and logos do not come that close.
        disc = 0.70 <= area / max(w * h, 1) <= 0.84 and bool(ink[y + h // 2, x + w // 2])
        near_edge = x < edge or x + w > width - edge
        if (touches and big) or (round_blob and disc and near_edge):
            chosen.append(label)
    if not chosen:
        return None
    found = np.isin(labels, chosen).astype(np.uint8) * 255
    mask = cv2.dilate(found, np.ones((3, 3), np.uint8))
    full = cv2.resize(mask, (binary.shape[1], binary.shape[0]), interpolation=cv2.INTER_NEAREST)
    return np.asarray(full, dtype=np.uint8)


def whiten_paper(image: Gray) -> Gray:
    """Stretch the grey levels so light shading (zebra rows, tinted boxes) becomes white paper."""
    table = np.clip(np.arange(256, dtype=np.float32) * 255.0 / _PAPER_GREY, 0, 255)
    return np.asarray(cv2.LUT(image, table.astype(np.uint8)), dtype=np.uint8)


def binarise(image: Gray) -> Gray:
    """An evenly lit grey page in, black marks on white out (Otsu)."""
    _, binary = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return np.asarray(binary, dtype=np.uint8)


def clean_page(image: Gray, dpi: float, photo: bool = False) -> Cleaned:
    """A grey page raster in, an upright, flat, evenly lit grey image without rules out."""
    flattened = False
    if photo:
        quad = find_page_quad(image)
        if quad is not None:
            image, flattened = warp_quad(image, quad), True
    quarter_turns = 1 if lines_run_vertically(image) else 0
    image = turn(image, quarter_turns)
    skew = estimate_skew(image)
    if abs(skew) >= 0.2:
        image = rotate(image, skew)
    if photo or _uneven(image):
        image = even_lighting(image)
    if noise_level(image) > _NOISE_LIMIT:
        image = np.asarray(cv2.medianBlur(image, 3), dtype=np.uint8)
    image = invert_dark_panels(image)
    image = darken_faint_ink(image)
    # Tesseract recognises from grey levels (a hard threshold turns Q into O): the binary copy
    # only finds what to paint out.
    binary = binarise(image)
    # Rules are often printed light grey: look for them with a lighter threshold than text.
    rules = find_rules(np.where(image < _RULE_GREY, 0, 255).astype(np.uint8), dpi)
    blobs = border_and_hole_mask(binary, dpi)
    image = erase_rules(whiten_paper(image), rules)
    if blobs is not None:
        image[blobs > 0] = 255
    return Cleaned(image, quarter_turns, skew, flattened, tuple(rules))


def invert_dark_panels(image: Gray) -> Gray:
    """White type on dark panels (a letterhead banner, a table's filled header row) turned
    into dark type on light paper: Tesseract reads dark letters on a light ground only."""
    small, scale = _shrink(image, 800)
    dark = np.where(small < _PANEL_DARK, 255, 0).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    least = _PANEL_MIN_SHARE * small.size
    panels = [
        (x, y, w, h)
        for x, y, w, h, area in stats[1:count].tolist()
        if w * h >= least and area >= _PANEL_FILL * w * h and min(w, h) >= _PANEL_MIN_SIDE
    ]
    if not panels:
        return image
    out = image.copy()
    for x, y, w, h in panels:
        x0, y0 = int(x / scale), int(y / scale)
        x1, y1 = int((x + w) / scale), int((y + h) / scale)
        out[y0:y1, x0:x1] = 255 - out[y0:y1, x0:x1]
    return out


def _darkest_nearby(image: Gray) -> Gray:
    """The darkest grey within a few text lines of each pixel, on a small copy."""
    small, _ = _shrink(image, 600)
    side = max(3, round(_INK_WINDOW * max(small.shape)))
    return np.asarray(cv2.erode(small, np.ones((side, side), np.uint8)), dtype=np.uint8)


def _ink_gain(darkest: Gray) -> npt.NDArray[np.float32]:
    """Per analysis pixel: how much to deepen the ink there (1 where the print is dark already
    or where there is only paper), smoothed so neighbouring tiles differ little."""
    ink = darkest.astype(np.float32)
    gain = np.clip((255.0 - _INK_TARGET) / np.maximum(255.0 - ink, 1.0), 1.0, _MAX_INK_GAIN)
    # Fade the gain out towards bare paper, so specks there stay as light as they were.
    weight = np.clip((_PAPER_ONLY - ink) / (_PAPER_ONLY - 195.0), 0.0, 1.0)
    gain = np.asarray(1.0 + (gain - 1.0) * weight, dtype=np.float32)
    side = max(3, round(_INK_WINDOW * max(darkest.shape)))
    return np.asarray(cv2.blur(gain, (side, side)), dtype=np.float32)


def darken_faint_ink(image: Gray) -> Gray:
    """Faint print darkened to the contrast of normal type; pages without any come back as is."""
    darkest = _darkest_nearby(image)
    faint = (darkest > _FAINT_INK) & (darkest < _PAPER_ONLY)
    if np.count_nonzero(faint) < _FAINT_MIN_SHARE * faint.size:
        return image
    # One gain per tile, and only the tiles that need it: a page with a few grey labels costs
    # a few tiles, not a pass over the whole page in floating point.
    height, width = image.shape
    rows, cols = -(-height // _GAIN_TILE), -(-width // _GAIN_TILE)
    gains = cv2.resize(_ink_gain(darkest), (cols, rows), interpolation=cv2.INTER_AREA)
    out = image.copy()
    for row, col in zip(*np.nonzero(gains > _MIN_GAIN), strict=True):
        gain = float(gains[row, col])
        y, x = row * _GAIN_TILE, col * _GAIN_TILE
        tile = image[y : y + _GAIN_TILE, x : x + _GAIN_TILE]
        # 255 - (255 - grey) * gain, saturated to 0..255
        out[y : y + _GAIN_TILE, x : x + _GAIN_TILE] = cv2.addWeighted(
            tile, gain, tile, 0.0, 255.0 * (1.0 - gain)
        )
    return out


def typical_glyph_height(image: Gray) -> float | None:
    """The median height in pixels of the letter-shaped ink blobs (None when too few)."""
    # Half resolution is plenty to measure letters in a big page, and four times faster.
    step = 2 if image.size > _HALF_SIZE_PIXELS else 1
    ink = (image[::step, ::step] < 128).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights, areas = stats[1:, 2] * step, stats[1:, 3] * step, stats[1:, 4] * step**2
    letter = (
        (heights >= 5)
        & (heights <= max(image.shape) / 20)
        & (widths <= 2.5 * heights)
        & (areas >= 0.1 * widths * heights)
    )
    if int(letter.sum()) < _TYPE_MIN_GLYPHS:
        return None
    return float(np.median(heights[letter]))


def fit_type_size(image: Gray, dpi: float) -> tuple[Gray, float]:
    """A cleaned page and its resolution in; rescaled so its letters are a size Tesseract reads
    well (with the resolution that makes its boxes come out the same in points) out."""
    height = typical_glyph_height(image)
    low, high = _TYPE_BAND
    if height is None or low <= height <= high:
        return image, dpi
    smallest, largest = _TYPE_SCALE_LIMITS
    factor = min(max(_TYPE_TARGET / height, smallest), largest)
    factor = min(factor, (_TYPE_MAX_PIXELS / (image.shape[0] * image.shape[1])) ** 0.5)
    if abs(factor - 1.0) < 0.1:
        return image, dpi
    method = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    scaled = cv2.resize(image, None, fx=factor, fy=factor, interpolation=method)
    return np.asarray(scaled, dtype=np.uint8), dpi * factor


def _uneven(image: Gray) -> bool:
    """True when the paper's brightness varies across the page (a shadow, a gradient)."""
    small, _ = _shrink(image, 200)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    paper = background[background > 100]
    if paper.size == 0:
        return True
    low, high = np.percentile(paper, [5, 95])
    return bool(high - low > 25)


def find_rules(binary: Gray, dpi: float) -> list[tuple[int, int, int, int]]:
    """Ruling lines of tables and boxes in a binarised page, as (x0, y0, x1, y1) pixel boxes."""
    step = 2 if max(binary.shape) > 1500 else 1
    scale = 1.0 / step
    ink = cv2.threshold(binary[::step, ::step], 127, 255, cv2.THRESH_BINARY_INV)[1]
    length = max(8, int(_RULE_MIN_INCHES * dpi * scale))
    boxes: list[tuple[int, int, int, int]] = []
    for kernel in (np.ones((1, length), np.uint8), np.ones((length, 1), np.uint8)):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for label in range(1, count):
            x, y, w, h, _area = (int(v) for v in stats[label])
            if min(w, h) <= _RULE_MAX_THICKNESS * dpi * scale:
                boxes.append((int(x / scale), int(y / scale),
                              int((x + w) / scale), int((y + h) / scale)))  # fmt: skip
    return boxes


def erase_rules(binary: Gray, rules: list[tuple[int, int, int, int]]) -> Gray:
    """The page with its ruling lines painted white (Tesseract reads them as | and [)."""
    out = binary.copy()
    pad = 4  # rules found at half resolution, and their grey fringes, are a little wider
    for x0, y0, x1, y1 in rules:
        out[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad] = 255
    return out
