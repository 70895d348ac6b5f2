"""Comparing texts that OCR may have misread by a letter or two."""

from __future__ import annotations


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions from a to b."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char != other)))  # fmt: skip
        previous = current
    return previous[-1]


def within_one_edit(a: str, b: str) -> bool:
    """Whether `edit_distance(a, b) <= 1`, in one pass: past their common start, the rest of
    both must be equal once one letter is dropped from the longer (or from both when they are
    the same length)."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    start = 0
    for char, other in zip(a, b, strict=False):
        if char != other:
            break
        start += 1
    return a[start + 1 :] == b[start + (len(a) == len(b)) :]
