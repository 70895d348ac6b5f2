"""Reconciling the invoice totals: choose among candidate amounts by the arithmetic they imply.

Owns the cross-checks used for choosing (sum of lines = subtotal, subtotal + tax = total,
total - retainage = amount due) and the gap-filling rules of the contract (one printed total
is both `total` and `amount_due`). It reads no pages; it gets scored candidates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.invoice.header import AMOUNT_FIELDS, Candidate
from extractors.invoice.labels import Field

_TOP = 3  # candidates per field worth combining (distinct values)
_PLACES = 2  # lines kept for one value of a field
_SUBTOTAL_AT = AMOUNT_FIELDS.index(Field.SUBTOTAL)  # positions in a combination of options
_TOTAL_AT = AMOUNT_FIELDS.index(Field.TOTAL)
_CENT = Decimal("0.015")
_CHECK_BONUS = 1.0
_MAX_ADJUSTMENTS = 8


@dataclass(frozen=True, slots=True)
class Totals:
    """The chosen amounts, a confidence for each one found, and what did not add up."""

    values: dict[Field, Decimal | None]
    confidence: dict[Field, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= _CENT


def _options(candidates: Sequence[Candidate], wanted: Field) -> list[Candidate | None]:
    pool = sorted(
        (c for c in candidates if c.field is wanted), key=lambda c: (-c.score, c.page, c.y)
    )
    # One value printed on two lines ("Gross Amount" and "Invoice Total") is two options: a
    # subtotal must stand on a line of its own (`_one_line_twice`).
    seen: set[tuple[Decimal, tuple[int, float, float]]] = set()
    places: dict[Decimal, int] = {}
    options: list[Candidate | None] = []
    for candidate in pool:
        assert isinstance(candidate.value, Decimal)
        key = (candidate.value, candidate.place)
        count = places.get(candidate.value, 0)
        if key in seen or count == _PLACES or (not count and len(places) == _TOP):
            continue
        seen.add(key)
        places[candidate.value] = count + 1
        options.append(candidate)
    return [*options, None]


def _amount(choice: Candidate | None) -> Decimal | None:
    return choice.value if choice is not None and isinstance(choice.value, Decimal) else None


def _checks(
    values: dict[Field, Decimal | None], line_sum: Decimal | None, adjust: frozenset[Decimal]
) -> list[Field]:
    """The fields a consistent combination confirms (`adjust`: printed discounts and charges
    between subtotal and total)."""
    sub, tax, ret = values[Field.SUBTOTAL], values[Field.TAX], values[Field.RETAINAGE]
    total, due = values[Field.TOTAL], values[Field.AMOUNT_DUE]
    confirmed: list[Field] = []
    adjusted = sub is not None and _explained(total or due, sub + (tax or 0), adjust)
    if adjusted:
        # Printed discounts and charges sit between the subtotal (of the lines) and the total.
        confirmed.append(Field.ALLOWANCE)
    if sub is not None and (_close(sub + (tax or Decimal(0)), total) or (adjusted and total)):
        confirmed += [Field.SUBTOTAL, Field.TOTAL] + ([Field.TAX] if tax is not None else [])
    elif sub is not None and total is None and _close(sub + (tax or Decimal(0)), due):
        confirmed += [Field.SUBTOTAL, Field.AMOUNT_DUE] + ([Field.TAX] if tax is not None else [])
    if ret is not None and (
        (total is not None and _close(total - abs(ret), due))
        or (sub is not None and _close(sub + (tax or 0) - abs(ret), due))
    ):
        confirmed += [Field.RETAINAGE, Field.AMOUNT_DUE]
    if _close(line_sum, sub):
        confirmed.append(Field.SUBTOTAL)
    elif sub is None and _close(line_sum, total):
        confirmed.append(Field.TOTAL)
    return confirmed


def _explained(total: Decimal | None, base: Decimal, adjust: frozenset[Decimal]) -> bool:
    if total is None or not adjust:
        return False
    return (total - base).quantize(Decimal("0.01")) in adjust


def _combination_score(values: dict[Field, Decimal | None], base: float, confirmed: int) -> float:
    score = base + _CHECK_BONUS * confirmed
    sub, tax = values[Field.SUBTOTAL], values[Field.TAX]
    if sub is not None and tax is not None and abs(tax) > abs(sub) > 0:
        score -= 1.0
    return score


def adjustments(
    candidates: Sequence[Candidate], kinds: tuple[Field, ...] = (Field.ALLOWANCE, Field.CHARGE)
) -> frozenset[Decimal]:
    """Every sum a subset of the printed discounts and payments (negative) and charges
    (positive) of the given kinds can make: what may stand between two totals."""
    best: dict[tuple[Field, int, float], Candidate] = {}
    for candidate in candidates:
        if candidate.field not in kinds or not isinstance(candidate.value, Decimal):
            continue
        key = (candidate.field, candidate.page, round(candidate.y))
        if key not in best or candidate.score > best[key].score:
            best[key] = candidate
    signed: set[Decimal] = set()
    for (wanted, _, _), candidate in best.items():
        assert isinstance(candidate.value, Decimal)
        signed.add(abs(candidate.value) if wanted is Field.CHARGE else -abs(candidate.value))
        if wanted is Field.ALLOWANCE:
            # A credit note prints its (reversed) discounts as they count: keep that sign too.
            signed.add(candidate.value)
    sums = {Decimal(0)}
    for value in sorted(signed)[:_MAX_ADJUSTMENTS]:
        sums |= {total + value for total in sums}
    return frozenset(sums - {Decimal(0)})


def choose_totals(candidates: Sequence[Candidate], line_sum: Decimal | None) -> Totals:
    """Candidate amounts (and the sum of the line items) in, the most consistent totals out."""
    options = [_options(candidates, wanted) for wanted in AMOUNT_FIELDS]
    adjust = adjustments(candidates)
    paid = adjustments(candidates, (Field.PAID,))
    best: tuple[float, tuple[Candidate | None, ...], list[Field]] | None = None
    for combination in itertools.product(*options):
        if _one_line_twice(combination):
            continue
        values = {f: _amount(c) for f, c in zip(AMOUNT_FIELDS, combination, strict=True)}
        total = values[Field.TOTAL]
        confirmed = _checks(values, line_sum, adjust)
        if total is not None and _explained(values[Field.AMOUNT_DUE], total, paid):
            confirmed += [Field.TOTAL, Field.AMOUNT_DUE]
        base = sum(min(c.score, 1.0) for c in combination if c is not None)
        score = _combination_score(values, base, len(set(confirmed)))
        if best is None or score > best[0]:
            best = (score, combination, confirmed)
    assert best is not None
    _, combination, confirmed = best
    return _fill(dict(zip(AMOUNT_FIELDS, combination, strict=True)), set(confirmed))


def _one_line_twice(combination: Sequence[Candidate | None]) -> bool:
    """Whether one printed line would be both the subtotal and the total ("Gross Value"
    read either way): a subtotal is a line of its own."""
    sub, total = combination[_SUBTOTAL_AT], combination[_TOTAL_AT]
    return (
        sub is not None
        and total is not None
        and sub.place == total.place
        and sub.value == total.value
    )


def _fill(chosen: dict[Field, Candidate | None], confirmed: set[Field]) -> Totals:
    """Apply the contract's gap rules and attach confidences."""
    values = {f: _amount(c) for f, c in chosen.items()}
    confidence = {
        f: round(min(1.0, c.score) * (1.0 if f in confirmed else 0.8), 3)
        for f, c in chosen.items()
        if c is not None
    }
    if values[Field.RETAINAGE] is not None:
        values[Field.RETAINAGE] = abs(values[Field.RETAINAGE] or Decimal(0))
    total, due = values[Field.TOTAL], values[Field.AMOUNT_DUE]
    gross, sub, retained = chosen[Field.SUBTOTAL], values[Field.SUBTOTAL], values[Field.RETAINAGE]
    untaxed = total is None and values[Field.TAX] is None
    if untaxed and sub is not None and retained is not None and _close(sub - retained, due):
        # A gross less retainage is the amount due, and no tax or total is printed: the
        # gross is the invoice's total ("Work Completed This Period", "Subtotal").
        values[Field.TOTAL] = total = sub
        confidence[Field.TOTAL] = confidence[Field.SUBTOTAL]
        if gross is not None and not gross.plain_label:
            values[Field.SUBTOTAL] = None
            confidence.pop(Field.SUBTOTAL, None)
    if due is None and total is not None and values[Field.RETAINAGE] is None:
        values[Field.AMOUNT_DUE] = total
        confidence[Field.AMOUNT_DUE] = confidence[Field.TOTAL]
    elif total is None and due is not None and values[Field.RETAINAGE] is None:
        values[Field.TOTAL] = due
        confidence[Field.TOTAL] = confidence[Field.AMOUNT_DUE]
    warnings = []
    if not _totals_add_up(values):
        warnings.append("totals: subtotal and tax do not add up to the total")
    return Totals(values, confidence, tuple(warnings))


def _totals_add_up(values: dict[Field, Decimal | None]) -> bool:
    """True unless a printed subtotal, tax and total disagree (with or without retainage)."""
    subtotal, total = values[Field.SUBTOTAL], values[Field.TOTAL]
    if subtotal is None or total is None:
        return True
    expected = subtotal + (values[Field.TAX] or Decimal(0))
    retainage = values[Field.RETAINAGE] or Decimal(0)
    return min(abs(expected - total), abs(expected - retainage - total)) <= Decimal("0.02")
