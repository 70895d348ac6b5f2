"""Repository of tenants and their API keys.

Owns key generation (`dp_<prefix>_<secret>`, the secret 32 random bytes), hashing (only the
SHA-256 of the secret is stored) and resolving a presented key to its tenant. Functions take
a `Session` and never commit. Must never log or store a key's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from service.db.session import driver_fetch_one
from service.db.tables import ApiKeyRecord, TenantRecord, utcnow

KEY_PREFIX = "dp_"
_PREFIX_LEN = 8


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the tenant and the key (by id and public prefix, never the secret)."""

    tenant_id: uuid.UUID
    key_id: uuid.UUID
    key_prefix: str


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just created: the full key is shown once and never stored."""

    key: str
    record: ApiKeyRecord


def hash_secret(secret: str) -> str:
    """A key's secret in, the hex SHA-256 that is stored out."""
    return hashlib.sha256(secret.encode()).hexdigest()


def get_or_create_tenant(session: Session, name: str) -> TenantRecord:
    """The tenant called `name`, created (with a callback signing secret) when missing."""
    tenant = session.scalars(select(TenantRecord).where(TenantRecord.name == name)).first()
    if tenant is None:
        tenant = TenantRecord(name=name, signing_secret=secrets.token_hex(32))
        session.add(tenant)
        session.flush()
    return tenant


def signing_secret(session: Session, tenant_id: uuid.UUID) -> str:
    """The tenant's callback signing secret, created on first use for tenants without one."""
    tenant = session.get(TenantRecord, tenant_id)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    if not tenant.signing_secret:
        tenant.signing_secret = secrets.token_hex(32)
    return tenant.signing_secret


def create_key(session: Session, tenant: TenantRecord) -> NewKey:
    """A new API key for the tenant; only its hash is stored."""
    prefix = secrets.token_hex(_PREFIX_LEN // 2)
    secret = secrets.token_urlsafe(32)
    record = ApiKeyRecord(tenant_id=tenant.id, prefix=prefix, secret_hash=hash_secret(secret))
    session.add(record)
    session.flush()
    return NewKey(f"{KEY_PREFIX}{prefix}_{secret}", record)


def _split_key(key: str) -> tuple[str, str] | None:
    """`dp_<prefix>_<secret>` in, (prefix, secret) out; None when it is not shaped like a key."""
    body = key[len(KEY_PREFIX) :]
    if not key.startswith(KEY_PREFIX) or len(body) < _PREFIX_LEN + 2:
        return None
    prefix, sep, secret = body[:_PREFIX_LEN], body[_PREFIX_LEN], body[_PREFIX_LEN + 1 :]
    if sep != "_" or not secret.isascii():
        return None
    return prefix, secret


_LIVE_KEY = select(ApiKeyRecord.tenant_id, ApiKeyRecord.id, ApiKeyRecord.prefix).where(
    ApiKeyRecord.secret_hash == bindparam("secret_hash"), ApiKeyRecord.revoked_at.is_(None)
)
_LIVE_KEY_PG = (
    "SELECT tenant_id, id, prefix FROM api_keys "
    "WHERE secret_hash = %(secret_hash)s AND revoked_at IS NULL"
)


def resolve_key(session: Session | Connection, key: str) -> Caller | None:
    """A presented key in, its caller out; None when malformed, unknown or revoked.

    One indexed single-row read: on PostgreSQL it goes straight through the driver, so a
    request may run it on an autocommit connection for one round trip.
    """
    parts = _split_key(key)
    if parts is None:
        return None
    prefix, secret = parts
    params = {"secret_hash": hash_secret(secret)}
    row: Sequence[Any] | None
    if isinstance(session, Connection) and session.dialect.name == "postgresql":
        row = driver_fetch_one(session, _LIVE_KEY_PG, params)
    else:
        row = session.execute(_LIVE_KEY, params).first()
    if row is None:
        return None
    tenant_id, key_id, key_prefix = row
    if not hmac.compare_digest(key_prefix, prefix):
        return None
    return Caller(tenant_id, key_id, key_prefix)


def revoke_key(session: Session, key_id: uuid.UUID) -> None:
    """Stop a key from working (the row stays for the audit trail)."""
    record = session.get(ApiKeyRecord, key_id)
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
