"""End to end: `docproc api` and a real Celery worker (Redis broker, PostgreSQL), both as
subprocesses on 127.0.0.1: upload → extraction by the worker → result, plus a signed callback
to a local receiver that fails twice first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.signing import verify
from tests.conftest import free_port, sample

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379/9"


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


class Stack:
    """The API and a worker sharing one data dir, database and broker."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DOCPROC_")}
        self.env.update(
            DOCPROC_DATA_DIR=str(tmp_path / "data"),
            DOCPROC_DATABASE__URL=database_url,
            DOCPROC_BROKER__URL=REDIS_URL,
            DOCPROC_ALLOW_PRIVATE_CALLBACKS="true",
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []

    def docproc(self, *args: str) -> str:
        """Run a docproc command; its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout

    def start(self) -> None:
        """Start the API and the worker; wait for the API."""
        api = [sys.executable, "-m", "service.cli", "api", "--port", str(self.port)]
        worker = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "service.worker.app",
            "worker",
            "-Q",
            "intake,ocr,push",
            "-c",
            "1",
            "--loglevel",
            "WARNING",
        ]
        for command in (api, worker):
            self.processes.append(subprocess.Popen(command, env=self.env))
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "docproc api did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop both."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def stack(tmp_path: Path, pg_url: str) -> Iterator[Stack]:
    """A running API + worker on the session's PostgreSQL and Redis db 9."""
    _flush_redis()
    running = Stack(tmp_path, pg_url)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        _flush_redis()


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A callback receiver that answers 500 twice, then 200."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(500 if len(received) <= 2 else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_upload_is_extracted_by_a_real_worker_and_called_back(
    stack: Stack, receiver: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    hook, received = receiver
    key = stack.docproc("keys", "create", "--tenant", "e2e-worker").strip()
    secret = stack.docproc("keys", "signing-secret", "--tenant", "e2e-worker").strip()
    headers = {"authorization": f"Bearer {key}"}
    data, truth = sample("supply_house-000004")
    with httpx.Client(base_url=stack.url, headers=headers, timeout=90) as client:
        upload = client.post(
            "/v1/documents",
            files={"data": ("supply.pdf", data, "text/plain")},
            data={"callback_url": hook},
        )
        assert upload.status_code == 202, upload.text
        links = upload.json()["documents"][0]["links"]
        result = client.get(links["result"], params={"wait": 60})
        assert result.status_code == 200, result.text
        envelope = result.json()
        assert envelope["invoice"]["invoice_number"] == truth["invoice"]["invoice_number"]
        assert envelope["invoice"]["total"] == truth["invoice"]["total"]
        again = client.post("/v1/documents", files={"file": ("again.pdf", data, "application/pdf")})
        assert again.status_code == 200
        assert again.json()["documents"][0]["id"] == upload.json()["documents"][0]["id"]
        deadline = time.monotonic() + 60
        while len(received) < 3:
            assert time.monotonic() < deadline, f"callback attempts seen: {len(received)}"
            time.sleep(0.2)
        versions = client.get(links["results"]).json()["versions"]
    assert len(versions) == 1
    sent_headers, body = received[-1]
    assert verify(
        secret, sent_headers["x-docproc-timestamp"], body, sent_headers["x-docproc-signature"]
    )
    assert json.loads(body)["envelope"] == envelope
