"""The `mail.poll` task (beat sends it to the `mail` queue): poll every enabled mailbox once.

Thin: the steps live in `poller.py`. A failed mailbox is counted and alerted there, not
retried here (the next beat tick is the retry); overlapping polls are harmless because a
message is recorded once per Message-ID.
"""

from __future__ import annotations

from service.alerts import DbAlertSink
from service.api.queue import CeleryTaskQueue
from service.bootstrap import get_container
from service.mail.poller import Poller
from service.mail.reply import Replier
from service.worker.app import TASK_MAIL_POLL, app


@app.task(name=TASK_MAIL_POLL, ignore_result=True)
def poll_mail() -> dict[str, int]:
    """Poll every enabled mailbox; returns how many messages and documents it handled."""
    container = get_container()
    poller = Poller(
        container,
        CeleryTaskQueue(),
        DbAlertSink(container.sessions),
        Replier(container.settings.mail),
    )
    reports = poller.poll_all()
    return {
        "mailboxes": len(reports),
        "failed": sum(1 for r in reports if r.error),
        "messages": sum(r.seen for r in reports),
        "documents": sum(r.documents for r in reports),
    }
