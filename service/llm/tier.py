"""The LLM tier wired for the worker and the CLI: cache, budget, alerts and the model client
behind the `LlmExtractor` port, and `refine_document`, which runs the pure tier
(`extractors.llm_tier.refine_with_llm`) on a pipeline envelope.

Owns the order cache -> budget -> model -> books, and reading the pages again for the few
documents that need the model (the pipeline returns an envelope, not pages; reading is skipped
when the routing asks for nothing). Must not decide what is grounded or merged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from extractors.document import open_document
from extractors.limits import Limits
from extractors.llm_tier import (
    LlmAnswer,
    LlmExtractor,
    LlmFailure,
    LlmRequest,
    LlmUsage,
    TierOutcome,
    fields_needing_llm,
    heuristic_provenance,
    refine_with_llm,
)
from extractors.ocr import OcrEngine
from extractors.page import Page, TextSource
from extractors.pipeline import read_pages
from extractors.sniff import guard
from models import Envelope, ExtractionError
from service.alerts import Alert, AlertSink
from service.config import LlmSettings, Settings
from service.llm.budget import LlmBudget, UsageEntry, exhausted, today
from service.llm.cache import CachedAnswer, LlmCache, cache_key
from service.llm.prompts import PROMPT_VERSION
from service.llm.schema import fields_model, flat_name, json_values

log = logging.getLogger("docproc.llm")

_VISION_BELOW = 0.8  # mean OCR word confidence under which a page image is sent
_VISION_DPI = 110


class Asker(Protocol):
    """Anything that asks the model one request (the instructor client, a test double)."""

    def ask(self, request: LlmRequest) -> LlmAnswer | LlmFailure:
        """One request in, the answer or a failure out."""
        ...


@dataclass
class BookedLlmExtractor:
    """The `LlmExtractor` the service uses: cache first, then the tenant's budget, then the
    model; every use booked, a spent budget alerted once a day per tenant."""

    settings: LlmSettings
    cache: LlmCache
    budget: LlmBudget
    alerts: AlertSink
    make_client: Callable[[], Asker]
    tenant_id: uuid.UUID | None = None
    _client: Asker | None = field(default=None, init=False)

    def _entry(self, request: LlmRequest, outcome: str, usage: LlmUsage) -> UsageEntry:
        return UsageEntry(self.tenant_id, request.document_sha256, self.settings.model,
                          PROMPT_VERSION, outcome, usage)  # fmt: skip

    def extract_fields(self, request: LlmRequest) -> LlmAnswer | LlmFailure:
        """Answer from the cache, else ask the model if the budget allows; never raises."""
        key = cache_key(request.document_sha256, self.settings.model, PROMPT_VERSION,
                        request.fields)  # fmt: skip
        cached = self.cache.get(key)
        if cached is not None:
            answer = cached.answer()
            self.budget.record(self._entry(request, "cached", answer.usage))
            return answer
        reason = exhausted(self.settings, self.budget.spent(self.tenant_id))
        if reason is not None:
            self._alert(reason)
            self.budget.record(self._entry(request, "paused", LlmUsage()))
            return LlmFailure(f"{reason}; the LLM tier is paused for today")
        if self._client is None:
            self._client = self.make_client()
        result = self._ask(request)
        outcome = "answered" if isinstance(result, LlmAnswer) else "failed"
        self.budget.record(self._entry(request, outcome, result.usage))
        if isinstance(result, LlmAnswer):
            self.cache.put(key, request.document_sha256, _cached(request, result))
        return result

    def _ask(self, request: LlmRequest) -> LlmAnswer | LlmFailure:
        """The client's answer; a fault of the client itself is a failure, never a crash."""
        assert self._client is not None
        try:
            return self._client.ask(request)
        except Exception as exc:  # one document's LLM trouble must not fail its extraction
            log.exception("llm tier: unexpected error")
            return LlmFailure(f"internal error in the LLM tier: {type(exc).__name__}")

    def _alert(self, reason: str) -> None:
        tenant = str(self.tenant_id) if self.tenant_id else "cli"
        self.alerts.raise_alert(Alert(
            kind="llm_budget_spent", message=f"tenant {tenant}: {reason}",
            tenant_id=self.tenant_id, dedupe_key=f"llm_budget_spent:{tenant}:{today()}",
            detail={"daily_requests": self.settings.daily_requests,
                    "daily_cost": str(self.settings.daily_cost)},
        ))  # fmt: skip


def _cached(request: LlmRequest, answer: LlmAnswer) -> CachedAnswer:
    fields = request.fields
    model = fields_model(fields)
    validated = model.model_validate({flat_name(p): answer.values.get(p) for p in fields})
    return CachedAnswer(fields, json_values(fields, validated), answer.model,
                        answer.prompt_version, answer.usage.input_tokens,
                        answer.usage.output_tokens)  # fmt: skip


def instructor_client(settings: LlmSettings) -> Callable[[], Asker]:
    """A factory of the real client (imports instructor and openai only when first asked)."""

    def make() -> Asker:
        from service.llm.client import InstructorLlmClient

        return InstructorLlmClient(settings)

    return make


