"""`docproc keys`: create API keys (and show a tenant's callback signing secret).

`docproc keys create --tenant NAME` creates the tenant if needed and prints the new key, and
only the key, on stdout; it is never shown again (only its hash is stored).
`docproc keys signing-secret --tenant NAME` prints the secret that signs the tenant's
callbacks. Uses the same DOCPROC_* settings as the server. Must not log keys.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy import select

from service.bootstrap import get_container
from service.db.session import unit_of_work
from service.db.tables import TenantRecord
from service.db.tenants import create_key, get_or_create_tenant, signing_secret


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docproc keys", description="manage API keys")
    commands = parser.add_subparsers(dest="action", required=True)
    create = commands.add_parser("create", help="create a key (and the tenant if new)")
    create.add_argument("--tenant", required=True, help="tenant name")
    secret = commands.add_parser("signing-secret", help="print the tenant's callback secret")
    secret.add_argument("--tenant", required=True, help="tenant name")
    return parser


def _ensure_embedded_schema() -> None:
    """Embedded mode (no database URL): migrate the SQLite file so a first command works."""
    settings = get_container().settings
    if not settings.database.url:
        from service.db.migrations import upgrade_database

        upgrade_database(settings.database_url)


def create(tenant_name: str) -> str:
    """A new key for the tenant (created if missing)."""
    with unit_of_work(get_container().sessions) as session:
        tenant = get_or_create_tenant(session, tenant_name)
        return create_key(session, tenant).key


def show_signing_secret(tenant_name: str) -> str | None:
    """The tenant's callback signing secret, or None when there is no such tenant."""
    with unit_of_work(get_container().sessions) as session:
        query = select(TenantRecord).where(TenantRecord.name == tenant_name)
        tenant = session.scalars(query).first()
        return signing_secret(session, tenant.id) if tenant else None


def run(argv: Sequence[str]) -> int:
    """Run `docproc keys …`; 0 on success, 1 when the tenant is unknown, 2 on usage errors."""
    args = _parser().parse_args(list(argv))
    name = args.tenant.strip()
    if not name or len(name) > 200:
        sys.stderr.write("docproc keys: --tenant must be 1 to 200 characters\n")
        return 2
    _ensure_embedded_schema()
    if args.action == "create":
        sys.stdout.write(create(name) + "\n")
        return 0
    secret = show_signing_secret(name)
    if secret is None:
        sys.stderr.write(f"docproc keys: no tenant named {name!r}\n")
        return 1
    sys.stdout.write(secret + "\n")
    return 0
