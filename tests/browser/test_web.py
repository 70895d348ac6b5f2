"""The web app in real headless Chromium against a real `docproc serve`: sign in, drop two
files (one named like an XSS payload), watch them upload and get read, review one by keyboard
alone (tab to a field, type, live arithmetic, add/remove a line, approve with Ctrl+Enter), see
it approved through the outbox; the drawing register and the reports; sign-in and CSRF gates.
Saves a screenshot of every page to docs/screenshots/ and runs axe-core on each.
"""

from __future__ import annotations

import base64
import contextlib
import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Served, axe_violations, screenshot, sign_in
from tests.integration.worker_fixtures import SAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XSS_NAME = "<img src=x onerror=alert(1)>.pdf"
DONE = "['extracted', 'needs_review', 'failed', 'exported']"
WAIT_MS = 180_000


def _file(name: str, data: bytes) -> dict[str, str]:
    return {"name": name, "b64": base64.b64encode(data).decode(), "type": "application/pdf"}


DROP = """async (files) => {
  const transfer = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], f.name, { type: f.type }));
  }
  const zone = document.getElementById("dropzone");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
    zone.dispatchEvent(new DragEvent(kind, init));
  }
}"""


def _wait_done(page: Any, count: int) -> None:
    page.wait_for_function(
        f"() => [...document.querySelectorAll('#uploads tbody tr')]"
        f".filter((r) => {DONE}.includes(r.dataset.status) && r.querySelector('.next a'))"
        f".length >= {count}",
        timeout=WAIT_MS,
    )


def _drawing_set() -> tuple[bytes, dict[str, Any]]:
    """A drawing set PDF and its sheets (the fixtures generator's, or one large-page sheet)."""
    try:
        from fixtures.drawings import ALL_DESIGNS, generate_drawing_set

        made = generate_drawing_set(ALL_DESIGNS[0], 7, sheets=3)
        truth = made.truth.model_dump(mode="json")["drawing_set"]
        return made.pdf, truth
    except ImportError:
        import pymupdf

        document = pymupdf.open()
        sheet = document.new_page(width=2592, height=1728)
        sheet.insert_text((2200, 1600), "A-101  FIRST FLOOR PLAN  REV 2", fontsize=24)
        data = bytes(document.tobytes())
        document.close()
        sheets = [
            {
                "page": 1,
                "sheet_number": "A-101",
                "sheet_title": "FIRST FLOOR PLAN",
                "discipline": "architectural",
                "revision": "2",
                "revision_date": "2026-02-10",
                "project_name": "Riverside Medical Office",
                "project_number": "24-017",
            }
        ]
        return data, {"sheets": sheets}


def _with_sheets(
    api: httpx.Client, document_id: str, drawing_set: dict[str, Any], force: bool = False
) -> list[dict[str, Any]]:
    """The document's sheets: as extracted, or these when extraction found none (or `force`),
    set by a correction as a clerk would make one through PATCH …/result."""
    current = api.get(f"/v1/documents/{document_id}/result").json()
    found: list[dict[str, Any]] = (current.get("drawing_set") or {}).get("sheets") or []
    if found and not force:
        return found
    body = {"document_type": "drawing_set", "drawing_set": drawing_set}
    answer = api.patch(f"/v1/documents/{document_id}/result", json=body)
    assert answer.status_code == 200, answer.text
    sheets: list[dict[str, Any]] = drawing_set["sheets"]
    return sheets


