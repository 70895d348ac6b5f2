"""The column vocabulary's prefilter and the one-edit test behind misread titles: fast paths
that must answer exactly as the slow ones they replace."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from extractors.fuzzy import edit_distance, within_one_edit
from extractors.invoice.columns import _VOCABULARY, Role, label_role, normalise_label

# Column labels as printed on the fixture layouts and on real invoices, and texts that are none.
PRINTED = [
    "Description", "Qty", "Quantity", "Qty Shipped", "Ordered", "B/O", "U/M", "Unit", "UOM",
    "Unit Price", "Price Each", "Rate", "Rate/Hr", "Amount", "Ext. Price", "Line Total",
    "Extension", "Gesamt EUR", "Einzelpreis EUR", "Menge", "Bezeichnung", "Pos.", "Art.-Nr.",
    "Catalog No.", "Product Code", "SKU", "Item #", "Cost Code", "Hours", "Particulars",
    "Désignation", "Prix unitaire", "Montant HT", "Amount (USD)", "Total $", "Details",
    "Invoice Total", "Keystone Electric Inc.", "1,234.50", "", "-", "Page 1 of 2",
]  # fmt: skip


def _slow_role(text: str) -> Role | None:
    """The role the whole vocabulary gives a label, trying every pattern in order."""
    label = normalise_label(text)
    bare = re.sub(r"\s+\(?(?:eur|usd|cad|aud|gbp|chf|nzd|[$€£])\)?$", "", label)
    for candidate in dict.fromkeys((label, label.rstrip("."), bare)):
        if not candidate:
            continue
        for role, patterns in _VOCABULARY:
            if any(re.fullmatch(pattern, candidate) for pattern in patterns):
                return role
    if "/" in label or "&" in label:  # labels of two parts, as label_role reads them
        parts = [_slow_role(part) for part in re.split(r"[/&]", label) if part.strip()]
        named = set(parts) - {None}
        if Role.DESCRIPTION in named:
            return Role.DESCRIPTION
        if len(named) == 1 and None not in parts:  # every part names the one role
            return named.pop()
    return None


def test_the_prefilter_never_drops_a_column_label() -> None:
    for text in PRINTED:
        assert label_role(text) == _slow_role(text), text


@given(st.text(alphabet="abcdeinorstuvxy#./ ", max_size=14))
def test_the_prefilter_agrees_with_the_whole_vocabulary_on_any_text(text: str) -> None:
    assert label_role(text) == _slow_role(text)


@given(st.text(alphabet="abcIl1", max_size=9), st.text(alphabet="abcIl1", max_size=9))
def test_within_one_edit_is_an_edit_distance_of_at_most_one(a: str, b: str) -> None:
    assert within_one_edit(a, b) == (edit_distance(a, b) <= 1)
