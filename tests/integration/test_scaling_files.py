"""Scaling files: the KEDA manifest parses and scales a real queue's workers, compose shows N
workers per queue and Celery's autoscale, the README embeds the generated benchmark table, and
bench/results.json (the committed record) carries every headline figure. Files are parsed;
no cluster, engine or benchmark run is needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.summary import markdown
from service.worker.app import QUEUES

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
yaml = pytest.importorskip("yaml")

RESULT_KEYS = (
    "born_digital_pages_per_s", "born_digital_ratio_vs_pymupdf", "scanned_ratio_vs_tesseract",
    "drawing_sheets_per_s", "e2e_docs_per_min_1_worker", "e2e_docs_per_min_2_workers",
    "api_rps", "api_p99_ms", "worker_rss_growth_pct", "cpu_s_per_1000_docs", "import_s_cli",
    "import_s_worker", "import_s_api", "idle_rss_mb_api", "idle_rss_mb_worker",
)  # fmt: skip


def _keda() -> list[dict[str, Any]]:
    text = (ROOT / "docker" / "k8s" / "keda-worker.yaml").read_text()
    return [doc for doc in yaml.safe_load_all(text) if doc]


def test_keda_manifest_scales_the_worker_deployment_on_a_real_queue() -> None:
    """A ScaledObject targets the worker Deployment and triggers on a queue workers consume."""
    docs = _keda()
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    scaled = [d for d in docs if d["kind"] == "ScaledObject"]
    assert deployments and scaled
    for item in scaled:
        assert item["apiVersion"].startswith("keda.sh/")
        target = deployments[item["spec"]["scaleTargetRef"]["name"]]
        argv = target["spec"]["template"]["spec"]["containers"][0]["args"]
        queue = argv[argv.index("--queues") + 1]
        assert item["spec"]["maxReplicaCount"] > item["spec"]["minReplicaCount"] >= 0
        for trigger in item["spec"]["triggers"]:
            assert trigger["metadata"]["listName"] == queue
            assert queue in QUEUES


def test_compose_runs_n_workers_per_queue_and_shows_autoscale() -> None:
    """Worker services declare replicas; the scale profile runs Celery's --autoscale."""
    services = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())["services"]
    workers = {n: s for n, s in services.items() if n.startswith("worker")}
    assert all("replicas" in s.get("deploy", {}) for s in workers.values())
    autoscaled = [s for s in workers.values() if any("--autoscale=" in str(a)
                                                    for a in s["command"])]  # fmt: skip
    assert autoscaled and all(s.get("profiles") for s in autoscaled)


def test_readme_embeds_the_generated_summary_and_a_scaling_section() -> None:
    """The README's benchmark table sits between the generator's markers."""
    readme = (ROOT / "README.md").read_text()
    start, end = readme.index("<!-- bench:summary -->"), readme.index("<!-- /bench:summary -->")
    assert start < end
    assert "| figure |" in readme[start:end]
    assert "## Scaling" in readme


def test_results_record_has_every_headline_figure() -> None:
    """bench/results.json: commit, cores and each figure as a number (or null if not run)."""
    results = json.loads((ROOT / "bench" / "results.json").read_text())
    assert len(results["commit"]) == 40 and results["cores"] >= 1
    for key in RESULT_KEYS:
        assert key in results, key
        assert results[key] is None or isinstance(results[key], int | float), key


def test_summary_table_marks_missing_figures_not_run() -> None:
    """With nothing measured, every row says so instead of inventing a number."""
    table = markdown({"commit": "0" * 40, "cores": 2})
    assert "not run" in table and "yes" not in table