def _summary(problems: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """axe's violations per page as `rule: first offending node`."""
    return {
        page: [f"{v['id']}: {v['nodes'][0]['html'][:120] if v['nodes'] else ''}" for v in found]
        for page, found in problems.items()
        if found
    }


def _tab_to(page: Any, name: str, limit: int = 80) -> None:
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.name") == name:
            return
    pytest.fail(f"could not reach the field {name} with Tab")


def test_pages_and_assets_need_sign_in(served: Served) -> None:
    """Nothing is served before sign-in: pages and assets redirect, scripts get 401."""
    with httpx.Client(base_url=served.url, timeout=30) as client:
        root = client.get("/", follow_redirects=False)
        assert root.status_code == 307 and root.headers["location"] == "/app/"
        for path in (
            "/app/upload",
            "/app/review",
            "/app/documents",
            "/app/drawings",
            "/app/reports",
            "/app/static/app.css",
            "/app/static/upload.js",
        ):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303, path
            assert answer.headers["location"] == "/app/login"
        scripted = client.get("/app/api/documents/x", headers={"accept": "application/json"})
        assert scripted.status_code == 401


def _signed_in_client(served: Served) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=served.url, timeout=30)
    form = client.get("/app/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post("/app/login", data={"csrf_token": token.group(1), "api_key": served.key})
    assert answer.status_code in (200, 303)
    page = client.get("/app/upload").text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert csrf is not None
    return client, csrf.group(1)


def test_state_changes_without_csrf_token_are_refused(served: Served) -> None:
    """A9: upload, save, approve, reprocess and sign-out all need the session's CSRF token."""
    client, csrf = _signed_in_client(served)
    pdf = (SAMPLES / "letterhead_right-000002.pdf").read_bytes()
    files = {"file": ("forged.pdf", pdf, "application/pdf")}
    doc = "00000000-0000-0000-0000-000000000000"
    with contextlib.closing(client):
        refused = [
            client.post("/app/api/upload", files=files),
            client.post("/app/api/upload", files=files, headers={"X-CSRF-Token": "wrong"}),
            client.post(
                "/app/api/upload",
                files=files,
                headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
            ),
            client.post(f"/app/api/documents/{doc}/save", json={}),
            client.post(f"/app/api/documents/{doc}/approve", json={}),
            client.post(f"/app/documents/{doc}/reprocess", data={"csrf_token": "nope"}),
            client.post("/app/logout"),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused)
        listed = client.get("/v1/documents", headers={"Authorization": f"Bearer {served.key}"})
        assert all(d["filename"] != "forged.pdf" for d in listed.json()["documents"])
        accepted = client.post("/app/api/upload", files=files, headers={"X-CSRF-Token": csrf})
        assert accepted.status_code in (200, 202)


def test_upload_review_and_approve_by_keyboard(served: Served, page: Any) -> None:
    """Drop two files, watch them get read, correct one by keyboard and approve it."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    problems: dict[str, list[dict[str, Any]]] = {}

    page.goto(f"{served.url}/app/login")
    screenshot(page, "login")
    problems["login"] = axe_violations(page)
    sign_in(page, served)

    first = (SAMPLES / "classic_left-000001.pdf").read_bytes()
    second = (SAMPLES / "supply_house-000004.pdf").read_bytes()
    broken = b"%PDF-1.7\n" + b"not really a PDF " * 50
    dropped = [_file(XSS_NAME, first), _file("supply-house.pdf", second)]
    page.evaluate(DROP, [*dropped, _file("broken.pdf", broken)])
    _wait_done(page, 3)
    assert page.locator("#uploads tbody tr").count() == 3
    progress = page.locator("#uploads progress").evaluate_all("(ps) => ps.map((p) => p.value)")
    assert progress == [100, 100, 100]
    failed = page.locator("#uploads tbody tr", has_text="broken.pdf")
    assert failed.locator(".badge").text_content() == "Failed"
    assert "damaged" in (failed.locator(".error-text").text_content() or "")
    names = page.locator("#uploads .name").all_text_contents()
    assert XSS_NAME in names  # rendered as text, not markup
    assert page.locator("#uploads img").count() == 0 and dialogs == []
    screenshot(page, "upload")
    problems["upload"] = axe_violations(page)

    xss_row = page.locator("#uploads tbody tr", has_text="onerror")
    document_id = xss_row.get_attribute("data-document-id")
    assert document_id

    page.goto(f"{served.url}/app/review")
    assert page.get_by_text(XSS_NAME).count() >= 1 and dialogs == []
    screenshot(page, "review-queue")
    problems["queue"] = axe_violations(page)

    page.goto(f"{served.url}/app/documents/{document_id}/review")
    page.wait_for_selector("#page-image")
    _tab_to(page, "invoice_number")
    field = page.locator('input[name="invoice_number"]')
    if field.get_attribute("data-box"):
        assert page.locator("#highlight").is_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("INV-REVIEWED-7")

    subtotal = page.locator('.header-fields input[name="subtotal"]')
    original = subtotal.input_value()
    subtotal.fill("1.00")
    assert page.locator("#checks li").count() >= 1
    subtotal.fill(original)
    assert page.locator("#checks li").count() == 0

    lines = page.locator("#lines tbody tr")
    before = lines.count()
    page.locator("#add-line").click()
    assert lines.count() == before + 1
    lines.last.locator("button.remove").click()
    assert lines.count() == before

    field.focus()
    screenshot(page, "review")
    problems["review"] = axe_violations(page)
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "() => document.getElementById('message').textContent.startsWith('Approved')"
    )
    assert page.locator(".review-head .badge").text_content() == "Approved"

    with served.api() as api:
        result = api.get(f"/v1/documents/{document_id}/result").json()
    assert result["invoice"]["invoice_number"] == "INV-REVIEWED-7"

    page.goto(f"{served.url}/app/documents/{document_id}")
    assert page.locator("h1 .badge[data-status='approved']").count() == 1
    assert page.get_by_role("cell", name="approved", exact=True).count() >= 1
    screenshot(page, "document")
    problems["document"] = axe_violations(page)

    page.goto(f"{served.url}/app/documents?q=onerror")
    assert page.locator("table.grid tbody tr").count() == 1 and dialogs == []
    page.goto(f"{served.url}/app/documents")
    screenshot(page, "documents")
    problems["documents"] = axe_violations(page)
    assert _summary(problems) == {}


def test_drawing_register_and_reports(served: Served, page: Any) -> None:
    """Upload a drawing set with the file picker; the register lists its sheets; reports render
    with charts; CSV and PDF exports download."""
    sign_in(page, served)
    pdf, drawing_set = _drawing_set()
    page.set_input_files(
        "#picker",
        files=[{"name": "drawings-set.pdf", "mimeType": "application/pdf", "buffer": pdf}],
    )
    _wait_done(page, 1)
    current = page.locator("#uploads tbody tr").first.get_attribute("data-document-id")
    # Corrections pin the revisions, so which sheet is current does not depend on extraction.
    sheets = [dict(drawing_set["sheets"][0], revision="5"), *drawing_set["sheets"][1:]]
    older_sheet = dict(sheets[0], revision="4", revision_date="2000-01-01")
    with served.api() as api:
        _with_sheets(api, str(current), {"sheets": sheets}, force=True)
        older = api.post(
            "/v1/documents",
            params={"wait": 60},
            files={"file": ("drawings-old.pdf", pdf + b"\n% older issue", "application/pdf")},
        )
        older_id = older.json()["documents"][0]["id"]
        _with_sheets(api, older_id, {"sheets": [older_sheet]}, force=True)

    page.goto(f"{served.url}/app/drawings")
    assert page.get_by_role("heading", name="Drawing register").is_visible()
    rows = page.locator("section.project table.grid tbody tr")
    assert rows.count() == len(drawing_set["sheets"]) + 1
    superseded = page.locator("tr.superseded")
    assert superseded.count() == 1 and "drawings-old.pdf" in superseded.inner_text()
    screenshot(page, "drawings")
    problems = {"drawings": axe_violations(page)}
    csv_answer = page.request.get(f"{served.url}/app/drawings.csv")
    assert csv_answer.ok and csv_answer.text().startswith("Project,Sheet,Title")
    pdf_answer = page.request.get(f"{served.url}/app/drawings.pdf")
    assert pdf_answer.ok and pdf_answer.body().startswith(b"%PDF")

    page.goto(f"{served.url}/app/reports")
    assert page.locator("figure.chart svg").count() >= 1
    screenshot(page, "reports")
    problems["reports"] = axe_violations(page)
    report_csv = page.request.get(f"{served.url}/app/reports.csv")
    assert report_csv.ok and report_csv.text().startswith("section,name")
    assert _summary(problems) == {}
