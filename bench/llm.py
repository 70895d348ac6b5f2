"""`python -m bench.llm`: how often the LLM tier is called and what it costs, in fallback mode.

Runs the real pipeline and the real tier (instructor + openai) on generated invoices against
the OpenAI-compatible contract server (tests/llm_server.py) on 127.0.0.1, which answers from
each document's truth with scripted token counts (prompt: characters / 4; completion: 12 per
field + 10). Two sets: the born-digital development layouts as generated (seeds 800000+), and
the same documents with their "Total" labels blacked out (the heuristics must miss the total,
so the tier has work to do). Reports LLM calls per 100 documents, tokens, and cost per 1,000
documents at the configured prices (default 0.15 / 0.60 per million tokens). Writes
bench/out/llm.json.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pymupdf
import uvicorn

from extractors.limits import Limits
from extractors.llm_tier import ASKABLE, field_value
from extractors.pipeline import run_pipeline
from fixtures.generator import DEV_LAYOUTS, GeneratedDocument, generate_invoice
from service.alerts import MemoryAlertSink
from service.config import LlmSettings
from service.llm.budget import MemoryLlmBudget
from service.llm.cache import MemoryLlmCache
from service.llm.schema import flat_name
from service.llm.tier import BookedLlmExtractor, instructor_client, refine_document
from tests.llm_server import LlmServer, Reply, prompt_text, requested_fields

SEED_BASE = 800_000
OUT = Path(__file__).resolve().parent / "out"
THRESHOLD = 0.8


@dataclass
class Figures:
    """One set's figures."""

    name: str
    documents: int = 0
    routed: int = 0
    llm_requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: str = "0"
    fields_filled_right: int = 0
    fields_filled: int = 0
    values_dropped: int = 0
    needs_review: int = 0
    seconds: float = 0.0

    @property
    def calls_per_100(self) -> float:
        """LLM requests per 100 documents."""
        return 100 * self.llm_requests / max(1, self.documents)

    @property
    def cost_per_1000(self) -> Decimal:
        """Cost per 1,000 documents."""
        return Decimal(self.cost) * 1000 / max(1, self.documents)


def _start(app: Any) -> tuple[uvicorn.Server, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}/v1"


def _truth_responder(current: list[GeneratedDocument]) -> Callable[[dict[str, Any]], Reply]:
    """Answers the requested fields from the truth of the document being processed."""

    def respond(body: dict[str, Any]) -> Reply:
        invoice = current[0].truth.invoice
        assert invoice is not None
        wanted = requested_fields(body)
        values = {}
        for path in ASKABLE:
            if flat_name(path) in wanted:
                value = field_value(invoice, path)
                values[flat_name(path)] = None if value is None else str(value)
        return Reply(values, prompt_tokens=len(prompt_text(body)) // 4,
                     completion_tokens=12 * len(wanted) + 10)  # fmt: skip

    return respond


def _redact_totals(data: bytes) -> bytes:
    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        for page in pdf:
            for rect in page.search_for("Total"):
                page.add_redact_annot(rect)
            page.apply_redactions()
        redacted: bytes = pdf.tobytes()
    return redacted


def _corpus(seeds: int) -> Iterator[GeneratedDocument]:
    for seed in range(SEED_BASE, SEED_BASE + seeds):
        for layout in DEV_LAYOUTS:
            yield generate_invoice(layout, seed)


def _run_set(name: str, settings: LlmSettings, server: LlmServer, seeds: int,
             redact: bool) -> Figures:  # fmt: skip
    figures = Figures(name)
    current: list[GeneratedDocument] = []
    server.responder = _truth_responder(current)
    extractor = BookedLlmExtractor(settings, MemoryLlmCache(), MemoryLlmBudget(),
                                   MemoryAlertSink(), instructor_client(settings))  # fmt: skip
    before, cost, started = server.count, Decimal(0), time.perf_counter()
    for document in _corpus(seeds):
        current[:] = [document]
        data = _redact_totals(document.pdf) if redact else document.pdf
        envelope = run_pipeline(data, document.name, Limits(), None, THRESHOLD)
        outcome = refine_document(envelope, data, settings, extractor, Limits(), THRESHOLD)
        usage = outcome.usage
        figures.documents += 1
        figures.routed += bool(outcome.asked)
        figures.input_tokens += usage.input_tokens
        figures.output_tokens += usage.output_tokens
        cost += usage.cost
        figures.values_dropped += len(outcome.dropped)
        figures.needs_review += bool(outcome.envelope.needs_review)
        _count_filled(figures, outcome.provenance, outcome.envelope.invoice, document)
    figures.llm_requests = server.count - before
    figures.cost = str(cost)
    figures.seconds = round(time.perf_counter() - started, 1)
    return figures


def _count_filled(figures: Figures, provenance: dict[str, str], invoice: Any,
                  document: GeneratedDocument) -> None:  # fmt: skip
    truth = document.truth.invoice
    for path, source in provenance.items():
        if source != "llm" or invoice is None or truth is None:
            continue
        figures.fields_filled += 1
        figures.fields_filled_right += field_value(invoice, path) == field_value(truth, path)


def _table(rows: Sequence[Figures]) -> str:
    lines = [
        "| set (fallback mode) | documents | routed to the LLM | LLM calls / 100 docs "
        "| tokens in / out | cost / 1,000 docs | LLM fields right | values dropped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in rows:
        lines.append(
            f"| {f.name} | {f.documents} | {100 * f.routed / max(1, f.documents):.1f} % "
            f"| {f.calls_per_100:.1f} | {f.input_tokens:,} / {f.output_tokens:,} "
            f"| {f.cost_per_1000:.4f} | {f.fields_filled_right}/{f.fields_filled} "
            f"| {f.values_dropped} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run both sets and print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=10, help="seeds per layout (default 10)")
    parser.add_argument("--redacted-seeds", type=int, default=2)
    parser.add_argument("--price-in", type=Decimal, default=Decimal("0.15"))
    parser.add_argument("--price-out", type=Decimal, default=Decimal("0.60"))
    args = parser.parse_args(argv)
    server = LlmServer()
    uv, url = _start(server.app)
    settings = LlmSettings(mode="fallback", base_url=url, model="bench-model",
                           price_input_per_mtok=args.price_in,
                           price_output_per_mtok=args.price_out)  # fmt: skip
    try:
        rows = [
            _run_set("born-digital, dev layouts", settings, server, args.seeds, False),
            _run_set("same, 'Total' labels blacked out", settings, server,
                     args.redacted_seeds, True),
        ]  # fmt: skip
    finally:
        uv.should_exit = True
    OUT.mkdir(exist_ok=True)
    payload = [
        {**asdict(f), "calls_per_100": f.calls_per_100, "cost_per_1000": str(f.cost_per_1000)}
        for f in rows
    ]
    prices = {"input_per_mtok": str(args.price_in), "output_per_mtok": str(args.price_out)}
    (OUT / "llm.json").write_text(json.dumps({"prices": prices, "sets": payload}, indent=2))
    print(_table(rows))


if __name__ == "__main__":
    main()
