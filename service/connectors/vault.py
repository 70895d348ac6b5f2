"""Connector secrets at rest: AES-256-GCM over each secret value, keyed from `Settings`.

A sealed value is the string `enc:v1:<base64(nonce || ciphertext+tag)>`; the tenant id is
bound as associated data so a value copied to another tenant's row does not open. Owns
which settings keys are secrets. Must not log plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
SECRET_KEYS = frozenset(
    {"client_secret", "refresh_token", "access_token", "secret", "api_key", "password", "token"}
)
MASK = "********"


class VaultError(ValueError):
    """A sealed value that does not open with this key (wrong key, tenant or tampered)."""


class SecretBox:
    """Seal and open short secrets with one 32-byte key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_passphrase(cls, passphrase: str) -> SecretBox:
        """A box keyed by SHA-256 of a configured passphrase."""
        return cls(hashlib.sha256(passphrase.encode()).digest())

    @classmethod
    def from_key_file(cls, path: Path) -> SecretBox:
        """A box keyed by a random key kept in `path` (created 0600 on first use)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(32))
        return cls(path.read_bytes()[:32])

    def seal(self, plaintext: str, context: str) -> str:
        """A secret in, its sealed string out."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, sealed: str, context: str) -> str:
        """A sealed string in, the secret out; VaultError when it does not open."""
        if not sealed.startswith(PREFIX):
            raise VaultError("not a sealed value")
        raw = base64.b64decode(sealed[len(PREFIX) :])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag as error:
            raise VaultError("sealed value does not open with this key") from error

    def seal_settings(self, settings: Mapping[str, Any], context: str) -> dict[str, Any]:
        """Settings with every secret value sealed (already sealed ones kept)."""
        return {
            key: self.seal(str(value), context)
            if key in SECRET_KEYS and isinstance(value, str) and not value.startswith(PREFIX)
            else value
            for key, value in settings.items()
        }

    def open_settings(self, settings: Mapping[str, Any], context: str) -> dict[str, Any]:
        """Settings with every sealed value opened."""
        return {
            key: self.open(value, context)
            if isinstance(value, str) and value.startswith(PREFIX)
            else value
            for key, value in settings.items()
        }


def masked(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as the API shows them: secrets replaced by a mask."""
    return {key: MASK if key in SECRET_KEYS else value for key, value in settings.items()}
