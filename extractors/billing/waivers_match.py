"""Link lien waivers to the pay applications they cover.

A waiver covers a pay application when its claimant is the application's contractor, its
project is the application's, and its through date and amount agree with the period to and
the current payment due (a final waiver has no through date: claimant and project decide,
with the amount when printed). Pure: models in, pairs out; the service stores nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from models import Invoice, LienWaiver

_SUFFIXES = re.compile(r"\b(?:inc|llc|ltd|co|corp|corporation|company|pty|gmbh|lp|llp)\b\.?")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_DATE_SLACK = timedelta(days=5)


@dataclass(frozen=True, slots=True)
class WaiverMatch:
    """A pay application (by index) and the waiver (by index) that covers it, with a score."""

    pay_app: int
    waiver: int
    score: float


def company_key(name: str | None) -> str:
    """A company name folded for comparison: lower case, no punctuation, no legal suffix."""
    folded = _NOT_WORD.sub(" ", _SUFFIXES.sub(" ", (name or "").casefold().replace("&", " and ")))
    return " ".join(folded.split())


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and company_key(a) == company_key(b)


def match_score(pay_app: Invoice, waiver: LienWaiver) -> float:
    """How well a waiver fits a pay application: 0 when it cannot cover it, up to 1."""
    summary = pay_app.pay_application
    if summary is None or not _same(pay_app.vendor.name, waiver.claimant):
        return 0.0
    score = 0.4
    if pay_app.project.number and waiver.project.number:
        if pay_app.project.number.strip().casefold() != waiver.project.number.strip().casefold():
            return 0.0
        score += 0.2
    elif _same(pay_app.project.name, waiver.project.name):
        score += 0.2
    if waiver.through_date is not None and summary.period_to is not None:
        if abs(waiver.through_date - summary.period_to) > _DATE_SLACK:
            return 0.0
        score += 0.2
    if waiver.amount is not None and summary.current_payment_due is not None:
        if abs(waiver.amount - summary.current_payment_due) > Decimal("0.01"):
            return 0.0
        score += 0.2
    return score


def match_waivers(
    pay_apps: Sequence[Invoice], waivers: Sequence[LienWaiver], minimum: float = 0.6
) -> list[WaiverMatch]:
    """Pay applications and waivers in, the best one-to-one pairs (score >= minimum) out."""
    candidates = [
        WaiverMatch(i, j, match_score(pay_app, waiver))
        for i, pay_app in enumerate(pay_apps)
        for j, waiver in enumerate(waivers)
    ]
    candidates.sort(key=lambda match: (-match.score, match.pay_app, match.waiver))
    taken_apps: set[int] = set()
    taken_waivers: set[int] = set()
    pairs: list[WaiverMatch] = []
    for match in candidates:
        if match.score < minimum or match.pay_app in taken_apps or match.waiver in taken_waivers:
            continue
        pairs.append(match)
        taken_apps.add(match.pay_app)
        taken_waivers.add(match.waiver)
    return sorted(pairs, key=lambda match: match.pay_app)


def unmatched_pay_apps(pay_apps: Sequence[Invoice], waivers: Sequence[LienWaiver]) -> list[int]:
    """The indexes of the pay applications no waiver covers."""
    matched = {match.pay_app for match in match_waivers(pay_apps, waivers)}
    return [index for index in range(len(pay_apps)) if index not in matched]
