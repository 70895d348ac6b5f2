"""`python -m bench.loadgen`: an external HTTP load generator for the upload API.

Runs in its own process (so its CPU is not the server's) with N concurrent keep-alive clients
on raw asyncio sockets, each POSTing a PDF as a raw body to `/v1/documents`; every request's
bytes are distinct (a numbered PDF comment after `%%EOF`) so the dedupe path never short-cuts.
Requests finishing during the warm-up are not counted. Prints one JSON object: requests/s,
latency percentiles (ms) and status counts. Owns nothing else: no database, no docproc imports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Tally:
    """What the clients saw: latencies (s) of counted requests and their status codes."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0


def numbered(base: bytes, number: int, size: int) -> bytes:
    """`base` with a numbered comment after `%%EOF`, padded so the whole is `size` bytes."""
    tag = f"\n% docproc-loadgen {number:012d} ".encode()
    padding = max(0, size - len(base) - len(tag) - 1)
    return base + tag + b"x" * padding + b"\n"


def _request(host: str, path: str, key: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/pdf\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length bodies only); its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


@dataclass
class Plan:
    """One load run: where, as whom, with what, for how long."""

    url: str
    key: str
    base: bytes
    size: int
    clients: int
    warmup_s: float
    duration_s: float


async def _client(plan: Plan, index: int, tally: Tally, start: float, counter: list[int]) -> None:
    parts = urlsplit(plan.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = f"{parts.path.rstrip('/')}/v1/documents?filename=load-{index}.pdf"
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() - start < plan.warmup_s + plan.duration_s:
            counter[0] += 1
            body = numbered(plan.base, counter[0], plan.size)
            sent = time.perf_counter()
            try:
                writer.write(_request(f"{host}:{port}", path, plan.key, body))
                await writer.drain()
                status = await _response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                tally.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            done = time.perf_counter()
            if done - start >= plan.warmup_s:
                tally.latencies.append(done - sent)
                tally.statuses[status] += 1
    finally:
        writer.close()


async def run_load(plan: Plan) -> dict[str, object]:
    """Drive the plan; requests/s over the measured window and latency percentiles (ms)."""
    tally = Tally()
    counter = [int(time.time() * 1000) % 10**9 * 1000]  # distinct across runs too
    start = time.perf_counter()
    await asyncio.gather(
        *(_client(plan, index, tally, start, counter) for index in range(plan.clients))
    )
    window = max(time.perf_counter() - start - plan.warmup_s, 1e-9)
    ms = sorted(1000 * value for value in tally.latencies)
    return {
        "clients": plan.clients,
        "body_bytes": plan.size,
        "seconds": window,
        "requests": len(ms),
        "rps": len(ms) / window,
        "p50_ms": statistics.median(ms) if ms else None,
        "p90_ms": _percentile(ms, 0.90),
        "p99_ms": _percentile(ms, 0.99),
        "max_ms": ms[-1] if ms else None,
        "statuses": {str(code): count for code, count in sorted(tally.statuses.items())},
        "errors": tally.errors,
    }


def _percentile(ordered: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, run the load and print its JSON figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    parser.add_argument("--url", required=True, help="API base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="API key (dp_…)")
    parser.add_argument(
        "--pdf", required=True, help="the PDF to upload (made distinct per request)"
    )
    parser.add_argument("--size", type=int, default=100_000, help="bytes per request body")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not counted")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured")
    args = parser.parse_args(argv)
    plan = Plan(args.url, args.key, Path(args.pdf).read_bytes(), args.size, args.clients,
                args.warmup, args.duration)  # fmt: skip
    print(json.dumps(asyncio.run(run_load(plan))))


if __name__ == "__main__":
    main()
