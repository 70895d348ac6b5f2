"""docker/prometheus/alerts.yml is a valid Prometheus rules file naming only metrics docproc
exports (or node_exporter's and `up`), and compose's API health check is /readyz."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.metrics import MetricWrapperBase

from service.observability import metrics

pytestmark = pytest.mark.integration
DOCKER = Path(__file__).resolve().parents[2] / "docker"
yaml = pytest.importorskip("yaml")
DB_GAUGES = {
    "docproc_documents",
    "docproc_queue_oldest_age_seconds",
    "docproc_outbox_rows",
    "docproc_mailbox_last_success_timestamp_seconds",
    "docproc_exports_stored",
    "docproc_connector_last_success_timestamp_seconds",
    "docproc_alerts_open",
}


def _exported_names() -> set[str]:
    names = set(DB_GAUGES)
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for family in value.describe():
                names |= {sample.name for sample in family.samples} | {family.name}
                names |= {
                    f"{family.name}_total",
                    f"{family.name}_bucket",
                    f"{family.name}_count",
                    f"{family.name}_sum",
                }
    return names


def test_alert_rules_file_is_well_formed() -> None:
    """groups → rules, each with alert, expr, labels.severity and annotations.summary."""
    data: dict[str, Any] = yaml.safe_load((DOCKER / "prometheus" / "alerts.yml").read_text())
    rules = [rule for group in data["groups"] for rule in group["rules"]]
    assert data["groups"][0]["name"] == "docproc" and len(rules) >= 8
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
        assert rule["alert"].startswith("Docproc") and rule["expr"].strip()
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "1m"))
    assert len({rule["alert"] for rule in rules}) == len(rules)


def test_alert_rules_name_only_exported_metrics() -> None:
    """Every docproc_* series in an expression is one the service exports."""
    text = (DOCKER / "prometheus" / "alerts.yml").read_text()
    used = set(re.findall(r"\bdocproc_[a-z_]+", text))
    assert used and used <= _exported_names(), used - _exported_names()


def test_compose_api_health_check_is_readyz() -> None:
    """The API container is healthy only when /readyz answers 200."""
    services = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
    checks = [" ".join(s.get("healthcheck", {}).get("test", [])) for s in services.values()]
    assert any("/readyz" in check for check in checks)
