"""Sender rules: whether a tenant accepts mail from an address.

Owns matching an address against an allow-list of addresses (`ap@vendor.com`) and domains
(`vendor.com` or `@vendor.com`, exact domain, case-insensitive). An empty list accepts
everyone. Must not touch the database: lists come in, a verdict goes out.
"""

from __future__ import annotations

from collections.abc import Iterable


def normalise_rule(rule: str) -> str:
    """An allow-list entry as stored: trimmed, lower-cased, a domain without its `@`."""
    text = rule.strip().lower()
    return text[1:] if text.startswith("@") else text


def sender_allowed(sender: str | None, allowed: Iterable[str]) -> bool:
    """True when the allow-list is empty or names the sender's address or domain."""
    rules = {normalise_rule(rule) for rule in allowed if rule.strip()}
    if not rules:
        return True
    if not sender or "@" not in sender:
        return False
    address = sender.strip().lower()
    return address in rules or address.rsplit("@", 1)[1] in rules
