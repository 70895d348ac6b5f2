"""docker/: the compose file's commands name docproc and celery commands that exist, the
services and health checks are there, and the image installs through scripts/setup.sh.
No Docker engine is needed: the files are parsed."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from service.cli import SERVICE_COMMANDS

pytestmark = pytest.mark.integration

DOCKER = Path(__file__).resolve().parents[2] / "docker"
yaml = pytest.importorskip("yaml")


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    """compose.yaml's services."""
    data = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    found: dict[str, dict[str, Any]] = data["services"]
    return found


def _ours(service: dict[str, Any]) -> bool:
    return "build" in service or str(service.get("image", "")).startswith("docproc")


def _check_docproc(argv: list[str]) -> None:
    name, rest = argv[1], argv[2:]
    assert name in SERVICE_COMMANDS, f"no `docproc {name}`"
    module = importlib.import_module(SERVICE_COMMANDS[name][0])
    assert callable(getattr(module, "run", None))
    parser = getattr(module, "_parser", None)
    if parser is not None:  # the command's own argument parser accepts these arguments
        parser().parse_args(rest)


def _check_celery(argv: list[str]) -> None:
    from celery.bin.celery import celery

    assert argv[1:3] == ["-A", "service.worker.app"]
    assert argv[3] in celery.commands, f"no `celery {argv[3]}`"


def _check_command(argv: list[str]) -> None:
    assert argv[0] in {"docproc", "celery"}, argv
    if argv[0] == "docproc":
        _check_docproc(argv)
    else:
        _check_celery(argv)


def test_every_docproc_command_exists(services: dict[str, dict[str, Any]]) -> None:
    """Each service built from the image runs a docproc or celery command that exists."""
    ours = {name: service for name, service in services.items() if _ours(service)}
    assert ours
    for service in ours.values():
        _check_command(list(service["command"]))
        test = service.get("healthcheck", {}).get("test", [])
        if test[:1] == ["CMD-SHELL"] and test[1].startswith("celery"):
            _check_command(test[1].split())


def test_the_stack_is_complete(services: dict[str, dict[str, Any]]) -> None:
    """API, OCR and light workers, beat, PostgreSQL, Redis and an S3-compatible store."""
    commands = {name: " ".join(s.get("command") or []) for name, s in services.items()}
    assert "docproc api" in commands["api"]
    queues = [c for c in commands.values() if "docproc worker --queues" in c]
    assert any("--queues ocr" in c for c in queues)
    assert any("--queues intake,push" in c for c in queues)
    assert any("--beat" in c or ("celery" in c and " beat" in c) for c in commands.values())
    images = " ".join(str(s.get("image", "")) for s in services.values())
    for image in ("postgres", "redis", "minio"):
        assert image in images


def test_health_checks(services: dict[str, dict[str, Any]]) -> None:
    """Every long-running service has a health check; the API's calls /readyz."""
    for name, service in services.items():
        if service.get("restart") == "no":
            continue
        assert "healthcheck" in service, name
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])


def test_workers_use_a_safe_visibility_timeout(services: dict[str, dict[str, Any]]) -> None:
    """The compose environment passes the worker's start-up check (F17)."""
    from service.config import Settings
    from service.worker.checks import check_broker_settings

    env = services["worker-ocr"]["environment"]
    timeout = int(env["DOCPROC_BROKER__VISIBILITY_TIMEOUT_S"])
    settings = Settings(broker={"url": "redis://redis:6379/0", "visibility_timeout_s": timeout})
    check_broker_settings(settings)


def test_dockerfile_is_slim_multistage_nonroot_and_uses_setup_script() -> None:
    """python:3.11-slim stages, scripts/setup.sh in the runtime stage, a non-root user."""
    text = (DOCKER / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 2
    assert all("python:3.11-slim" in line for line in stages)
    runtime = text[text.rindex("FROM ") :]
    assert "scripts/setup.sh" in runtime
    users = [line.split()[1] for line in runtime.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}


def test_setup_script_is_the_one_make_setup_runs() -> None:
    """`make setup` and the image install the same way."""
    makefile = (DOCKER.parent / "Makefile").read_text()
    assert "bash scripts/setup.sh" in makefile
    assert importlib.util.find_spec("service.worker.app") is not None
