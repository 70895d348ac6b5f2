"""Users and sign-in sessions of the web app: scrypt password hashes, server-side sessions.

A session's cookie carries a random token; only its SHA-256 is stored, beside the tenant, who
signed in (a user or an API key) and the session's CSRF token. Functions take a `Session` and
never commit. Must never store or log a password or a session token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.db.tables import UserRecord, WebSessionRecord, utcnow
from service.db.tenants import resolve_key

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_DUMMY_HASH = "scrypt$16384$8$1$00$00"


def hash_password(password: str) -> str:
    """A password in, `scrypt$n$r$p$salt$hash` (hex) out."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored scrypt hash."""
    try:
        _, n, r, p, salt, expected = stored.split("$")
        digest = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def normalise_email(email: str) -> str:
    """An email as stored and compared: trimmed, lower case."""
    return email.strip().lower()


def create_user(session: Session, tenant_id: uuid.UUID, email: str, password: str) -> UserRecord:
    """A new user of the tenant with this password (hashed)."""
    user = UserRecord(
        tenant_id=tenant_id, email=normalise_email(email), password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: its tenant, who it is (for people to read) and its CSRF token."""

    id: str
    tenant_id: uuid.UUID
    label: str
    csrf_token: str
    principal_id: uuid.UUID


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _view(record: WebSessionRecord) -> WebSession:
    principal = record.user_id or record.api_key_id or record.tenant_id
    return WebSession(record.id, record.tenant_id, record.label, record.csrf_token, principal)


def sign_in_with_password(
    session: Session, email: str, password: str, ttl: timedelta
) -> tuple[str, WebSession] | None:
    """(cookie token, session) for a right email and password; None otherwise."""
    query = select(UserRecord).where(UserRecord.email == normalise_email(email))
    user = session.scalars(query).first()
    # Hash even for unknown users, so timing does not tell which emails exist.
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not ok or user.disabled_at is not None:
        return None
    return _open(session, user.tenant_id, ttl, user.email, user_id=user.id)


def sign_in_with_key(session: Session, key: str, ttl: timedelta) -> tuple[str, WebSession] | None:
    """(cookie token, session) for a valid API key; None otherwise."""
    caller = resolve_key(session, key.strip())
    if caller is None:
        return None
    label = f"API key {caller.key_prefix}"
    return _open(session, caller.tenant_id, ttl, label, api_key_id=caller.key_id)


def _open(
    session: Session,
    tenant_id: uuid.UUID,
    ttl: timedelta,
    label: str,
    *,
    user_id: uuid.UUID | None = None,
    api_key_id: uuid.UUID | None = None,
) -> tuple[str, WebSession]:
    token = secrets.token_urlsafe(32)
    record = WebSessionRecord(
        id=_token_hash(token),
        tenant_id=tenant_id,
        user_id=user_id,
        api_key_id=api_key_id,
        label=label,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + ttl,
    )
    session.add(record)
    session.flush()
    return token, _view(record)


def session_for(session: Session, token: str, now: datetime | None = None) -> WebSession | None:
    """The live session behind a cookie token; None when unknown or expired."""
    if not token or len(token) > 200:
        return None
    record = session.get(WebSessionRecord, _token_hash(token))
    if record is None or record.expires_at <= (now or utcnow()):
        return None
    return _view(record)


def sign_out(session: Session, token: str) -> None:
    """End the session behind a cookie token (and sweep expired ones)."""
    session.execute(delete(WebSessionRecord).where(WebSessionRecord.id == _token_hash(token)))
    session.execute(delete(WebSessionRecord).where(WebSessionRecord.expires_at <= utcnow()))
