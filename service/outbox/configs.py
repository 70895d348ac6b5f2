"""Repository of connector settings and learned aliases, with secrets sealed at rest.

Functions take a `Session` and never commit. Secret values (`vault.SECRET_KEYS`) are sealed
with the tenant id as associated data; only the dispatcher opens them. Must not call any
external system.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.config import Settings
from service.connectors.matching import AliasBook, Candidate, normalise
from service.connectors.vault import SecretBox
from service.db.tables import AliasRecord, ConnectorConfigRecord

CONNECTORS = ("quickbooks", "xero", "procore", "buildertrend", "webhook", "files")
# Which document types each connector takes.
ACCEPTS: dict[str, frozenset[str]] = {
    "quickbooks": frozenset({"invoice", "pay_application"}),
    "xero": frozenset({"invoice", "pay_application"}),
    "procore": frozenset({"invoice", "pay_application", "drawing_set"}),
    "buildertrend": frozenset({"invoice", "pay_application"}),
    "webhook": frozenset({"invoice", "pay_application", "drawing_set", "lien_waiver"}),
    "files": frozenset({"invoice", "pay_application", "drawing_set"}),
}


def secret_box(settings: Settings) -> SecretBox:
    """The box for connector secrets: the configured key, or DATA_DIR/connectors.key."""
    key = settings.connectors.secret_key
    if key is not None:
        return SecretBox.from_passphrase(key.get_secret_value())
    return SecretBox.from_key_file(settings.data_dir / "connectors.key")


def put_config(
    session: Session,
    box: SecretBox,
    tenant_id: uuid.UUID,
    connector: str,
    *,
    enabled: bool,
    project_filter: str | None,
    settings: Mapping[str, Any],
) -> ConnectorConfigRecord:
    """Create or replace a tenant's settings of one connector (secrets sealed); the row."""
    record = get_config(session, tenant_id, connector)
    if record is None:
        record = ConnectorConfigRecord(tenant_id=tenant_id, connector=connector)
        session.add(record)
    record.enabled = enabled
    record.project_filter = project_filter
    record.settings = box.seal_settings(settings, str(tenant_id))
    session.flush()
    return record


def get_config(
    session: Session, tenant_id: uuid.UUID, connector: str
) -> ConnectorConfigRecord | None:
    """A tenant's settings of one connector, or None."""
    query = select(ConnectorConfigRecord).where(
        ConnectorConfigRecord.tenant_id == tenant_id, ConnectorConfigRecord.connector == connector
    )
    return session.scalars(query).first()


def list_configs(session: Session, tenant_id: uuid.UUID) -> list[ConnectorConfigRecord]:
    """Every connector the tenant configured, by name."""
    query = select(ConnectorConfigRecord).where(ConnectorConfigRecord.tenant_id == tenant_id)
    return list(session.scalars(query.order_by(ConnectorConfigRecord.connector)))


def _project_matches(wanted: str | None, names: list[str | None]) -> bool:
    if not wanted:
        return True
    key = normalise(wanted)
    return any(name and normalise(name) == key for name in names)


def connectors_for(
    session: Session, tenant_id: uuid.UUID, document_type: str | None, projects: list[str | None]
) -> list[str]:
    """The enabled connectors that take this document type and whose project filter matches."""
    return [
        config.connector
        for config in list_configs(session, tenant_id)
        if config.enabled
        and document_type in ACCEPTS.get(config.connector, frozenset())
        and _project_matches(config.project_filter, projects)
    ]


@dataclass(frozen=True, slots=True)
class AliasInput:
    """A person's mapping of an extracted name to a record of the system."""

    kind: str
    alias: str
    target_name: str
    target_id: str | None = None


def learn_alias(
    session: Session, tenant_id: uuid.UUID, connector: str, item: AliasInput
) -> AliasRecord:
    """Remember (or replace) an alias; the next push of that name uses it."""
    key = normalise(item.alias)
    query = select(AliasRecord).where(
        AliasRecord.tenant_id == tenant_id,
        AliasRecord.connector == connector,
        AliasRecord.kind == item.kind,
        AliasRecord.alias == key,
    )
    record = session.scalars(query).first()
    if record is None:
        record = AliasRecord(tenant_id=tenant_id, connector=connector, kind=item.kind, alias=key)
        session.add(record)
    record.target_name = item.target_name
    record.target_id = item.target_id
    session.flush()
    return record


def alias_book(session: Session, tenant_id: uuid.UUID, connector: str) -> AliasBook:
    """The tenant's learned aliases for one connector (and those learned for every one, `*`)."""
    query = select(AliasRecord).where(
        AliasRecord.tenant_id == tenant_id, AliasRecord.connector.in_([connector, "*"])
    )
    vendors: dict[str, Candidate] = {}
    projects: dict[str, Candidate] = {}
    # "*" sorts first, so an alias learned for this connector wins.
    for row in session.scalars(query.order_by(AliasRecord.connector)):
        target = projects if row.kind == "project" else vendors
        target[row.alias] = Candidate(row.target_id or "", row.target_name)
    return AliasBook(vendors, projects)
