"""The `alerts.evaluate` task (beat, every `observability.alert_interval_s`): run the rules.

Thin: the rules live in `rules.py`, the alert life cycle in `service.alerts.AlertBook`.
"""

from __future__ import annotations

from service.bootstrap import get_container
from service.observability.rules import evaluate
from service.worker.app import TASK_ALERTS_EVALUATE, app


@app.task(name=TASK_ALERTS_EVALUATE, ignore_result=True)
def evaluate_alerts() -> dict[str, int]:
    """Evaluate every alert rule once; how many alerts opened, resolved and were sent."""
    report = evaluate(get_container())
    return {"opened": len(report.opened), "resolved": len(report.resolved),
            "sent": len(report.sent), "failed": len(report.failed)}  # fmt: skip
