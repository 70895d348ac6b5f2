"""Versioned prompt files. A prompt's text never changes under its version: a new text is a new
file and a new `PROMPT_VERSION`, so cached answers of the old prompt are never reused."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PROMPT_VERSION = "invoice_v1"
_HERE = Path(__file__).resolve().parent


@cache
def prompt_template(version: str = PROMPT_VERSION) -> str:
    """The text of a prompt version (a file beside this module)."""
    return (_HERE / f"{version}.md").read_text(encoding="utf-8")


def render_prompt(fields: str, candidates: str, document: str,
                  version: str = PROMPT_VERSION) -> str:  # fmt: skip
    """The prompt of a version with its three slots filled (the document text is not parsed)."""
    text = prompt_template(version)
    # Filled one by one with plain replace: braces in the document must stay what they are.
    text = text.replace("{fields}", fields).replace("{candidates}", candidates)
    return text.replace("{document}", document)
