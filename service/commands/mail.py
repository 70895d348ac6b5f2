"""`docproc mail`: configure mailboxes and poll them.

`docproc mail add --tenant T --name N --host H --username U --secret-ref env:VAR …` creates or
replaces a mailbox (the tenant is created if new); `docproc mail list` prints the mailboxes as
JSON lines; `docproc mail poll [--loop] [--interval S]` polls every enabled mailbox once (or
until killed), with the same DOCPROC_* settings as the server. Must not print secrets.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import select

from service.bootstrap import get_container
from service.db.session import unit_of_work
from service.db.tables import MailboxRecord
from service.db.tenants import get_or_create_tenant
from service.mail.mailboxes import MailboxConfig, put_mailbox

log = logging.getLogger("docproc.mail")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docproc mail", description="email intake")
    commands = parser.add_subparsers(dest="action", required=True)
    add = commands.add_parser("add", help="create or replace a mailbox")
    add.add_argument("--tenant", required=True)
    add.add_argument("--name", default="default")
    add.add_argument("--host", required=True)
    add.add_argument("--port", type=int, default=993)
    add.add_argument("--security", choices=["ssl", "starttls", "none"], default="ssl")
    add.add_argument("--auth", choices=["password", "xoauth2"], default="password")
    add.add_argument("--username", required=True)
    add.add_argument("--secret-ref", required=True, help="env:VARIABLE holding the secret")
    add.add_argument("--ca-file", default=None, help="CA bundle for a private certificate")
    add.add_argument("--folder", default="INBOX")
    add.add_argument("--after", choices=["seen", "move"], default="seen")
    add.add_argument("--move-to", default=None)
    add.add_argument("--allow", action="append", default=[], help="sender address or domain")
    add.add_argument("--project", default=None, help="project hint for its documents")
    add.add_argument("--reply", action="store_true", help="reply to senders (needs SMTP)")
    add.add_argument("--disabled", action="store_true")
    commands.add_parser("list", help="print the mailboxes as JSON lines")
    poll = commands.add_parser("poll", help="poll every enabled mailbox")
    poll.add_argument("--loop", action="store_true", help="keep polling until killed")
    poll.add_argument("--interval", type=float, default=None, help="seconds between polls")
    return parser


def _ensure_embedded_schema() -> None:
    settings = get_container().settings
    if not settings.database.url:
        from service.db.migrations import upgrade_database

        upgrade_database(settings.database_url)


def add(args: argparse.Namespace) -> int:
    """Create or replace the mailbox; prints its id."""
    try:
        config = MailboxConfig(
            host=args.host,
            port=args.port,
            security=args.security,
            auth=args.auth,
            username=args.username,
            secret_ref=args.secret_ref,
            ca_file=args.ca_file,
            folder=args.folder,
            after=args.after,
            move_to=args.move_to,
            allowed_senders=args.allow,
            project=args.project,
            reply=args.reply,
            enabled=not args.disabled,
        )
    except ValidationError as error:
        sys.stderr.write(f"docproc mail add: {error}\n")
        return 2
    with unit_of_work(get_container().sessions) as session:
        tenant = get_or_create_tenant(session, args.tenant)
        mailbox, _ = put_mailbox(session, tenant.id, args.name, config)
        sys.stdout.write(f"{mailbox.id}\n")
    return 0


def list_mailboxes() -> int:
    """Print every mailbox (without secrets) as a JSON line."""
    with get_container().sessions() as session:
        for row in session.scalars(select(MailboxRecord).order_by(MailboxRecord.created_at)):
            line = {
                "id": str(row.id),
                "tenant_id": str(row.tenant_id),
                "name": row.name,
                "host": row.host,
                "port": row.port,
                "folder": row.folder,
                "enabled": row.enabled,
                "failures": row.consecutive_failures,
                "last_error": row.last_error,
            }
            sys.stdout.write(json.dumps(line) + "\n")
    return 0


def poll(loop: bool, interval: float | None) -> int:
    """Poll once (exit 1 when a mailbox failed) or keep polling until SIGTERM."""
    from service.alerts import DbAlertSink
    from service.api.queue import CeleryTaskQueue
    from service.mail.poller import Poller, run_loop
    from service.mail.reply import Replier

    container = get_container()
    poller = Poller(
        container,
        CeleryTaskQueue(),
        DbAlertSink(container.sessions),
        Replier(container.settings.mail),
    )
    if not loop:
        reports = poller.poll_all()
        for report in reports:
            sys.stderr.write(f"docproc mail poll: {report}\n")
        return 1 if any(report.error for report in reports) else 0
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    run_loop(poller, interval or container.settings.mail.poll_interval_s, lambda: stopping)
    return 0


def run(argv: Sequence[str]) -> int:
    """Run `docproc mail …`; 0 on success, 1 when a poll failed, 2 on usage errors."""
    args = _parser().parse_args(list(argv))
    _ensure_embedded_schema()
    if args.action == "add":
        return add(args)
    if args.action == "list":
        return list_mailboxes()
    return poll(args.loop, args.interval)
