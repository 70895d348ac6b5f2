"""`docproc db upgrade|downgrade|current`: run the packaged Alembic migrations.

Owns argument parsing and the exit status; the migrations themselves live in
`service.db.migrations`. Must not create tables any other way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docproc db", description="Database migrations.")
    parser.add_argument("--url", help="SQLAlchemy URL (default: DOCPROC_DATABASE__URL or SQLite)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="migrate up (default: to the newest revision)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = actions.add_parser("downgrade", help="migrate down to REVISION (base: empty)")
    downgrade.add_argument("revision")
    actions.add_parser("current", help="print the database's revision")
    return parser


def run(argv: Sequence[str]) -> int:
    """Parse `argv`, run the migration action, return the exit status."""
    args = _parser().parse_args(list(argv))
    from service.db.migrations import current_revision, downgrade_database, upgrade_database

    url: str = args.url
    if not url:
        from service.config import get_settings

        settings = get_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.database_url
    if args.action == "upgrade":
        upgrade_database(url, args.revision)
    elif args.action == "downgrade":
        downgrade_database(url, args.revision)
    sys.stdout.write(f"{current_revision(url) or 'base'}\n")
    return 0
