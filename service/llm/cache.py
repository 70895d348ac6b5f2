"""The answer cache: an LLM answer kept under document hash + model + prompt version + fields
asked, so reprocessing an unchanged document never pays twice.

`DbLlmCache` keeps answers in `llm_cache` (the worker); `MemoryLlmCache` for one CLI run.
Only successful, validated answers are cached; failures are asked again next time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from extractors.llm_tier import LlmAnswer, LlmUsage
from service.db.tables import LlmCacheRecord
from service.llm.schema import from_json_values


def cache_key(document_sha256: str, model: str, prompt_version: str,
              fields: tuple[str, ...]) -> str:  # fmt: skip
    """The key of one answer: SHA-256 of the document hash, model, prompt version and fields."""
    raw = "\n".join([document_sha256, model, prompt_version, ",".join(sorted(fields))])
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """An answer as the cache holds it: JSON values and what it cost when it was asked."""

    fields: tuple[str, ...]
    values: dict[str, Any]
    model: str
    prompt_version: str
    input_tokens: int
    output_tokens: int

    def answer(self) -> LlmAnswer:
        """The typed answer; its usage says cached, with no request and no cost now."""
        typed = from_json_values(self.fields, self.values)
        usage = LlmUsage(cached=True)
        return LlmAnswer(typed, self.model, self.prompt_version, usage)


class LlmCache(Protocol):
    """Where answers are kept."""

    def get(self, key: str) -> CachedAnswer | None:
        """The answer under a key, or None."""
        ...

    def put(self, key: str, document_sha256: str, answer: CachedAnswer) -> None:
        """Keep an answer under a key (a second put of the same key is ignored)."""
        ...


class DbLlmCache:
    """Answers in the `llm_cache` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def get(self, key: str) -> CachedAnswer | None:
        """The stored answer under a key, or None."""
        with self.sessions() as session:
            row = session.get(LlmCacheRecord, key)
            if row is None:
                return None
            return CachedAnswer(tuple(row.answer["fields"]), dict(row.answer["values"]),
                                row.model, row.prompt_version, row.input_tokens,
                                row.output_tokens)  # fmt: skip

    def put(self, key: str, document_sha256: str, answer: CachedAnswer) -> None:
        """Store an answer; a concurrent worker that stored it first wins."""
        row = LlmCacheRecord(
            key=key, document_sha256=document_sha256, model=answer.model,
            prompt_version=answer.prompt_version,
            answer={"fields": list(answer.fields), "values": answer.values},
            input_tokens=answer.input_tokens, output_tokens=answer.output_tokens,
        )  # fmt: skip
        try:
            with self.sessions() as session, session.begin():
                if session.get(LlmCacheRecord, key) is None:
                    session.add(row)
        except IntegrityError:
            pass


@dataclass
class MemoryLlmCache:
    """Answers in a dict, for one process (the CLI)."""

    answers: dict[str, CachedAnswer] = field(default_factory=dict)

    def get(self, key: str) -> CachedAnswer | None:
        """The kept answer under a key, or None."""
        return self.answers.get(key)

    def put(self, key: str, document_sha256: str, answer: CachedAnswer) -> None:
        """Keep an answer under a key."""
        self.answers.setdefault(key, answer)
