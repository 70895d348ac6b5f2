"""The born-digital fast paths give exactly what the plain code gave: ruling lines from PyMuPDF's
raw paths, remembered lines and cells, the ASCII shortcut of classification's folding."""

from __future__ import annotations

import unicodedata
from itertools import pairwise
from pathlib import Path
from typing import Any

import pymupdf
from hypothesis import given
from hypothesis import strategies as st

from extractors.classify import _fold
from extractors.lines import IdentityMemo, forget_remembered, group_lines, union_of
from extractors.page import Box, Word
from extractors.tables import Column, ColumnLayout, assign_cells, segments
from extractors.text_layer import read_text_layer

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def _rules_from_drawings(pdf_page: Any) -> tuple[Box, ...]:
    """The ruling lines as read before: through `get_drawings()` (Points and Rects)."""
    rules: list[Box] = []
    for drawing in pdf_page.get_drawings():
        for item in drawing.get("items", ()):
            if item[0] == "l":
                p, q = item[1], item[2]
                if abs(p.y - q.y) < 1 or abs(p.x - q.x) < 1:
                    rules.append(Box(min(p.x, q.x), min(p.y, q.y), max(p.x, q.x), max(p.y, q.y)))
            elif item[0] == "re":
                r = item[1]
                if min(r.width, r.height) < 3.0 and max(r.width, r.height) > 5:
                    rules.append(Box(r.x0, r.y0, r.x1, r.y1))
    return tuple(rules)


def test_ruling_lines_from_raw_paths_match_get_drawings() -> None:
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    assert pdfs
    compared = 0
    for path in pdfs:
        with pymupdf.open(path) as doc:
            for pdf_page in doc:
                expected = _rules_from_drawings(pdf_page)
                assert read_text_layer(pdf_page, 1).rules == expected, path.name
                compared += len(expected)
    assert compared > 0  # the samples have ruled tables: the comparison saw some rules


def _words() -> tuple[Word, ...]:
    return (
        Word("Total", Box(300, 100, 330, 110)),
        Word("Invoice", Box(10, 10, 60, 22), 12, True),
        Word("1,250.00", Box(400, 101, 450, 111)),
        Word("No.", Box(65, 11, 80, 21)),
    )


def test_remembered_lines_are_a_fresh_list_each_time() -> None:
    words = _words()
    first = group_lines(words)
    first.clear()  # a caller changing its list must not change what the next one gets
    again = group_lines(words)
    assert [line.text for line in again] == ["Invoice No.", "Total 1,250.00"]


def test_a_list_of_words_is_grouped_afresh_each_time() -> None:
    words = list(_words())
    assert len(group_lines(words)) == 2
    words.append(Word("Due", Box(10, 200, 30, 210)))
    assert [line.text for line in group_lines(words)][-1] == "Due"


def test_identity_memo_tells_equal_objects_apart() -> None:
    memo: IdentityMemo[int] = IdentityMemo(2)
    a, b = tuple([1, 2]), tuple([1, 2])  # equal, not the same object
    assert a == b and a is not b
    assert memo.get((a,), lambda: 1) == 1
    assert memo.get((b,), lambda: 2) == 2
    assert memo.get((a,), lambda: 3) == 1
    assert memo.get(((3,),), lambda: 4) == 4  # past its size the old results are forgotten
    assert memo.get((a,), lambda: 5) == 5


def test_remembered_cells_belong_to_their_layout() -> None:
    words = (Word("2", Box(100, 0, 105, 10)), Word("Bolts", Box(200, 0, 230, 10)))
    by_label = ColumnLayout((Column("Qty", Box(90, -20, 120, -10)),
                             Column("Item", Box(190, -20, 260, -10))))  # fmt: skip
    one_column = ColumnLayout((Column("Item", Box(90, -20, 260, -10)),))
    assert [cell.column for cell in assign_cells(words, by_label)] == [0, 1]
    assert [cell.column for cell in assign_cells(words, one_column)] == [0]
    assert [cell.column for cell in assign_cells(words, by_label)] == [0, 1]


def _fold_everything(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


@given(st.text())
def test_folding_has_no_shortcut_that_changes_the_text(text: str) -> None:
    assert _fold(text) == _fold_everything(text)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_folding_ascii_text(text: str) -> None:
    assert _fold(text) == _fold_everything(text)


def test_forgetting_what_is_remembered_changes_no_result() -> None:
    words = _words()
    first = group_lines(words)
    forget_remembered()  # what run_pipeline does when a document is done
    again = group_lines(words)
    assert again == first
    assert again[0] is not first[0]  # grouped afresh: nothing of the first reading is held


_COORDINATE = st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, 10.0, 10.0000001])


@given(st.lists(st.tuples(_COORDINATE, _COORDINATE, _COORDINATE, _COORDINATE), min_size=1))
def test_union_of_is_a_chain_of_box_unions(corners: list[tuple[float, ...]]) -> None:
    words = [Word("w", Box(*c)) for c in corners]
    chained = words[0].box
    for word in words[1:]:
        chained = chained.union(word.box)
    assert repr(union_of(words)) == repr(chained)  # repr: the sign of a zero counts too


_SIZES = st.sampled_from([0.5, 1.0, 6.0, 9.5, 10.0, 12.0])


def _segments_as_before(words: list[Word], gap_factor: float) -> list[list[Word]]:
    gaps = [b.box.x0 - a.box.x1 for a, b in pairwise(words)]
    narrowest = min((g for g in gaps if g > 0), default=0.0)
    out: list[list[Word]] = []
    for word, gap in zip(words, [0.0, *gaps], strict=True):
        if out:
            size = max(min(out[-1][-1].size, word.size), 1.0)
            space = narrowest if narrowest <= 0.7 * size else 0.0
            if gap <= min(max(gap_factor * size, 1.5 * space), 1.2 * size):
                out[-1].append(word)
                continue
        out.append([word])
    return out


@given(st.lists(st.tuples(st.floats(0, 40), st.floats(1, 30), _SIZES), min_size=1, max_size=12))
def test_segments_cut_where_they_did(layout: list[tuple[float, float, float]]) -> None:
    words, x = [], 0.0
    for gap, width, size in layout:
        words.append(Word("w", Box(x + gap, 0, x + gap + width, size), size))
        x += gap + width
    for factor in (0.6, 0.3):
        assert segments(words, factor) == _segments_as_before(words, factor)
