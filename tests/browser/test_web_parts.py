"""The web app's parts without a browser: passwords and sessions, boxes found on the page,
the register's superseded revisions, CSV safety, and tenant isolation of the pages (in-process,
on PostgreSQL and SQLite)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pymupdf
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.bootstrap import Container
from service.db.session import unit_of_work
from service.web import previews, register, reports
from service.web.accounts import (
    create_user,
    hash_password,
    session_for,
    sign_in_with_password,
    verify_password,
)
from service.web.security import COOKIE
from tests.conftest import SAMPLES, FakeQueue, new_tenant


def test_passwords_are_scrypt_hashed_and_verified() -> None:
    """The hash is scrypt with a salt; only the right password verifies."""
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong", stored)
    assert not verify_password("x", "garbage")


def test_sessions_sign_in_and_expire(container: Container) -> None:
    """A right password opens a session; a wrong one does not; an expired one is gone."""
    tenant = new_tenant(container)
    with unit_of_work(container.sessions) as session:
        create_user(session, tenant.tenant_id, "Clerk@Example.com", "s3cret-pass")
        assert (
            sign_in_with_password(session, "clerk@example.com", "nope", timedelta(hours=1)) is None
        )
        opened = sign_in_with_password(
            session, " CLERK@example.com", "s3cret-pass", timedelta(hours=1)
        )
    assert opened is not None
    token, web = opened
    with container.sessions() as session:
        assert session_for(session, token) == web
        later = datetime.now(UTC) + timedelta(hours=2)
        assert session_for(session, token, now=later) is None
        assert session_for(session, "forged") is None


def _pdf_with(lines: list[str]) -> bytes:
    document = pymupdf.open()
    page = document.new_page()
    for n, line in enumerate(lines):
        page.insert_text((72, 100 + 20 * n), line, fontsize=11)
    data = bytes(document.tobytes())
    document.close()
    return data


def test_boxes_are_found_by_normalised_value() -> None:
    """Amounts ($1,234.50), dates (03/14/2026) and names are found; absent values have no box."""
    words = previews.page_words(
        _pdf_with(["Acme Supply, Inc.", "Date: 03/14/2026", "Total: $1,234.50"])
    )
    total = previews.find_box(words, "money", "1234.50")
    assert total is not None and total.page == 0 and 0 < total.x0 < total.x1 < 1
    assert previews.find_box(words, "date", "2026-03-14") is not None
    name = previews.find_box(words, "text", "Acme Supply Inc")
    assert name is not None and name.y0 < total.y0
    assert previews.find_box(words, "money", "999.99") is None
    assert previews.find_box(words, "date", "not a date") is None


def _row(number: str, revision: str, when: str, name: str) -> register.SheetRow:
    return register.SheetRow(
        "24-017", number, "PLAN", revision, when, "architectural", uuid.uuid4(), name,
        datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def test_older_revisions_are_superseded() -> None:
    """Same project and sheet number: the higher revision is current, the rest superseded."""
    rows = register.mark_superseded([
        _row("A-101", "2", "2026-01-10", "old.pdf"),
        _row("A-101", "10", "2026-03-01", "new.pdf"),
        _row("A-102", "1", "2026-01-10", "old.pdf"),
    ])  # fmt: skip
    state = {(r.sheet_number, r.filename): r.superseded for r in rows}
    assert state == {("A-101", "old.pdf"): True, ("A-101", "new.pdf"): False,
                     ("A-102", "old.pdf"): False}  # fmt: skip
    text = register.register_csv({"24-017": [_row("=HYPERLINK(1)", "1", "", "x.pdf")]})
    assert "'=HYPERLINK(1)" in text
    assert register.register_pdf({"24-017": rows}, "Register").startswith(b"%PDF")


def test_bars_scale_to_the_largest() -> None:
    """Chart bars are fractions of the largest value, largest first."""
    bars = reports.bars({"a": Decimal(50), "b": Decimal(100), "c": Decimal(0)})
    assert [(b.label, b.fraction) for b in bars] == [("b", 1.0), ("a", 0.5), ("c", 0.0)]


def _signed_in(client: TestClient, key: str) -> None:
    form = client.get("/app/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    client.post("/app/login", data={"csrf_token": token.group(1), "api_key": key})
    assert client.cookies.get(COOKIE)


def test_pages_show_only_the_tenants_documents(container: Container) -> None:
    """A3: another tenant's document is a 404 on every page, and absent from lists."""
    queue = FakeQueue(container, inline=True)
    app = create_app(container, queue)
    mine, theirs = new_tenant(container), new_tenant(container)
    pdf = (SAMPLES / "classic_left-000001.pdf").read_bytes()
    with TestClient(app) as api:
        answer = api.post("/v1/documents", headers=theirs.headers,
                          files={"file": ("secret.pdf", pdf, "application/pdf")})  # fmt: skip
        document_id = answer.json()["documents"][0]["id"]
    with TestClient(app) as client:
        _signed_in(client, mine.key)
        for path in ("", "/review", "/pages/1.png", "/file"):
            assert client.get(f"/app/documents/{document_id}{path}").status_code == 404, path
        assert "secret.pdf" not in client.get("/app/documents").text
        assert "secret.pdf" not in client.get("/app/review").text
        assert client.get(f"/app/api/documents/{document_id}").status_code == 404
