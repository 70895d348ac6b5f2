"""Matching extracted vendor and project names to a system's records.

Names are normalised (case, punctuation, `&`/`and`, legal suffixes such as LLC or Inc) and
compared exactly first, then fuzzily with difflib; a tenant's learned aliases (a person's
earlier corrections) win over both. Pure functions: no I/O.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_SUFFIXES = frozenset(
    {
        "llc",
        "inc",
        "incorporated",
        "co",
        "company",
        "corp",
        "corporation",
        "ltd",
        "limited",
        "lp",
        "llp",
        "plc",
        "pllc",
        "the",
        "gmbh",
        "pty",
    }
)
_WORD = re.compile(r"[a-z0-9]+")
FUZZY_CUTOFF = 0.88


def normalise(name: str) -> str:
    """A name in, its comparison key out: lower-case words without legal suffixes."""
    words = _WORD.findall(name.casefold().replace("&", " and "))
    kept = [word for word in words if word not in _SUFFIXES]
    return " ".join(kept or words)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record of the system: its id and display name."""

    id: str
    name: str


def best_match(
    name: str, candidates: Iterable[Candidate], cutoff: float = FUZZY_CUTOFF
) -> Candidate | None:
    """The candidate whose name matches `name` exactly after normalising, else the closest
    above `cutoff`, else None."""
    by_key: dict[str, Candidate] = {}
    for candidate in candidates:
        by_key.setdefault(normalise(candidate.name), candidate)
    key = normalise(name)
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=cutoff)
    return by_key[close[0]] if close else None


@dataclass(frozen=True)
class AliasBook:
    """A tenant's learned aliases for one connector: normalised name -> candidate."""

    vendors: Mapping[str, Candidate] = field(default_factory=dict)
    projects: Mapping[str, Candidate] = field(default_factory=dict)

    def vendor(self, name: str) -> Candidate | None:
        """The vendor a person mapped this name to, if any."""
        return self.vendors.get(normalise(name))

    def project(self, name: str) -> Candidate | None:
        """The project a person mapped this name to, if any."""
        return self.projects.get(normalise(name))
