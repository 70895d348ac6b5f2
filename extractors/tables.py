"""Tables on a page, template-free: columns from a header band, from aligned body text, and
from ruling lines.

Owns the geometry of tables: splitting a header band (stacked labels included) into
columns, finding columns of a headerless block by shared edges (text left-aligned, numbers
right-aligned), assigning the words of a body line to columns (by the label they sit under
or line up with, or by the vertical rules of a ruled table), reading rows into typed
`Table`/`Row`/`Cell` values, and finding ruled grids from `Page.rules`. It knows nothing
about invoices: what a column means is the caller's business (invoice line items, G703
schedules of values, drawing revision tables). Pure functions over the page model; no I/O.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from extractors.lines import IdentityMemo, TextLine, group_lines, union_of
from extractors.page import Box, Page, Word
from extractors.values import parse_amount

# A gap wider than this many font sizes between two words separates table cells.
CELL_GAP = 0.6
# A monospaced space is about 0.6 font sizes; a narrowest gap wider than this is a column gap.
_MONO_SPACE = 0.7
_LABEL_SIZES = 4.0  # the lines of one stacked label are at most this many times taller
# A header line this close (in line heights) to the band joins a stacked header.
_STACK_GAP = 0.45
# Ruling segments this close (points) are the same line.
_RULE_SNAP = 2.0
_ALIGNED = 1.0  # points: a text this close to a label's left edge is set flush with it


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its header label (stacked lines joined), the label's box, and the
    part of the label printed on the header's main line."""

    label: str
    box: Box
    main: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """The words of one line (or one ruled cell) that fall in one column."""

    column: int
    words: tuple[Word, ...]
    box: Box

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True, slots=True)
class Row:
    """One body row: its cells by column index, and the box around them."""

    cells: tuple[Cell, ...]
    box: Box

    def cell(self, column: int) -> Cell | None:
        """The cell in `column`, or None when the row leaves it empty."""
        for cell in self.cells:
            if cell.column == column:
                return cell
        return None


