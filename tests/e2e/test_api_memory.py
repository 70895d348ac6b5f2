"""Memory: a 200 MB upload, streamed, barely moves the API process's peak RSS (VmHWM).

Runs `docproc api` as a real uvicorn subprocess on 127.0.0.1 (embedded SQLite, filesystem
broker, no worker needed) and sends the body from a generator, so neither side holds it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, make_container, make_settings, sample

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOTAL = 200_000_000
CHUNK = 1 << 20
LIMIT_MB = 50


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCPROC_")}
    env.update(DOCPROC_DATA_DIR=str(data_dir), DOCPROC_DATABASE__URL=database_url)
    return env


def _docproc(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


@pytest.fixture
def api_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, str]]:
    """`docproc api` on a free port; yields the process, its URL and an API key."""
    data_dir = tmp_path / "data"
    database_url = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    make_container(make_settings(data_dir, database_url)).engine.dispose()
    env = _env(data_dir, database_url)
    key = _docproc("keys", "create", "--tenant", "memory", env=env).stdout
    assert key.startswith("dp_")
    assert key.count("\n") == 1
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "api", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "docproc api did not start"
        time.sleep(0.1)
    try:
        yield process, url, key.strip()
    finally:
        process.terminate()
        process.wait(timeout=20)


def _body(boundary: bytes) -> Iterator[bytes]:
    yield b"--" + boundary + b"\r\n"
    yield b'Content-Disposition: form-data; name="data"; filename="big.pdf"\r\n'
    yield b"Content-Type: application/pdf\r\n\r\n"
    head = b"%PDF-1.4\n"
    yield head
    left = TOTAL - len(head)
    block = b"0" * CHUNK
    while left > 0:
        piece = block[: min(CHUNK, left)]
        left -= len(piece)
        yield piece
    yield b"\r\n--" + boundary + b"--\r\n"


def test_200_mb_upload_keeps_peak_rss_flat(
    api_process: tuple[subprocess.Popen[bytes], str, str],
) -> None:
    process, url, key = api_process
    headers = {"authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        warm = client.post(
            "/v1/documents", files={"file": ("w.pdf", sample()[0], "application/pdf")}
        )
        assert warm.status_code == 202, warm.text
        before = _vm_hwm_kb(process.pid)
        boundary = b"memoryboundary7MA4YWxkTrZu0gW"
        response = client.post(
            "/v1/documents",
            content=_body(boundary),
            headers={"content-type": f"multipart/form-data; boundary={boundary.decode()}"},
        )
        after = _vm_hwm_kb(process.pid)
    assert response.status_code == 202, response.text
    assert response.json()["documents"][0]["size"] == TOTAL
    grown_mb = (after - before) / 1024
    print(
        f"\n200 MB upload: API peak RSS {before / 1024:.1f} MB -> {after / 1024:.1f} MB "
        f"(+{grown_mb:.1f} MB)"
    )
    assert grown_mb < LIMIT_MB
