"""The optional reply to a sender (off by default): which attachments became documents and
which were skipped or rejected, and why. Sent with smtplib after the message is stored.

Owns composing and sending; must not decide whether to reply (the mailbox's `reply` flag and
a configured SMTP host do) and must never fail the intake that triggered it.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from service.config import MailSettings
from service.mail.ingest import Ingested, MailStatus
from service.mail.parse import Verdict

log = logging.getLogger("docproc.mail")


def compose_reply(
    outcome: Ingested, to: str, subject: str | None, message_id: str | None, sender: str
) -> EmailMessage:
    """The reply's message: one line per attachment with its outcome."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = to
    reply["Subject"] = f"Re: {subject}" if subject else "Your documents"
    if message_id:
        reply["In-Reply-To"] = message_id
        reply["References"] = message_id
    reply["Auto-Submitted"] = "auto-replied"
    lines = ["docproc received your message."]
    if outcome.status is MailStatus.REJECTED:
        lines.append(f"It was not processed: {outcome.reason}.")
    for item in outcome.judged:
        name = item.part.filename or f"part {item.part.part}"
        if item.verdict is Verdict.DOCUMENT:
            lines.append(f"- {name}: received for processing")
        else:
            lines.append(f"- {name}: {item.verdict.value} ({item.reason})")
    reply.set_content("\n".join(lines) + "\n")
    return reply


def send_mail(settings: MailSettings, message: EmailMessage) -> None:
    """Send a message through the configured SMTP server."""
    if not settings.smtp_host:
        raise ValueError("no SMTP host configured")
    timeout = 30.0
    smtp: smtplib.SMTP
    if settings.smtp_security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


class Replier:
    """Replies to senders through SMTP; failures are logged, never raised."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def reply_quietly(self, outcome: Ingested) -> bool:
        """Reply to the message's sender; False when there is no one to send to, or it failed."""
        to = outcome.sender
        if not to or not self.settings.smtp_host:
            return False
        message = compose_reply(
            outcome, to, outcome.subject, outcome.message_id, self.settings.smtp_from
        )
        try:
            send_mail(self.settings, message)
        except (OSError, smtplib.SMTPException, ValueError) as error:
            log.warning("reply to %s failed: %r", to, error)
            return False
        return True
