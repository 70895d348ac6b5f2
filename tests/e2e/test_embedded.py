"""`docproc serve` as a user runs it: a subprocess with a temporary DOCPROC_DATA_DIR and a
free port, uploading a sample with the printed key and reading back its result; two
instances side by side; a restart that reuses the key; SIGTERM stopping the children."""

from __future__ import annotations

import os
import re
import signal
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration import worker_fixtures as wf
from tests.integration.worker_fixtures import (
    SAMPLES,
    Proc,
    Processes,
    env_for,
    free_port,
    truth,
    wait_until,
)

# Fixtures used here, shared with the other worker tests.
processes = wf.processes

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

pytest.importorskip("service.api", reason="the HTTP API (service.api.create_app) is not there yet")

KEY_LINE = re.compile(r"API key: (\S+)")


@dataclass
class Instance:
    """One running `docproc serve`."""

    proc: Proc
    url: str
    key: str
    data_dir: Path

    def client(self, key: str | None = None) -> httpx.Client:
        """An HTTP client authenticated with this instance's key (or `key`)."""
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=90)


def _stdout(proc: Proc) -> str:
    return proc.output()


def serve(processes: Processes, data_dir: Path) -> Instance:
    """Start `docproc serve` on a free port and wait until it answers /healthz."""
    port = free_port()
    env = env_for({"DOCPROC_DATA_DIR": str(data_dir)})
    argv = [
        sys.executable,
        "-m",
        "service.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = processes.start("serve", argv, env)
    match = wait_until(lambda: KEY_LINE.search(_stdout(proc)) or proc.popen.poll() is not None,
                       what="the key line")  # fmt: skip
    assert isinstance(match, re.Match), proc.output()[-3000:]
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: _healthy(url), what="/healthz")
    return Instance(proc, url, match.group(1), data_dir)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def upload(instance: Instance, sample: str, key: str | None = None) -> httpx.Response:
    """POST a sample as multipart `file` with `?wait=30`, like the README's curl."""
    with instance.client(key) as client, (SAMPLES / sample).open("rb") as handle:
        files = {"file": (sample, handle, "application/pdf")}
        return client.post("/v1/documents", params={"wait": 30}, files=files)


def result_of(instance: Instance, response: httpx.Response) -> dict[str, Any]:
    """The finished envelope of the uploaded document (waiting for it if needed)."""
    body = response.json()
    document = body["documents"][0] if "documents" in body else body
    with instance.client() as client:
        for _ in range(10):
            answer = client.get(f"/v1/documents/{document['id']}/result", params={"wait": 30})
            if answer.status_code == 200:
                envelope: dict[str, Any] = answer.json()
                return envelope
            assert answer.status_code == 202, answer.text
    pytest.fail(f"no result for {document['id']}")


def _assert_invoice(envelope: dict[str, Any], sample: str) -> None:
    expected = truth(SAMPLES / sample)["invoice"]
    assert envelope["invoice"]["invoice_number"] == expected["invoice_number"]
    assert Decimal(str(envelope["invoice"]["total"])) == Decimal(str(expected["total"]))


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def test_serve_extracts_an_upload(processes: Processes, tmp_path: Path) -> None:
    """Upload with the printed key; the worker child extracts the right invoice."""
    instance = serve(processes, tmp_path / "data")
    sample = "centred_vat-000003.pdf"
    response = upload(instance, sample)
    assert response.status_code in {200, 201, 202}, response.text
    _assert_invoice(result_of(instance, response), sample)
    assert (tmp_path / "data" / "docproc.sqlite3").exists()
    assert (tmp_path / "data" / "api-key").read_text().strip() == instance.key


def test_two_instances_never_meet(processes: Processes, tmp_path: Path) -> None:
    """Two instances with their own data dirs and ports: each extracts its own upload, and
    one's key means nothing to the other."""
    first = serve(processes, tmp_path / "one")
    second = serve(processes, tmp_path / "two")
    assert first.key != second.key
    _assert_invoice(result_of(first, upload(first, "classic_left-000001.pdf")),
                    "classic_left-000001.pdf")  # fmt: skip
    _assert_invoice(result_of(second, upload(second, "supply_house-000004.pdf")),
                    "supply_house-000004.pdf")  # fmt: skip
    assert upload(second, "classic_left-000001.pdf", key=first.key).status_code == 401


def test_sigterm_stops_children_and_restart_reuses_the_key(
    processes: Processes, tmp_path: Path
) -> None:
    """SIGTERM ends serve with status 0 and takes the worker and beat with it; the next start
    on the same data dir prints the same key, and earlier results are still there."""
    data_dir = tmp_path / "data"
    first = serve(processes, data_dir)
    response = upload(first, "banner_gst-000006.pdf")
    _assert_invoice(result_of(first, response), "banner_gst-000006.pdf")
    children = wait_until(lambda: _children(first.proc.popen.pid), what="serve's children")
    assert len(children) == 2  # the worker and beat
    first.proc.popen.send_signal(signal.SIGTERM)
    assert first.proc.popen.wait(timeout=90) == 0
    wait_until(lambda: not any(_alive(pid) for pid in children), what="children gone")
    again = serve(processes, data_dir)
    assert again.key == first.key
    _assert_invoice(result_of(again, response), "banner_gst-000006.pdf")
