"""Fixtures of the browser tests: a real `docproc serve` (temporary DOCPROC_DATA_DIR, free
port, its own worker), a user made with `docproc users create`, and headless Chromium (Debian's
build) driven by Playwright. Every process started here is killed at teardown.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.worker_fixtures import PROJECT, Processes, env_for, free_port, wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT / "docs" / "screenshots"
AXE = PROJECT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
KEY_LINE = re.compile(r"API key: (\S+)")
EMAIL = "clerk@example.com"


@dataclass(frozen=True)
class Served:
    """One running `docproc serve` and a person who can sign in to it."""

    url: str
    key: str
    email: str
    password: str
    data_dir: Path

    def api(self) -> httpx.Client:
        """An API client with the instance's key."""
        headers = {"Authorization": f"Bearer {self.key}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`docproc serve` on a free port with a fresh data dir, and a user of its tenant."""
    folder = tmp_path_factory.mktemp("serve")
    data_dir = folder / "data"
    # A strict review threshold, so clean samples land in the review queue the clerk works.
    env = env_for({"DOCPROC_DATA_DIR": str(data_dir), "DOCPROC_REVIEW_THRESHOLD": "0.99"})
    processes = Processes(folder)
    port = free_port()
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
    try:
        match = wait_until(
            lambda: KEY_LINE.search(proc.output()) or proc.popen.poll() is not None,
            what="the key line",
        )
        assert isinstance(match, re.Match), proc.output()[-3000:]
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _healthy(url), what="/healthz")
        created = subprocess.run(
            [
                sys.executable,
                "-m",
                "service.cli",
                "users",
                "create",
                "--tenant",
                "local",
                "--email",
                EMAIL,
            ],
            env=env,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        yield Served(url, match.group(1), EMAIL, created.stdout.strip(), data_dir)
    finally:
        processes.kill_all()
        sys.stderr.write(processes.logs()[-8000:])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), or a skip when it is not installed."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/setup.sh installs it)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page (its own cookies) with a desktop-sized viewport."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Save the page as docs/screenshots/<name>.png (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def sign_in(page: Any, served: Served) -> None:
    """Sign in through the form with the test user's email and password."""
    page.goto(f"{served.url}/app/login")
    page.get_by_label("Email").fill(served.email)
    page.get_by_label("Password", exact=True).fill(served.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{served.url}/app/upload")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page ([] when axe is not installed)."""
    if not AXE.exists():
        return []
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results: dict[str, Any] = page.evaluate("async () => await window.axe.run(document)")
    return [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