@dataclass(frozen=True, slots=True)
class _Pages:
    pages: list[Page]
    images: list[bytes]


def _read(data: bytes, limits: Limits, ocr: OcrEngine | None, vision: bool) -> _Pages | None:
    """The document's pages again (and PNGs of shaky OCR pages when vision is on)."""
    verdict = guard(data, limits)
    if isinstance(verdict, ExtractionError):
        return None
    opened = open_document(data, limits, verdict.kind)
    if isinstance(opened, ExtractionError):
        return None
    with opened:
        pages = read_pages(opened, ocr, limits=limits).pages
        images = []
        if vision:
            shaky = {p.number for p in pages if p.source is TextSource.OCR and _shaky(p)}
            images = [page.render_png(_VISION_DPI, limits.max_image_pixels)
                      for page in opened.pages() if page.number in shaky]  # fmt: skip
    return _Pages(pages, images)


def _shaky(page: Page) -> bool:
    if not page.words:
        return True
    return sum(w.confidence for w in page.words) / len(page.words) < _VISION_BELOW


def refine_document(
    envelope: Envelope, data: bytes, settings: LlmSettings, extractor: LlmExtractor,
    limits: Limits, threshold: float, ocr: OcrEngine | None = None,
) -> TierOutcome:  # fmt: skip
    """A pipeline envelope and the file's bytes in; the envelope refined by the LLM tier (when
    the mode and the routing call for it) with each field's provenance out."""
    if settings.mode == "off" or envelope.invoice is None or envelope.error is not None:
        return TierOutcome(envelope, heuristic_provenance(envelope))
    confidence = envelope.field_confidence or {}
    if settings.mode == "fallback" and not fields_needing_llm(
        envelope.invoice, confidence, settings.threshold
    ):
        return TierOutcome(envelope, heuristic_provenance(envelope))
    read = _read(data, limits, ocr, settings.vision)
    if read is None:
        return TierOutcome(envelope, heuristic_provenance(envelope))
    return refine_with_llm(envelope, read.pages, extractor, threshold, settings.mode,
                           read.images, settings.threshold)  # fmt: skip


def provenance_record(outcome: TierOutcome, settings: LlmSettings) -> dict[str, Any]:
    """What is stored beside the envelope: each field's source and what the tier did."""
    usage = outcome.usage
    answer = outcome.answer
    return {
        "fields": dict(sorted(outcome.provenance.items())),
        "llm": {
            "mode": settings.mode,
            "asked": list(outcome.asked),
            "dropped": list(outcome.dropped),
            "model": answer.model if isinstance(answer, LlmAnswer) else settings.model,
            "prompt_version": PROMPT_VERSION,
            "requests": usage.requests,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cost": str(usage.cost.quantize(Decimal("0.000001"))),
            "cached": usage.cached,
            "failure": answer.reason if isinstance(answer, LlmFailure) else None,
        },
    }


def service_extractor(settings: LlmSettings, sessions: sessionmaker[Session],
                      tenant_id: uuid.UUID | None) -> BookedLlmExtractor:  # fmt: skip
    """The worker's extractor: the answer cache and the books in the database, DB alerts."""
    from service.alerts import DbAlertSink
    from service.llm.budget import DbLlmBudget
    from service.llm.cache import DbLlmCache

    return BookedLlmExtractor(settings, DbLlmCache(sessions), DbLlmBudget(sessions),
                              DbAlertSink(sessions), instructor_client(settings),
                              tenant_id)  # fmt: skip


def refine_stored(
    settings: Settings, sessions: sessionmaker[Session], envelope: Envelope, data: bytes,
    tenant_id: uuid.UUID | None,
) -> tuple[Envelope, dict[str, Any]]:  # fmt: skip
    """The worker's step after the pipeline: the refined envelope and its provenance record."""
    extractor = service_extractor(settings.llm, sessions, tenant_id)
    outcome = refine_document(envelope, data, settings.llm, extractor, settings.extraction,
                              settings.review_threshold)  # fmt: skip
    return outcome.envelope, provenance_record(outcome, settings.llm)


def cli_refiner() -> Callable[[Envelope, bytes, float, OcrEngine | None], Envelope]:
    """`docproc extract`'s LLM step: the same DOCPROC_LLM_* settings, in-process cache and
    books for this run (no database), alerts and provenance on stderr only."""
    import json

    from service.alerts import MemoryAlertSink
    from service.llm.budget import MemoryLlmBudget
    from service.llm.cache import MemoryLlmCache

    settings = Settings()
    llm = settings.llm
    extractor = BookedLlmExtractor(llm, MemoryLlmCache(), MemoryLlmBudget(), MemoryAlertSink(),
                                   instructor_client(llm))  # fmt: skip

    def refine(envelope: Envelope, data: bytes, threshold: float,
               ocr: OcrEngine | None) -> Envelope:  # fmt: skip
        outcome = refine_document(envelope, data, llm, extractor, settings.extraction,
                                  threshold, ocr)  # fmt: skip
        record = provenance_record(outcome, llm)
        log.info("provenance %s: %s", envelope.source, json.dumps(record, sort_keys=True))
        return outcome.envelope

    return refine
