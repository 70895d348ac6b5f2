"""`docproc users`: create people who sign in to the web app.

`docproc users create --tenant NAME --email EMAIL` creates the tenant if needed and the user
with a generated password, printed once on stdout (only its scrypt hash is stored). Uses the
same DOCPROC_* settings as the server. Must not log passwords.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.bootstrap import get_container
from service.commands.keys import _ensure_embedded_schema
from service.db.session import unit_of_work
from service.db.tables import UserRecord
from service.db.tenants import get_or_create_tenant
from service.web.accounts import create_user, hash_password, normalise_email


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docproc users", description="manage web app users")
    commands = parser.add_subparsers(dest="action", required=True)
    create = commands.add_parser("create", help="create a user and print a generated password")
    create.add_argument("--tenant", required=True, help="tenant name (created if new)")
    create.add_argument("--email", required=True, help="the person's email (their sign-in)")
    reset = commands.add_parser("reset-password", help="print a new password for a user")
    reset.add_argument("--email", required=True)
    return parser


def create(tenant_name: str, email: str) -> str | None:
    """A new user's generated password; None when the email is already taken."""
    password = secrets.token_urlsafe(12)
    try:
        with unit_of_work(get_container().sessions) as session:
            tenant = get_or_create_tenant(session, tenant_name)
            create_user(session, tenant.id, email, password)
    except IntegrityError:
        return None
    return password


def reset_password(email: str) -> str | None:
    """A new generated password for the user; None when there is no such user."""
    password = secrets.token_urlsafe(12)
    with unit_of_work(get_container().sessions) as session:
        query = select(UserRecord).where(UserRecord.email == normalise_email(email))
        user = session.scalars(query).first()
        if user is None:
            return None
        user.password_hash = hash_password(password)
    return password


def run(argv: Sequence[str]) -> int:
    """Run `docproc users …`; 0 on success, 1 when refused, 2 on usage errors."""
    args = _parser().parse_args(list(argv))
    email = normalise_email(args.email)
    if "@" not in email or len(email) > 320:
        sys.stderr.write("docproc users: --email must be an email address\n")
        return 2
    _ensure_embedded_schema()
    if args.action == "create":
        tenant = args.tenant.strip()
        if not tenant or len(tenant) > 200:
            sys.stderr.write("docproc users: --tenant must be 1 to 200 characters\n")
            return 2
        password = create(tenant, email)
        problem = f"a user with email {email} already exists"
    else:
        password = reset_password(email)
        problem = f"no user with email {email}"
    if password is None:
        sys.stderr.write(f"docproc users: {problem}\n")
        return 1
    sys.stdout.write(password + "\n")
    return 0
