"""The mail soak in small: 30 messages with 50 attachments delivered to a private Dovecot
while the real `docproc mail poll --loop` runs and is SIGKILLed once, between a commit and
the Seen flag: exactly 50 documents, none missed, none duplicated (`make soak-mail` runs the
full 200 messages / 350 attachments with two kills)."""

from __future__ import annotations

import pytest

from bench.soak_mail import soak
from tests.mail_fixtures import dovecot_available

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_mail_soak_small_with_one_kill() -> None:
    """Every attachment becomes exactly one document across a SIGKILL of the poller."""
    if not dovecot_available():
        pytest.skip("dovecot-imapd is not installed (scripts/setup.sh installs it)")
    result = soak(messages=30, attachments=50, kills=1, spread_s=6.0, deadline_s=90.0, seed=7)
    assert result.kills == 1
    assert result.reread >= 1  # killed after a commit, before the Seen flag
    assert (result.attachments, result.documents, result.duplicated, result.missed) == (
        50,
        50,
        0,
        0,
    ), result.line
