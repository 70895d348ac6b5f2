"""Alerts by email: with both a webhook and recipients configured, an alert rule's message
reaches the local SMTP sink and the webhook receiver alike (once), and so does its resolve."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from service.alerts import EmailNotifier, WebhookNotifier, notifiers_from
from service.config import MailSettings, ObservabilitySettings
from service.observability.rules import evaluate
from tests.alert_receiver import AlertReceiver, alert_receiver
from tests.conftest import make_container, make_settings
from tests.integration.test_alerts_rules import seed_old_queue
from tests.integration.test_mail_reply import SmtpSink, smtp_sink

__all__ = ["smtp_sink"]
pytestmark = pytest.mark.integration


@pytest.fixture
def receiver() -> Iterator[AlertReceiver]:
    """A webhook receiver on 127.0.0.1."""
    with alert_receiver() as started:
        yield started


def test_an_alert_reaches_email_and_webhook(
    tmp_path: Path, smtp_sink: tuple[SmtpSink, int], receiver: AlertReceiver
) -> None:
    """queue_age opens: one mail and one webhook post; cleared: one resolve of each."""
    sink, port = smtp_sink
    mail = MailSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from="docproc@builder.example",
    )
    obs = ObservabilitySettings(
        alert_webhook_url=SecretStr(receiver.url),
        queue_age_min=5,
        alert_email_to=["ops@builder.example"],
    )
    settings = make_settings(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'a.sqlite3'}",
        mail=mail,
        observability=obs,
        allow_private_callbacks=True,
    )
    container = make_container(settings)
    kinds = {type(n) for n in notifiers_from(settings)}
    assert kinds == {WebhookNotifier, EmailNotifier}
    clear = seed_old_queue(container)
    evaluate(container)
    evaluate(container)
    clear(container)
    evaluate(container)
    subjects = [str(msg["Subject"]) for _rcpt, msg in sink.received]
    assert len(subjects) == 2 and "ALERT [queue_age]" in subjects[0], subjects
    assert "RESOLVED [queue_age]" in subjects[1]
    assert all(rcpt == ["ops@builder.example"] for rcpt, _msg in sink.received)
    assert len(receiver.texts) == 2
