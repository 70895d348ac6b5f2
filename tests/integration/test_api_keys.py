"""`docproc keys`: the key on stdout and nothing else; only its hash is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from service.bootstrap import Container
from service.commands import keys
from service.db.tables import ApiKeyRecord, TenantRecord
from service.db.tenants import hash_secret, resolve_key

pytestmark = pytest.mark.integration


def test_keys_create_prints_only_the_key_and_stores_its_hash(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(keys, "get_container", lambda: container)
    assert keys.run(["create", "--tenant", "Apex Builders"]) == 0
    assert keys.run(["create", "--tenant", "Apex Builders"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("dp_") and second.startswith("dp_") and first != second
    with container.sessions() as session:
        tenants = session.scalars(select(TenantRecord).where(TenantRecord.name == "Apex Builders"))
        (tenant,) = list(tenants)
        assert tenant.signing_secret
        stored = list(session.scalars(select(ApiKeyRecord.secret_hash)))
        caller = resolve_key(session, first)
    assert caller is not None and caller.tenant_id == tenant.id
    secret = first.split("_", 2)[2]
    assert hash_secret(secret) in stored
    assert all(first not in value and secret not in value for value in stored)


def test_keys_signing_secret(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(keys, "get_container", lambda: container)
    assert keys.run(["signing-secret", "--tenant", "nobody"]) == 1
    assert keys.run(["create", "--tenant", "somebody"]) == 0
    capsys.readouterr()
    assert keys.run(["signing-secret", "--tenant", "somebody"]) == 0
    assert len(capsys.readouterr().out.strip()) == 64


def test_keys_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        keys.run(["create"])
    assert keys.run(["create", "--tenant", "  "]) == 2
