"""`docproc serve`: the whole service on one machine with nothing to install or configure.

Embedded defaults: SQLite, blobs and a filesystem broker under DATA_DIR (`DOCPROC_DATA_DIR`,
default `./var`). Migrates the database, makes a local tenant and API key on first start (kept
in DATA_DIR/api-key so restarts reuse it), starts a Celery worker and beat (the reconciler)
as child processes, prints the URL and the key, and serves the API until SIGINT or SIGTERM,
then stops the children. Everything it writes lives in DATA_DIR, so two instances with
different data dirs and ports never meet. Must not hold API or task logic of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from service.config import Settings, get_settings

if TYPE_CHECKING:
    import uvicorn

KEY_FILE = "api-key"
LOCAL_TENANT = "local"
_STOP_GRACE_S = 20.0


class _Stop(BaseException):
    """Raised by the signal handler outside uvicorn's own handling: shut down cleanly."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docproc serve", description="Run the API and a worker on embedded defaults."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    return parser


def ensure_local_key(settings: Settings) -> str:
    """The local tenant's API key: read from DATA_DIR/api-key, or created and saved there."""
    from service.bootstrap import get_container
    from service.db.session import unit_of_work
    from service.db.tenants import create_key, get_or_create_tenant, resolve_key

    path = settings.data_dir / KEY_FILE
    sessions = get_container().sessions
    saved = path.read_text().strip() if path.exists() else ""
    with unit_of_work(sessions) as session:
        if saved and resolve_key(session, saved) is not None:
            return saved
        key = create_key(session, get_or_create_tenant(session, LOCAL_TENANT)).key
    staging = path.with_name(f".{KEY_FILE}.part")
    staging.touch(mode=0o600)
    staging.write_text(key + "\n")
    staging.replace(path)
    return key


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if `serve` dies without cleaning up (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Children:
    """The worker and beat processes, each leading its own process group."""

    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        """Start one child in its own process group."""
        # Their logs go to stderr: stdout carries only the URL and the key.
        self.processes[name] = subprocess.Popen(
            argv, env=env, stdout=sys.stderr, process_group=0, preexec_fn=_die_with_parent
        )

    def watch(self, on_exit: threading.Event) -> None:
        """Set `on_exit` when any child ends while we are not stopping them."""
        for name, process in self.processes.items():

            def wait(name: str = name, process: subprocess.Popen[bytes] = process) -> None:
                code = process.wait()
                if not self.stopping:
                    sys.stderr.write(f"docproc serve: {name} exited with {code}; stopping\n")
                    on_exit.set()

            threading.Thread(target=wait, name=f"watch-{name}", daemon=True).start()

    def stop(self) -> None:
        """SIGTERM every child (Celery stops its own pool), wait, then SIGKILL what is left."""
        self.stopping = True
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)  # pool children left behind, if any


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def child_commands(settings: Settings, port: int) -> dict[str, list[str]]:
    """The worker and beat command lines for this instance."""
    data = settings.data_dir
    celery = [sys.executable, "-m", "celery", "-A", "service.worker.app"]
    worker = [*celery, "worker", "-Q", "intake,ocr,push,mail",
              "--concurrency", str(settings.worker.concurrency), "--pool", "prefork",
              "--hostname", f"docproc-{port}@%h", "--without-mingle", "--without-gossip",
              "--loglevel", "INFO"]  # fmt: skip
    beat = [*celery, "beat", "--schedule", str(data / "beat-schedule"),
            "--pidfile", str(data / "beat.pid"), "--loglevel", "INFO"]  # fmt: skip
    return {"worker": worker, "beat": beat}


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(signum)


def run(argv: Sequence[str]) -> int:
    """Migrate, ensure the key, start worker and beat, serve the API; exit status."""
    args = _parser().parse_args(list(argv))
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    data_dir = Path(os.environ.get("DOCPROC_DATA_DIR", "var")).resolve()
    os.environ["DOCPROC_DATA_DIR"] = str(data_dir)  # children and this process agree
    get_settings.cache_clear()
    settings = get_settings()
    data_dir.mkdir(parents=True, exist_ok=True)
    from service.observability.multiproc import prepare_multiproc_dir

    prepare_multiproc_dir(settings)  # API and children share DATA_DIR/metrics
    children = Children()
    try:
        return _serve(settings, args.host, args.port, children)
    except _Stop:
        return 0
    finally:
        # A second Ctrl+C must not cut the shutdown short and strand the children.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        children.stop()


def _serve(settings: Settings, host: str, port: int, children: Children) -> int:
    import uvicorn

    from service.api import create_app
    from service.db.migrations import upgrade_database

    upgrade_database(settings.database_url)
    key = ensure_local_key(settings)
    with contextlib.suppress(ImportError):  # keys in query strings never reach the access log
        from service.api.logs import install_access_log_redaction

        install_access_log_redaction()
    for name, argv in child_commands(settings, port).items():
        children.start(name, argv, dict(os.environ))
    server = uvicorn.Server(uvicorn.Config(create_app(), host=host, port=port, log_level="info"))
    child_died = threading.Event()
    children.watch(child_died)
    threading.Thread(target=_stop_when, args=(child_died, server), daemon=True).start()
    sys.stdout.write(f"docproc serve: API at http://{host}:{port} (data in {settings.data_dir})\n")
    sys.stdout.write(f"docproc serve: API key: {key}\n")
    sys.stdout.flush()
    server.run()
    return 1 if child_died.is_set() else 0


def _stop_when(event: threading.Event, server: uvicorn.Server) -> None:
    event.wait()
    server.should_exit = True
