"""The mail package's pure parts (no servers): MIME walking and attachment verdicts, sender
rules, provider forms, the Mailgun signature and the XOAUTH2 string."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import zipfile
from email.message import EmailMessage

import pytest

from service.config import MailSettings
from service.mail.imap import xoauth2
from service.mail.parse import AttachmentRules, Verdict, judge, message_key, parse_mail
from service.mail.providers import (
    FormFile,
    MailgunSignature,
    mail_from_form,
    mail_from_postmark,
    mailgun_signature_valid,
)
from service.mail.rules import sender_allowed
from tests.mail_fixtures import MALFORMED, forwarded, html_with_logos, message, png, unique_pdf

RULES = AttachmentRules.from_settings(MailSettings())


def verdicts(raw: bytes) -> dict[str | None, tuple[Verdict, str | None]]:
    """Each attachment's verdict by filename."""
    mail = parse_mail(raw)
    return {p.filename: (judge(p, RULES).verdict, judge(p, RULES).reason) for p in mail.parts}


def test_nested_forward_and_encoded_eml_are_walked() -> None:
    """A PDF two forwards deep, and one inside an .eml sent as application/octet-stream."""
    inner = message("inner", [("deep.pdf", unique_pdf(1), "application/pdf")])
    octet = message("octet", [("octet.pdf", unique_pdf(2), "application/pdf")])
    middle = message("middle")
    middle.add_attachment(inner, filename="inner.eml")
    outer = message("outer")
    outer.add_attachment(middle, filename="middle.eml")
    outer.add_attachment(
        octet.as_bytes(), maintype="application", subtype="octet-stream", filename="octet.eml"
    )
    found = verdicts(outer.as_bytes())
    assert found == {"deep.pdf": (Verdict.DOCUMENT, None), "octet.pdf": (Verdict.DOCUMENT, None)}
    assert verdicts(forwarded(inner))["deep.pdf"][0] is Verdict.DOCUMENT


def test_logos_pixels_archives_and_limits() -> None:
    """Inline logos and 1x1 pixels skipped; a ZIP skipped unopened (B10); a large scan kept;
    an over-limit file rejected with its size."""
    found = verdicts(html_with_logos(unique_pdf(3)))
    assert found["invoice.pdf"][0] is Verdict.DOCUMENT
    assert {found[n][0] for n in ("logo1.png", "logo2.png", "pixel.png")} == {Verdict.SKIPPED}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("inside.pdf", unique_pdf(4))
    mail = message(
        "zip",
        [
            ("bundle.zip", archive.getvalue(), "application/zip"),
            ("scan.png", png(400, 300), "image/png"),
        ],
    )
    found = verdicts(mail.as_bytes())
    assert found["bundle.zip"][0] is Verdict.SKIPPED and "not opened" in (
        found["bundle.zip"][1] or ""
    )
    assert found["scan.png"][0] is Verdict.DOCUMENT
    tight = AttachmentRules(max_bytes=100, min_inline_image_bytes=0, min_image_side_px=0)
    [part] = parse_mail(
        message("big", [("b.pdf", unique_pdf(5), "application/pdf")]).as_bytes()
    ).parts
    judged = judge(part, tight)
    assert judged.verdict is Verdict.REJECTED and (judged.reason or "").startswith("too_large")


def test_malformed_and_headerless_messages_do_not_raise() -> None:
    """Broken MIME is read as far as it goes, with defects; no exception."""
    broken = parse_mail(MALFORMED)
    assert broken.message_id == "<broken-1@vendor.example>" and broken.defects
    empty = parse_mail(b"\x00\xff garbage")
    assert empty.sender is None and empty.parts == []


def test_message_key_prefers_the_message_id() -> None:
    """Same Message-ID, different bytes: one key; no Message-ID: the bytes decide."""
    assert message_key("<a@b>", b"x") == message_key(" <a@b> ", b"y")
    assert message_key(None, b"x") != message_key(None, b"y")


@pytest.mark.parametrize(
    ("sender", "allowed", "expected"),
    [
        ("ap@vendor.example", [], True),
        ("ap@vendor.example", ["vendor.example"], True),
        ("AP@Vendor.Example", ["@vendor.example"], True),
        ("ap@evil-vendor.example", ["vendor.example"], False),
        ("ap@sub.vendor.example", ["vendor.example"], False),
        ("boss@other.example", ["boss@other.example"], True),
        (None, ["vendor.example"], False),
    ],
)
def test_sender_rules(sender: str | None, allowed: list[str], expected: bool) -> None:
    """Addresses and exact domains, case-insensitive; an empty list allows everyone."""
    assert sender_allowed(sender, allowed) is expected


def test_mailgun_signature_and_xoauth2() -> None:
    """HMAC-SHA256(key, timestamp + token) in hex; XOAUTH2 as RFC 7628 / Google spell it."""
    digest = hmac.new(b"k", b"1700000000tok", hashlib.sha256).hexdigest()
    assert mailgun_signature_valid("k", MailgunSignature("1700000000", "tok", digest))
    assert not mailgun_signature_valid("k", MailgunSignature("1700000001", "tok", digest))
    assert xoauth2("u@x", "ya29") == b"user=u@x\x01auth=Bearer ya29\x01\x01"


def test_provider_forms() -> None:
    """Mailgun inline images by content-id-map; Postmark base64 attachments."""
    mail = mail_from_form(
        {
            "sender": "ap@v.example",
            "subject": "s",
            "Message-Id": "<m@v>",
            "content-id-map": '{"<logo>": "attachment-2"}',
        },
        [
            FormFile("attachment-1", "a.pdf", "application/pdf", unique_pdf(6)),
            FormFile("attachment-2", "l.png", "image/png", png(150, 150)),
        ],
    )
    assert (mail.sender, mail.message_id) == ("ap@v.example", "<m@v>")
    assert [p.inline for p in mail.parts] == [False, True]
    pdf = unique_pdf(7)
    postmark = mail_from_postmark(
        {
            "From": "x@v.example",
            "Subject": "p",
            "MessageID": "id-1",
            "Attachments": [
                {
                    "Name": "p.pdf",
                    "ContentType": "application/pdf",
                    "Content": base64.b64encode(pdf).decode(),
                }
            ],
        }
    )
    assert postmark.parts[0].data == pdf and postmark.message_id == "<id-1@postmark>"


def test_attached_message_header_decoding() -> None:
    """RFC 2047 subjects and display names are decoded."""
    mail = EmailMessage()
    mail["From"] = "=?utf-8?q?M=C3=BCller?= <Mueller@Bau.example>"
    mail["Subject"] = "=?utf-8?q?Rechnung_M=C3=A4rz?="
    parsed = parse_mail(mail.as_bytes())
    assert (parsed.sender, parsed.subject) == ("mueller@bau.example", "Rechnung März")
