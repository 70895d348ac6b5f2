"""The `docproc` command line: `docproc extract PATH...` and `docproc schema`.

Owns argument parsing, reading input files (bounded: size checked by stat before reading),
JSON Lines on stdout, logs and progress on stderr, and the exit status of CONTRACT.md
("The command line"). Must not print anything but JSON to stdout, and must not import the
pipeline or PyMuPDF before a command needs them: start-up time is part of the contract's
promise of a quick command (imports below the top are deliberate and lazy).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from extractors.limits import Limits
    from extractors.ocr import OcrEngine
    from extractors.pipeline import OcrOptions
    from models import Envelope

    # The LLM tier's step (service/llm): envelope, bytes, review threshold, OCR engine.
    LlmRefiner = Callable[[Envelope, bytes, float, OcrEngine | None], Envelope]

logger = logging.getLogger("docproc.cli")

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_SOME_FAILED = 3
_CHUNK = 1024 * 1024

# Service commands parse their own arguments in their own module, imported only when run,
# so `docproc extract` never pays for FastAPI, SQLAlchemy or Celery.
SERVICE_COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("service.commands.serve", "run the API and a worker on embedded defaults"),
    "api": ("service.commands.api", "run the HTTP API (configured by DOCPROC_* variables)"),
    "worker": ("service.commands.worker", "run a Celery worker (configured by DOCPROC_*)"),
    "keys": ("service.commands.keys", "manage API keys: keys create --tenant NAME"),
    "db": ("service.commands.db", "database migrations: db upgrade"),
    "users": ("service.commands.users", "web app users: users create --tenant T --email E"),
    "mail": ("service.commands.mail", "email intake: mail add / list / poll [--loop]"),
}


def _confidence(text: str) -> float:
    """An argparse type: a number in [0, 1] (anything else is a usage error, exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text!r}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docproc", description="Extract data from construction documents."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    extract = commands.add_parser(
        "extract", help="extract every PATH (a directory means its files, sorted by name)"
    )
    extract.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    extract.add_argument(
        "--review-threshold",
        type=_confidence,
        default=0.8,
        help="confidence below which a field needs review (default 0.8)",
    )
    commands.add_parser("schema", help="print the JSON Schema of one result line")
    for name, (_module, summary) in SERVICE_COMMANDS.items():
        command = commands.add_parser(name, help=summary, add_help=False)
        command.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """Command-line paths in, the inputs in order out: a directory gives its files by name."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        try:
            entries = sorted(path.iterdir(), key=lambda entry: entry.name)
        except OSError as exc:
            logger.warning("cannot list %s: %s", path, exc)
            yield path  # reading it will give its own unreadable_file line
            continue
        files = [entry for entry in entries if entry.is_file()]
        if not files:
            logger.warning("%s: directory has no files", path)
        yield from files


def _unreadable(source: str, why: str) -> Envelope:
    from models import Envelope, ErrorCode

    return Envelope.failed(source, ErrorCode.UNREADABLE_FILE, f"cannot read the file: {why}")


def _read_bounded(handle: BinaryIO, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes, so a file that grows or lies about its size stays bounded."""
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = handle.read(min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_input(path: Path, limits: Limits) -> bytes | Envelope:
    """A path in, its bytes (never more than the limit) or an error envelope out."""
    from extractors.sniff import guard, too_large_error
    from models import Envelope, ExtractionError

    source = str(path)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limits.max_bytes:
                # Sniff the head only, so a huge executable is still called what it is.
                verdict = guard(handle.read(1024), limits, size=size)
                error = verdict if isinstance(verdict, ExtractionError) else None
                error = error or too_large_error(size, limits)
                return Envelope.failed(source, error.code, error.message)
            data = _read_bounded(handle, limits.max_bytes)
    except FileNotFoundError:
        return _unreadable(source, "no such file")
    except IsADirectoryError:
        return _unreadable(source, "it is a directory")
    except PermissionError:
        return _unreadable(source, "permission denied")
    except OSError as exc:
        return _unreadable(source, exc.strerror or type(exc).__name__)
    if len(data) > limits.max_bytes:
        error = too_large_error(len(data), limits)
        return Envelope.failed(source, error.code, error.message)
    return data


def _ocr_engine() -> OcrEngine | None:
    """The OCR engine for `docproc extract` (Tesseract when installed)."""
    from service.ocr_engine import make_ocr_engine

    return make_ocr_engine()


def _extract_one(
    path: Path,
    limits: Limits,
    review_threshold: float,
    ocr: OcrEngine | None = None,
    ocr_options: OcrOptions | None = None,
    llm: LlmRefiner | None = None,
) -> Envelope:
    """One input's envelope; a fault outside the pipeline is an internal_error line, not a crash."""
    from extractors.pipeline import run_pipeline
    from models import Envelope, ErrorCode

    try:
        read = read_input(path, limits)
        if isinstance(read, Envelope):
            return read
        envelope = run_pipeline(read, str(path), limits, ocr, review_threshold, ocr_options)
        return envelope if llm is None else llm(envelope, read, review_threshold, ocr)
    except Exception as exc:
        logger.exception("internal error while reading %s", path)
        return Envelope.failed(str(path), ErrorCode.INTERNAL_ERROR, f"internal error: {exc!r}")


def extract_paths(paths: Sequence[Path], review_threshold: float) -> int:
    """Run the pipeline on every input, one JSON line each on stdout; the exit status out."""
    from concurrent.futures import ThreadPoolExecutor

    from extractors.limits import Limits
    from extractors.pipeline import OcrOptions

    limits = Limits()
    status = EXIT_OK
    out = sys.stdout
    ocr = _ocr_engine()
    # Tesseract runs as a child process, so threads are enough to keep every core busy with
    # one page each (a threaded Tesseract on every core is 4-5 times slower here).
    workers = os.cpu_count() or 1
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
    options = OcrOptions(executor=pool, window=workers)
    llm = _llm_refiner()
    with pool:
        for index, path in enumerate(expand_paths(paths), start=1):
            envelope = _timed_extract(index, path, limits, review_threshold, ocr, options, llm)
            out.write(envelope.to_json_line() + "\n")
            out.flush()
            if envelope.error is not None:
                status = EXIT_SOME_FAILED
    return status


def _timed_extract(
    index: int,
    path: Path,
    limits: Limits,
    review_threshold: float,
    ocr: OcrEngine | None,
    options: OcrOptions,
    llm: LlmRefiner | None = None,
) -> Envelope:
    """One input through the pipeline, with its outcome and time logged on stderr."""
    started = time.perf_counter()
    # A library that prints (PyMuPDF's messages do) must not corrupt the JSON Lines.
    with contextlib.redirect_stdout(sys.stderr):
        envelope = _extract_one(path, limits, review_threshold, ocr, options, llm)
    outcome = envelope.error.code.value if envelope.error else envelope.document_type
    elapsed = time.perf_counter() - started
    logger.info("extract %d: %s -> %s (%.2f s)", index, path, outcome, elapsed)
    return envelope


def _llm_refiner() -> LlmRefiner | None:
    """The LLM tier when DOCPROC_LLM_MODE is not off; off: nothing LLM-related is imported."""
    mode = os.environ.get("DOCPROC_LLM_MODE") or os.environ.get("DOCPROC_LLM__MODE") or "off"
    if mode.strip().lower() == "off":
        return None
    from service.llm.tier import cli_refiner

    return cli_refiner()


def print_schema() -> int:
    """Print the JSON Schema every `docproc extract` line validates against."""
    import json

    from models import Envelope

    schema = Envelope.model_json_schema(mode="serialization")
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `docproc` console script: parse, run, return the exit status."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="docproc: %(message)s")
    words = list(sys.argv[1:] if argv is None else argv)
    if words and words[0] in SERVICE_COMMANDS:
        # argparse's REMAINDER drops a first word starting with '-' (`serve --port 8001`).
        return _run_service_command(words[0], words[1:])
    args = _build_parser().parse_args(argv)
    if args.command == "schema":
        return print_schema()
    if args.command in SERVICE_COMMANDS:
        return _run_service_command(args.command, args.rest)
    return extract_paths(args.paths, args.review_threshold)


def _run_service_command(name: str, rest: Sequence[str]) -> int:
    """Import the command's module and hand it its arguments: `run(argv) -> exit status`."""
    import importlib

    module = importlib.import_module(SERVICE_COMMANDS[name][0])
    status: int = module.run(list(rest))
    return status


if __name__ == "__main__":
    sys.exit(main())
