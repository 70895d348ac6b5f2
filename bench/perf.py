"""`python -m bench.perf`: speed, scale and cost of the service, each beside its baseline.

In one run on the fixture corpus (dev-layout invoices, seeds from 700000):
- born-digital pages/s per core (CPU time of `run_pipeline`) beside bare PyMuPDF
  `get_text("words")` on the same pages, interleaved;
- end-to-end documents/minute through a real `docproc api` and `celery worker --concurrency N`
  (N = 1, 2, 4) on a fresh PostgreSQL database and a private Redis database, from the first
  upload to the last document done; three runs per N, interleaved, the median reported;
- the upload API under 8 concurrent clients of an external load generator (`bench.loadgen`,
  ~100 KB PDFs with distinct bytes), requests/s and p50/p99;
- a leak check: one worker process, the pool child's RSS after document 100 and 1,000;
- CPU-seconds per 1,000 documents (the worker processes' /proc stat);
- import time of the CLI, worker and API entry modules and each process's idle RSS.
Writes bench/out/perf.json; `bench.summary` turns every bench/out/*.json into the record.
Every process it starts leads its own group and is killed at the end; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SEED_BASE = 700_000
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of the benchmark's own
DONE = ("extracted", "needs_review", "failed", "exported")
# `docproc api --workers N` as deployed: one server process per core.
API_WORKERS = os.cpu_count() or 1
CLK_TCK = os.sysconf("SC_CLK_TCK")
ENTRY_MODULES = {
    "cli": ["service.cli"],
    "worker": ["service.worker.app", "service.worker.tasks", "service.worker.callbacks",
               "service.outbox.tasks", "service.mail.tasks", "service.observability.tasks"],
    "api": ["uvicorn", "service.api.app", "service.bootstrap"],
}  # fmt: skip


def _log(message: str) -> None:
    print(f"[perf {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the corpus ---------------------------------------------------------------------------


def invoice_pdfs(count: int) -> list[bytes]:
    """`count` born-digital dev-layout invoices, seeds from 700000, layouts in turn."""
    from fixtures.generator import DEV_LAYOUTS, generate_invoice

    return [
        generate_invoice(DEV_LAYOUTS[i % len(DEV_LAYOUTS)], SEED_BASE + i).pdf for i in range(count)
    ]


def distinct(pdf: bytes, tag: str) -> bytes:
    """The same PDF with a comment after `%%EOF`, so its bytes (and hash) are new."""
    return pdf + f"\n% docproc-bench {tag}\n".encode()


# --- born-digital, in process -------------------------------------------------------------


def measure_born_digital(pdfs: Sequence[bytes]) -> dict[str, Any]:
    """CPU time per page of `run_pipeline` and of bare PyMuPDF words on the same pages."""
    import pymupdf

    from extractors.limits import Limits
    from extractors.pipeline import run_pipeline

    run_pipeline(pdfs[0], "warm-up.pdf", Limits())
    ours = bare = 0.0
    ours_wall = 0.0
    pages = 0
    for index, pdf in enumerate(pdfs):
        cpu, wall = time.process_time(), time.perf_counter()
        envelope = run_pipeline(pdf, f"bench-{index}.pdf", Limits())
        ours += time.process_time() - cpu
        ours_wall += time.perf_counter() - wall
        pages += envelope.page_count or 1
        with pymupdf.open(stream=pdf, filetype="pdf") as doc:
            cpu = time.process_time()
            for page in doc:
                page.get_text("words")
            bare += time.process_time() - cpu
    return {
        "documents": len(pdfs),
        "pages": pages,
        "ours_cpu_ms_per_page": 1000 * ours / pages,
        "ours_wall_ms_per_page": 1000 * ours_wall / pages,
        "bare_pymupdf_cpu_ms_per_page": 1000 * bare / pages,
        "pages_per_s": pages / ours,
        "bare_pages_per_s": pages / bare,
        "ratio_vs_pymupdf": ours / bare,
    }


# --- import time --------------------------------------------------------------------------


def import_seconds(modules: Sequence[str], runs: int = 3) -> float:
    """Median total `-X importtime` (top-level cumulative) of importing `modules`, seconds."""
    code = "import " + ", ".join(modules)
    totals = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT,
                              capture_output=True, text=True, check=True)  # fmt: skip
        total = 0
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
            if match and not match.group(2).startswith(" "):
                total += int(match.group(1))
        totals.append(total / 1e6)
    return statistics.median(totals)


def import_cpu_seconds(modules: Sequence[str], runs: int = 3) -> float:
    """Median CPU seconds of a fresh interpreter importing `modules` (steadier than wall time
    on a busy machine)."""
    code = f"import time, {', '.join(modules)}; print(time.process_time())"
    values = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, check=True)  # fmt: skip
        values.append(float(done.stdout.split()[-1]))
    return statistics.median(values)


def heavy_modules_in(modules: Sequence[str]) -> list[str]:
    """Which heavy libraries importing `modules` drags in (should be none for the API)."""
    heavy = ["pymupdf", "cv2", "onnxruntime", "numpy", "pytesseract", "instructor"]
    code = (f"import sys, {', '.join(modules)}; "
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)  # fmt: skip
    return done.stdout.split()


# --- processes ----------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    """Resident set size of a process, MB (0 when it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its direct children, MB (uvicorn's supervisor and its workers)."""
    return rss_mb(pid) + sum(rss_mb(child) for child in children(pid))


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its reaped children, from /proc stat."""
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / CLK_TCK
    return 0.0


def children(pid: int) -> list[int]:
    """Direct children of a process (Celery's pool processes)."""
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Proc:
    """A child process leading its own group, logging to a file."""

    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """The process id."""
        return self.popen.pid

    def cpu_s(self) -> float:
        """CPU seconds of the process, its live children and its reaped ones."""
        return cpu_s(self.pid) + sum(cpu_s(child) for child in children(self.pid))

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL it after 10 s, reap."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


@dataclass
class Stack:
    """A fresh database, a private Redis database, an API and the workers started on them."""

    database_url: str
    folder: Path
    started: list[Proc] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        """The API's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every process of this stack."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("DOCPROC_")}
        return base | {
            "PYTHONUNBUFFERED": "1",
            "DOCPROC_DATA_DIR": str(self.folder / "data"),
            "DOCPROC_DATABASE__URL": self.database_url,
            "DOCPROC_BROKER__URL": REDIS_URL,
            "DOCPROC_API__REQUESTS_PER_MINUTE": "100000000",
            **extra,
        }

    def start(self, name: str, argv: list[str], **extra: str) -> Proc:
        """Start `argv` in its own process group, output to `<folder>/<name>.log`."""
        log = self.folder / f"{name}-{len(self.started)}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(argv, env=self.env(**extra), cwd=ROOT, stdout=sink,
                                     stderr=subprocess.STDOUT, process_group=0)  # fmt: skip
        proc = Proc(popen, log)
        self.started.append(proc)
        return proc

    def docproc(self, *args: str) -> str:
        """Run a `docproc` command on this stack; its stdout."""
        done = subprocess.run([sys.executable, "-m", "service.cli", *args], env=self.env(),
                              cwd=ROOT, capture_output=True, text=True, check=True)  # fmt: skip
        return done.stdout.strip()

    def start_api(self, workers: int = API_WORKERS) -> Proc:
        """`docproc api --workers N` on a free port; returns once /healthz answers."""
        api = self.start("api", [sys.executable, "-m", "service.cli", "api", "--port",
                                 str(self.port), "--log-level", "warning",
                                 "--workers", str(workers)])  # fmt: skip
        _wait(lambda: len(children(api.pid)) >= workers or workers == 1, 60, "API workers")
        _wait(lambda: _healthy(self.url), 60, "the API")
        return api

    def start_worker(self, concurrency: int, max_tasks_per_child: int = 50) -> Proc:
        """A prefork Celery worker on intake and ocr; returns once it says it is ready."""
        argv = [sys.executable, "-m", "celery", "-A", "service.worker.app", "worker",
                "-Q", "intake,ocr", "--concurrency", str(concurrency), "--pool", "prefork",
                "--hostname", f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-mingle",
                "--without-gossip", "--loglevel", "INFO"]  # fmt: skip
        budget = {"DOCPROC_WORKER__MAX_TASKS_PER_CHILD": str(max_tasks_per_child)}
        worker = self.start(f"worker-c{concurrency}", argv, **budget)
        _wait(lambda: " ready." in worker.log.read_text(errors="replace"), 90, "the worker")
        _wait(lambda: len(children(worker.pid)) >= concurrency, 30, "the pool")
        return worker

    def stop_all(self) -> None:
        """Stop every process started."""
        for proc in reversed(self.started):
            proc.stop()


def _healthy(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    return False


def _wait(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def _pg_admin() -> Any:
    import psycopg

    for user in ("root", "postgres"):
        with contextlib.suppress(psycopg.OperationalError):
            return psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname="postgres", user=user, autocommit=True
            )
    raise RuntimeError("PostgreSQL is not reachable on 127.0.0.1:5432")


@contextlib.contextmanager
def fresh_stack(folder: Path) -> Iterator[Stack]:
    """A migrated fresh PostgreSQL database and a flushed private Redis database; all gone
    afterwards."""
    from service.db.migrations import upgrade_database

    admin = _pg_admin()
    name = f"docproc_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    _flush_broker()
    url = f"postgresql+psycopg://{admin.info.user}@{PG_HOST}:{PG_PORT}/{name}"
    stack = Stack(url, folder)
    try:
        upgrade_database(url)
        yield stack
    finally:
        stack.stop_all()
        _flush_broker()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _flush_broker() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def done_count(database_url: str) -> int:
    """How many documents have finished (well or badly)."""
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute("SELECT count(*) FROM documents WHERE status = ANY(%s)",
                           (list(DONE),)).fetchone()  # fmt: skip
        return int(row[0]) if row else 0


def upload(client: httpx.Client, payloads: Sequence[bytes], tag: str) -> None:
    """POST each payload as a raw-body PDF, 4 at a time (so uploading is never what the
    workers wait for); every one must be accepted as new (202)."""

    def post(index: int) -> None:
        answer = client.post(f"/v1/documents?filename={tag}-{index}.pdf",
                             content=payloads[index],
                             headers={"content-type": "application/pdf"})  # fmt: skip
        if answer.status_code != 202:
            raise RuntimeError(f"upload {index}: {answer.status_code} {answer.text[:200]}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(post, range(len(payloads))))


def wait_done(stack: Stack, target: int, timeout: float) -> float:
    """Block until `target` documents are done; the monotonic time it was seen."""
    deadline = time.monotonic() + timeout
    while done_count(stack.database_url) < target:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done_count(stack.database_url)}/{target} done in time")
        time.sleep(0.05)
    return time.monotonic()


# --- end to end ---------------------------------------------------------------------------


def run_e2e(stack: Stack, client: httpx.Client, pdfs: Sequence[bytes],
            concurrency: int, run: int = 0) -> dict[str, Any]:  # fmt: skip
    """Documents/minute with one worker of `concurrency` processes: first upload to last done."""
    worker = stack.start_worker(concurrency)
    idle = {"main_mb": rss_mb(worker.pid),
            "child_mb": [rss_mb(child) for child in children(worker.pid)]}  # fmt: skip
    before = done_count(stack.database_url)
    payloads = [distinct(pdf, f"e2e-r{run}-c{concurrency}-{i}") for i, pdf in enumerate(pdfs)]
    cpu0 = worker.cpu_s()
    start = time.monotonic()
    upload(client, payloads, f"e2e-r{run}-c{concurrency}")
    uploaded = time.monotonic() - start
    end = wait_done(stack, before + len(payloads), 600)
    cpu = worker.cpu_s() - cpu0
    worker.stop()
    seconds = end - start
    figures = {"workers": concurrency, "documents": len(payloads), "seconds": seconds,
               "upload_seconds": uploaded, "docs_per_min": 60 * len(payloads) / seconds,
               "worker_cpu_s": cpu, "idle_rss": idle}  # fmt: skip
    _log(f"e2e c={concurrency}: {figures['docs_per_min']:.0f} docs/min ({seconds:.1f} s)")
    return figures


def run_e2e_repeated(stack: Stack, client: httpx.Client, pdfs: Sequence[bytes],
                     sizes: Sizes) -> dict[str, Any]:  # fmt: skip
    """Each worker count run `sizes.e2e_repeats` times, the counts interleaved (1, 2, 4, 1,
    2, 4, ...) so a burst of load from elsewhere on a shared machine falls on all of them;
    per count, the run with the median throughput, with every run's figure beside it."""
    runs: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes.e2e_workers}
    for run in range(sizes.e2e_repeats):
        for n in sizes.e2e_workers:
            runs[n].append(run_e2e(stack, client, pdfs, n, run))
    report: dict[str, Any] = {}
    for n, figures in runs.items():
        ordered = sorted(figures, key=lambda f: float(f["docs_per_min"]))
        median = ordered[len(ordered) // 2]
        report[str(n)] = median | {"runs_docs_per_min": [f["docs_per_min"] for f in figures]}
    return report


def run_leak(stack: Stack, client: httpx.Client, pdfs: Sequence[bytes],
             checkpoints: Sequence[int]) -> dict[str, Any]:  # fmt: skip
    """One worker process (no recycling): pool child RSS after each checkpoint's documents."""
    worker = stack.start_worker(1, max_tasks_per_child=1_000_000)
    before = done_count(stack.database_url)
    cpu0 = worker.cpu_s()
    start = time.monotonic()
    sent = 0
    rss: dict[str, float] = {}
    child_pids: set[int] = set()
    for checkpoint in checkpoints:
        batch = [distinct(pdfs[i % len(pdfs)], f"leak-{i}") for i in range(sent, checkpoint)]
        upload(client, batch, f"leak-{sent}")
        sent = checkpoint
        wait_done(stack, before + sent, 1800)
        child_pids.update(children(worker.pid))
        rss[str(checkpoint)] = sum(rss_mb(child) for child in children(worker.pid))
        _log(f"leak: {checkpoint} documents, pool child RSS {rss[str(checkpoint)]:.1f} MB")
    seconds = time.monotonic() - start
    cpu = worker.cpu_s() - cpu0
    worker.stop()
    first, last = rss[str(checkpoints[0])], rss[str(checkpoints[-1])]
    return {"documents": sent, "child_rss_mb": rss, "child_pids": sorted(child_pids),
            "growth_pct": 100 * (last - first) / first, "seconds": seconds, "worker_cpu_s": cpu,
            "cpu_s_per_1000_docs": 1000 * cpu / sent}  # fmt: skip


# --- upload API under load ----------------------------------------------------------------


def run_load(stack: Stack, key: str, pdf: bytes, clients: int, seconds: float) -> dict[str, Any]:
    """The external load generator against the running API (no worker: the upload path).

    The API's CPU per request is taken over the load generator's measured window only (its
    warm-up excluded), and the load average is recorded with the figures: the machine is
    shared."""
    sample = stack.folder / "load.pdf"
    sample.write_bytes(pdf)
    api = stack.started[0]
    warmup = 3.0
    cpu0 = api.cpu_s()
    load_before = os.getloadavg()
    loadgen = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen", "--url", stack.url, "--key", key,
         "--pdf", str(sample), "--size", "100000", "--clients", str(clients),
         "--warmup", str(warmup), "--duration", str(seconds)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(warmup)
    cpu_warm = api.cpu_s()
    stdout, stderr = loadgen.communicate(timeout=seconds + 120)
    cpu_end = api.cpu_s()
    if loadgen.returncode != 0:
        raise RuntimeError(f"load generator failed: {stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    figures["api_workers"] = API_WORKERS
    figures["api_cpu_s"] = cpu_end - cpu0
    figures["api_cpu_ms_per_request"] = 1000 * (cpu_end - cpu_warm) / max(figures["requests"], 1)
    figures["api_rss_mb_after"] = tree_rss_mb(api.pid)
    figures["load_average_before"] = load_before
    figures["load_average_after"] = os.getloadavg()
    _log(f"load: {figures['rps']:.0f} req/s, p50 {figures['p50_ms']:.0f} ms, "
         f"p99 {figures['p99_ms']:.0f} ms, API CPU {figures['api_cpu_ms_per_request']:.1f} ms/req, "
         f"statuses {figures['statuses']}, load average {load_before[0]:.1f}")  # fmt: skip
    return figures


# --- the run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How big a run is."""

    born_digital_docs: int
    e2e_docs: int
    e2e_workers: tuple[int, ...]
    e2e_repeats: int  # interleaved runs per worker count; the median is reported
    leak_checkpoints: tuple[int, ...]
    load_seconds: float


FULL = Sizes(96, 96, (1, 2, 4), 3, (100, 250, 500, 750, 1000), 20.0)
QUICK = Sizes(24, 24, (1, 2, 4), 1, (100, 200), 6.0)


SERVICE_PARTS = ("load", "e2e", "leak")


def run_services(sizes: Sizes, pdfs: Sequence[bytes], folder: Path,
                 parts: Sequence[str] = SERVICE_PARTS) -> dict[str, Any]:  # fmt: skip
    """The API-and-worker figures (the chosen parts) on one fresh stack."""
    figures: dict[str, Any] = {}
    with fresh_stack(folder) as stack:
        api = stack.start_api()
        figures["idle_rss_mb_api"] = tree_rss_mb(api.pid)
        key = stack.docproc("keys", "create", "--tenant", "bench").splitlines()[-1]
        headers = {"authorization": f"Bearer {key}"}
        with httpx.Client(base_url=stack.url, headers=headers, timeout=60) as client:
            if "load" in parts:
                figures["load"] = run_load(stack, key, pdfs[0], 8, sizes.load_seconds)
                _flush_broker()  # the load's documents stay QUEUED; no worker should see them
            if "e2e" in parts:
                figures["e2e"] = run_e2e_repeated(stack, client, pdfs[: sizes.e2e_docs], sizes)
            if "leak" in parts:
                figures["leak"] = run_leak(stack, client, pdfs, sizes.leak_checkpoints)
    return figures


def _in_process(report: dict[str, Any], pdfs: Sequence[bytes], sizes: Sizes) -> None:
    """Import costs and the born-digital figures, into `report`."""
    report["import_s"] = {name: import_seconds(mods) for name, mods in ENTRY_MODULES.items()}
    report["import_cpu_s"] = {n: import_cpu_seconds(m) for n, m in ENTRY_MODULES.items()}
    report["api_heavy_imports"] = heavy_modules_in(ENTRY_MODULES["api"])
    _log(f"import: {report['import_s']}, CPU {report['import_cpu_s']}, "
         f"API drags in {report['api_heavy_imports']}")  # fmt: skip
    report["born_digital"] = measure_born_digital(pdfs[: sizes.born_digital_docs])
    _log(f"born-digital: {report['born_digital']}")


def main(argv: Sequence[str] | None = None) -> None:
    """Run every measurement and write bench/out/perf.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller run (smoke test)")
    parser.add_argument("--skip-services", action="store_true", help="in-process figures only")
    parser.add_argument("--only", action="append", choices=SERVICE_PARTS,
                        help="re-run only these parts, updating bench/out/perf.json")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    OUT.mkdir(exist_ok=True)
    folder = OUT / "perf-run"
    folder.mkdir(exist_ok=True)
    pdfs = invoice_pdfs(max(sizes.born_digital_docs, sizes.e2e_docs))
    report: dict[str, Any] = {"quick": args.quick, "cores": os.cpu_count(),
                              "load_average": os.getloadavg()}  # fmt: skip
    if args.only:
        previous: dict[str, Any] = json.loads((OUT / "perf.json").read_text())
        report = previous | {f"load_average_{'_'.join(args.only)}": os.getloadavg()}
        report |= run_services(sizes, pdfs, folder, args.only)
    else:
        _in_process(report, pdfs, sizes)
        if not args.skip_services:
            report |= run_services(sizes, pdfs, folder)
    report["load_average_after"] = os.getloadavg()
    (OUT / "perf.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