@dataclass(frozen=True, slots=True)
class Table:
    """A table on one page: its columns, its header box (if any) and its body rows."""

    page: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    box: Box
    header: Box | None = None


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """How body words are put into columns: label boxes, plus rule positions when ruled."""

    columns: tuple[Column, ...]
    # x positions of vertical rules crossing the header band, left to right (may be empty).
    bounds: tuple[float, ...] = ()
    # Per column, the ruled zone its label sits in (derived).
    zones: tuple[int, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        zones = tuple(bisect_right(self.bounds, c.box.cx) for c in self.columns)
        object.__setattr__(self, "zones", zones)


def box_of(words: Sequence[Word]) -> Box:
    """The box around some words."""
    return words[0].box if len(words) == 1 else union_of(words)


def segments(words: Sequence[Word], gap_factor: float = CELL_GAP) -> list[list[Word]]:
    """Words of one line (left to right) cut where the gap is wider than a word space.

    A word space is gap_factor x font size, or 1.5 x the line's narrowest gap when that gap
    is a plausible space of monospaced print, but never more than 1.2 x the font size.
    """
    if len(words) == 1:
        return [[words[0]]]
    gaps = [b.box.x0 - a.box.x1 for a, b in pairwise(words)]
    narrowest = min((g for g in gaps if g > 0), default=0.0)
    out: list[list[Word]] = []
    previous = 0.0  # the font size of the word before
    # Every body line of every candidate table comes through here: min() and max() of two
    # values are spelled out (the first of equal values wins, as there).
    for word, gap in zip(words, [0.0, *gaps], strict=True):
        if out:
            size = word.size if word.size < previous else previous
            if size < 1.0:
                size = 1.0
            space = narrowest if narrowest <= _MONO_SPACE * size else 0.0
            wide, spaced, most = gap_factor * size, 1.5 * space, 1.2 * size
            limit = spaced if spaced > wide else wide
            if most < limit:
                limit = most
            if gap <= limit:
                out[-1].append(word)
                previous = word.size
                continue
        out.append([word])
        previous = word.size
    return out


def header_band(
    lines: Sequence[TextLine], index: int, is_label_line: Callable[[TextLine], bool]
) -> tuple[int, int]:
    """The run of lines [start, end) stacked tightly around lines[index] that still read as
    header text (per `is_label_line`): multi-line column labels."""
    start = index
    while start > 0 and stacked(lines[start - 1], lines[start]) and is_label_line(lines[start - 1]):
        start -= 1
    end = index + 1
    while end < len(lines) and stacked(lines[end - 1], lines[end]) and is_label_line(lines[end]):
        end += 1
    return start, end


def stacked(upper: TextLine, lower: TextLine) -> bool:
    """Whether `lower` sits tightly under `upper`, as the lines of one multi-line label (in
    type of a like size: a watermark across the header is no part of it)."""
    height = min(upper.box.height, lower.box.height)
    if max(upper.box.height, lower.box.height) > _LABEL_SIZES * height:
        return False
    return lower.box.y0 - upper.box.y1 <= _STACK_GAP * height


def header_columns(
    band: Sequence[TextLine],
    main: TextLine,
    split_label: Callable[[list[Word]], list[list[Word]]] | None = None,
) -> tuple[Column, ...]:
    """A header band's lines in, its columns left to right out.

    The main line's labels are cut at wide gaps (then by `split_label`, which may cut a
    segment holding several known labels); words on stacked lines join the label they sit
    over or under, or start a label of their own.
    """
    groups: list[list[Word]] = _label_groups(main, split_label)
    spanning: list[list[Word]] = []
    for line in band:
        if line is main:
            continue
        for segment in segments(line.words):
            if _over_a_gap(groups, segment):
                spanning.append(segment)  # checked once every stacked line has its columns
            else:
                _merge_into(groups, segment)
    captions: dict[int, list[str]] = {}
    # Nearest the body first: the columns a merged cell's caption heads are known by then.
    for segment in sorted(spanning, key=lambda words: -box_of(words).y1):
        spanned = _spanned(groups, segment)
        if len(spanned) < 2:
            _merge_into(groups, segment)
            continue
        for index in spanned:  # "Price" over "Unit | Total": a caption of both columns
            captions.setdefault(id(groups[index]), []).append(" ".join(w.text for w in segment))
    groups.sort(key=lambda words: box_of(words).x0)
    on_main = set(map(id, main.words))
    return tuple(
        Column(
            " ".join([*captions.get(id(words), []), _label_text(words)]),
            box_of(words),
            " ".join(w.text for w in words if id(w) in on_main),
        )
        for words in groups
    )


def _over_a_gap(groups: Sequence[Sequence[Word]], segment: Sequence[Word]) -> bool:
    """Whether a stacked label stands over no column label yet (a merged cell's caption
    centred over the gap between the two columns it heads, or a column of its own)."""
    box = box_of(segment)
    return all(min(other.x1, box.x1) <= max(other.x0, box.x0) for other in map(box_of, groups))


def _spanned(groups: Sequence[Sequence[Word]], segment: Sequence[Word]) -> list[int]:
    """The two columns a caption centred over the gap between them heads, if it is one."""
    box = box_of(segment)
    reach = 1.5 * box.width
    boxes = [box_of(words) for words in groups]
    left = [i for i, b in enumerate(boxes) if 0 <= box.x0 - b.x1 <= reach]
    right = [i for i, b in enumerate(boxes) if 0 <= b.x0 - box.x1 <= reach]
    if not left or not right:
        return []
    near_left = max(left, key=lambda i: boxes[i].x1)
    near_right = min(right, key=lambda i: boxes[i].x0)
    stacked = boxes[near_left].y0 > box.y1 - 1 and boxes[near_right].y0 > box.y1 - 1
    return [near_left, near_right] if stacked else []


def _label_groups(
    main: TextLine, split_label: Callable[[list[Word]], list[list[Word]]] | None
) -> list[list[Word]]:
    groups: list[list[Word]] = []
    for segment in segments(main.words):
        groups.extend(split_label(segment) if split_label else [segment])
    return groups


def _merge_into(groups: list[list[Word]], segment: list[Word]) -> None:
    seg_box = box_of(segment)
    best, best_overlap = -1, 0.0
    for index, words in enumerate(groups):
        box = box_of(words)
        overlap = min(box.x1, seg_box.x1) - max(box.x0, seg_box.x0)
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    if best < 0:
        groups.append(list(segment))
    else:
        groups[best].extend(segment)


def _label_text(words: Sequence[Word]) -> str:
    """Label words top to bottom, a trailing hyphen joining the next line's word."""
    ordered = sorted(words, key=lambda w: (round(w.box.cy), w.box.x0))
    text = ""
    for word in ordered:
        if not text:
            text = word.text
        elif text.endswith("-") and not text.endswith(" -"):
            text = text[:-1] + word.text
        else:
            text += " " + word.text
    return text


def vertical_bounds(page: Page, band: Box) -> tuple[float, ...]:
    """x positions of vertical rules that cross the header band (a ruled table's columns)."""
    xs: list[float] = []
    for rule in page.rules:
        if rule.width > _RULE_SNAP or rule.height < band.height * 0.6:
            continue
        if not band.x0 - 20 <= rule.cx <= band.x1 + 20:
            continue
        crosses = rule.y0 <= band.cy <= rule.y1
        # A body's column rule that starts at the foot of a filled header band runs on down.
        hangs = 0 <= rule.y0 - band.y1 <= band.height and rule.height >= 3 * band.height
        if crosses or hangs:
            xs.append(rule.cx)
    return tuple(_snap(sorted(xs)))


def _snap(values: Sequence[float]) -> list[float]:
    out: list[float] = []
    for value in values:
        if not out or value - out[-1] > _RULE_SNAP:
            out.append(value)
    return out


# Header finding tries a layout on the lines below it, and body reading reads the same lines.
_cells_of_line: IdentityMemo[tuple[Cell, ...]] = IdentityMemo(512)


def assign_cells(words: Sequence[Word], layout: ColumnLayout) -> tuple[Cell, ...]:
    """A body line's words (left to right) in, one cell per column they fall in out."""
    if type(words) is not tuple:  # a list may change between calls: never remembered
        return _assign_cells(words, layout)
    return _cells_of_line.get((words, layout), lambda: _assign_cells(words, layout))


def _assign_cells(words: Sequence[Word], layout: ColumnLayout) -> tuple[Cell, ...]:
    spans = [(column.box.x0, column.box.x1) for column in layout.columns]
    pieces = [
        part
        for piece in segments(words)
        for part in (
            [piece] if _flush_text(piece, layout.columns) else _split_under_labels(piece, spans)
        )
    ]
    if layout.bounds:
        pieces = [part for piece in pieces for part in _split_at_bounds(piece, layout.bounds)]
    by_column: dict[int, list[Word]] = {}
    for piece in pieces:
        column = column_of(box_of(piece), layout)
        by_column.setdefault(column, []).extend(piece)
    return tuple(
        Cell(column, tuple(members), box_of(members))
        for column, members in sorted(by_column.items())
    )


def _flush_text(words: Sequence[Word], columns: Sequence[Column]) -> bool:
    """A run of words (not a number) set flush with a label's left edge: one cell, however
    many labels of another header line it passes under."""
    first = words[0]
    if len(words) < 3 or is_numeric(first.text):
        return False
    box = box_of(words)
    for column in columns:
        if abs(first.box.x0 - column.box.x0) <= _ALIGNED:
            return all(
                _other_line(other.box, column.box)
                for other in columns
                if other is not column and other.box.x0 < box.x1 and box.x0 < other.box.x1
            )
    return False


def _other_line(label: Box, flush: Box) -> bool:
    """Whether a label stands on another line of a stacked header than the `flush` one."""
    return label.y0 >= flush.y1 - _ALIGNED or label.y1 <= flush.y0 + _ALIGNED


def _split_under_labels(
    words: Sequence[Word], spans: Sequence[tuple[float, float]]
) -> list[list[Word]]:
    """A piece cut between two words that sit under two different labels (of these x spans:
    "28,50 TON" under "Qty" and "Unit" printed close together)."""
    if len(words) == 1:
        return [[words[0]]]
    pieces: list[list[Word]] = [[words[0]]]
    previous = _label_under(words[0].box, spans)
    for word in words[1:]:
        current = _label_under(word.box, spans)
        if previous is not None and current is not None and current != previous:
            pieces.append([word])
        else:
            pieces[-1].append(word)
        previous = current
    return pieces


def _label_under(box: Box, spans: Sequence[tuple[float, float]]) -> int | None:
    """The one label (of the labels' x spans) a word overlaps horizontally (None for none or
    several)."""
    found = None
    left, right = box.x0, box.x1
    for index, (x0, x1) in enumerate(spans):
        if x0 < right and left < x1:
            if found is not None:
                return None
            found = index
    return found


def _split_at_bounds(words: Sequence[Word], bounds: Sequence[float]) -> list[list[Word]]:
    pieces: list[list[Word]] = []
    zone_of_previous = -2
    for word in words:
        zone = bisect_right(bounds, word.box.cx)
        if zone != zone_of_previous:
            pieces.append([word])
            zone_of_previous = zone
        else:
            pieces[-1].append(word)
    return pieces


def column_of(box: Box, layout: ColumnLayout) -> int:
    """The column a piece of text belongs to: the ruled zone it sits in, else the label it
    overlaps most, else the label it lines up with best (left, centre or right edge)."""
    columns = layout.columns
    if layout.bounds:
        zone = _zone_column(box, layout)
        if zone is not None:
            return zone
    best, best_overlap = -1, 0.0
    left, right = box.x0, box.x1
    for index, column in enumerate(columns):
        # min() and max() of two spelled out (the first of equal values wins, as there).
        label = column.box
        end = right if right < label.x1 else label.x1
        start = left if left > label.x0 else label.x0
        overlap = end - start
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    if best >= 0:
        return _left_aligned(box, columns, best)
    distances = [_alignment(box, column.box) for column in columns]
    return distances.index(min(distances))


def _left_aligned(box: Box, columns: Sequence[Column], best: int) -> int:
    """A text that starts exactly under a label's left edge is that label's, however far it
    runs: a long description under a two-line header spans the labels of the line below."""
    if box.x1 <= columns[best].box.x1 + _ALIGNED:
        return best  # it ends within the label it overlaps most: nothing runs past it
    for index, column in enumerate(columns):
        if index != best and abs(box.x0 - column.box.x0) <= _ALIGNED:
            return index if _other_line(columns[best].box, column.box) else best
    return best


def _zone_column(box: Box, layout: ColumnLayout) -> int | None:
    """In a ruled table the column whose label centre shares the text's zone."""
    zone = bisect_right(layout.bounds, box.cx)
    hits = [index for index, label_zone in enumerate(layout.zones) if label_zone == zone]
    return hits[0] if len(hits) == 1 else None


def _alignment(box: Box, label: Box) -> float:
    return min(abs(box.x0 - label.x0), abs(box.x1 - label.x1), abs(box.cx - label.cx))


def read_table(
    page: int,
    layout: ColumnLayout,
    lines: Sequence[TextLine],
    header: Box | None = None,
    stop: Callable[[TextLine], bool] | None = None,
) -> Table:
    """Body lines (top to bottom) in, a table out: one row per line with its cells by column,
    up to the first line `stop` accepts."""
    rows: list[Row] = []
    for line in lines:
        if stop is not None and stop(line):
            break
        rows.append(Row(assign_cells(line.words, layout), line.box))
    boxes = [row.box for row in rows] + ([header] if header is not None else [])
    box = _union(boxes) if boxes else Box(0, 0, 0, 0)
    return Table(page, layout.columns, tuple(rows), box, header)


@lru_cache(maxsize=4096)
def is_numeric(text: str) -> bool:
    """True for a printed number or amount ("12", "1,250.00", "$45.00", "(12.50)")."""
    return any(ch.isdigit() for ch in text) and parse_amount(text) is not None


def aligned_columns(
    lines: Sequence[TextLine], min_share: float = 0.6, tolerance: float = 4.0
) -> tuple[Column, ...]:
    """Columns of a block of body lines without a header: numbers that share a right edge and
    text that shares a left edge on at least min_share of the lines, left to right."""
    numbers: list[Box] = []
    texts: list[Box] = []
    for line in lines:
        for segment in segments(line.words):
            box = box_of(segment)
            if is_numeric(" ".join(w.text for w in segment)):
                numbers.append(box)
            else:
                texts.append(box)
    needed = max(2, min_share * len(lines))
    right = [c for c in _edge_clusters(numbers, lambda b: b.x1, tolerance) if len(c) >= needed]
    placed = {id(box) for cluster in right for box in cluster}
    rest = [box for box in numbers if id(box) not in placed]  # left-aligned numbers
    clusters = right + _edge_clusters(rest, lambda b: b.x0, tolerance)
    clusters += _edge_clusters(texts, lambda b: b.x0, tolerance)
    kept = [_union(cluster) for cluster in clusters if len(cluster) >= needed]
    kept.sort(key=lambda box: box.x0)
    return tuple(Column("", box) for box in kept)


def _edge_clusters(
    boxes: Sequence[Box], edge: Callable[[Box], float], tolerance: float
) -> list[list[Box]]:
    clusters: list[list[Box]] = []
    for box in sorted(boxes, key=edge):
        if clusters and edge(box) - edge(clusters[-1][-1]) <= tolerance:
            clusters[-1].append(box)
        else:
            clusters.append([box])
    return clusters


def _union(boxes: Sequence[Box]) -> Box:
    box = boxes[0]
    for other in boxes[1:]:
        box = box.union(other)
    return box


def ruled_grids(page: Page) -> list[Table]:
    """Ruled tables on a page: runs of horizontal rules sharing an x extent, cut into columns
    by the vertical rules between them; each band between two rules is one row."""
    horizontals = sorted(
        (r for r in page.rules if r.height <= _RULE_SNAP and r.width > 20), key=lambda r: r.y0
    )
    tables: list[Table] = []
    for run in _rule_runs(horizontals):
        table = _grid_table(page, run)
        if table is not None:
            tables.append(table)
    return tables


def _rule_runs(horizontals: Sequence[Box]) -> list[list[Box]]:
    """Horizontal rules grouped by a shared left and right end."""
    runs: list[list[Box]] = []
    for rule in horizontals:
        for run in runs:
            if abs(run[0].x0 - rule.x0) <= _RULE_SNAP and abs(run[0].x1 - rule.x1) <= _RULE_SNAP:
                if rule.y0 - run[-1].y0 > _RULE_SNAP:
                    run.append(rule)
                break
        else:
            runs.append([rule])
    return [run for run in runs if len(run) >= 3]


def _grid_table(page: Page, run: Sequence[Box]) -> Table | None:
    box = Box(run[0].x0, run[0].y0, run[0].x1, run[-1].y1)
    bounds = vertical_bounds(page, Box(box.x0, run[0].y0, box.x1, run[1].y0))
    inner = tuple(x for x in bounds if box.x0 + _RULE_SNAP < x < box.x1 - _RULE_SNAP)
    edges = (box.x0, *inner, box.x1)
    columns = tuple(Column("", Box(left, box.y0, right, box.y0)) for left, right in pairwise(edges))
    layout = ColumnLayout(columns, inner)
    rows: list[Row] = []
    for top, bottom in pairwise(run):
        words = [
            w for w in page.words
            if top.y0 <= w.box.cy <= bottom.y0 and box.x0 <= w.box.cx <= box.x1
        ]  # fmt: skip
        if words:
            rows.append(_row_of(words, layout))
    if not rows:
        return None
    return Table(page.number, columns, tuple(rows), box)


def _row_of(words: Sequence[Word], layout: ColumnLayout) -> Row:
    cells: dict[int, list[Word]] = {}
    for line in group_lines(words):
        for cell in assign_cells(line.words, layout):
            cells.setdefault(cell.column, []).extend(cell.words)
    built = tuple(Cell(col, tuple(ws), box_of(ws)) for col, ws in sorted(cells.items()))
    return Row(built, box_of(words))
