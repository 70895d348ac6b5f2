"""Inbound-parse webhooks of mail providers, read into a `MailMessage`: Mailgun (multipart,
`attachment-1..N`, signed with the account's HTTP webhook signing key), SendGrid Inbound
Parse (multipart, `email` raw or `attachment1..N` + `headers`) and Postmark (JSON,
`Attachments[]` base64). Also the Mailgun signature check.

Owns the providers' field names and nothing else: no HTTP, no database. Values in, values out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from email.parser import HeaderParser
from typing import Any

from service.mail.parse import MailMessage, MailPart, header_text, parse_mail, sender_address


class InboundFormatError(ValueError):
    """A webhook body that is not what its provider sends."""


@dataclass(frozen=True, slots=True)
class FormFile:
    """One file field of a multipart webhook."""

    field: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class MailgunSignature:
    """The three signature fields Mailgun adds to each delivery."""

    timestamp: str
    token: str
    signature: str


def mailgun_signature_valid(signing_key: str, signed: MailgunSignature) -> bool:
    """True when `signature` is HMAC-SHA256(key, timestamp + token), hex."""
    expected = hmac.new(
        signing_key.encode(), (signed.timestamp + signed.token).encode(), hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signed.signature.strip().lower())


def mailgun_signature_of(fields: dict[str, str]) -> MailgunSignature | None:
    """The signature fields of a Mailgun form, or None when it carries none."""
    if all(fields.get(name) for name in ("timestamp", "token", "signature")):
        return MailgunSignature(fields["timestamp"], fields["token"], fields["signature"])
    return None


def _inline_fields(fields: dict[str, str]) -> set[str]:
    """Fields whose file is an inline (cid:) image: Mailgun's `content-id-map`, SendGrid's
    `attachment-info` content ids."""
    inline: set[str] = set()
    try:
        inline |= set(json.loads(fields.get("content-id-map") or "{}").values())
        info = json.loads(fields.get("attachment-info") or "{}")
        inline |= {
            name for name, meta in info.items() if isinstance(meta, dict) and meta.get("content-id")
        }
    except (ValueError, AttributeError, TypeError):
        pass
    return {str(name) for name in inline}


def mail_from_form(fields: dict[str, str], files: list[FormFile]) -> MailMessage:
    """A Mailgun or SendGrid inbound-parse form in, the message out (a raw MIME field wins)."""
    raw = fields.get("email") or fields.get("body-mime")
    if raw:
        return parse_mail(raw.encode("utf-8", "surrogateescape"))
    raw_files = [f for f in files if f.field in {"email", "body-mime"}]
    if raw_files:
        return parse_mail(raw_files[0].data)
    headers = HeaderParser().parsestr(
        fields.get("headers") or fields.get("message-headers-raw") or ""
    )
    message_id = fields.get("Message-Id") or fields.get("message-id") or headers.get("Message-ID")
    inline = _inline_fields(fields)
    parts = [
        MailPart(
            str(index),
            f.filename,
            f.content_type or "application/octet-stream",
            f.data,
            inline=f.field in inline,
        )
        for index, f in enumerate(files, start=1)
    ]
    return MailMessage(
        sender=sender_address(fields.get("sender") or fields.get("from") or headers.get("From")),
        subject=header_text(fields.get("subject") or headers.get("Subject")),
        message_id=header_text(message_id),
        parts=parts,
    )


def _postmark_message_id(body: dict[str, Any]) -> str | None:
    for header in body.get("Headers") or []:
        if isinstance(header, dict) and str(header.get("Name", "")).lower() == "message-id":
            return str(header.get("Value") or "") or None
    value = body.get("MessageID")
    return f"<{value}@postmark>" if value else None


def mail_from_postmark(body: Any) -> MailMessage:
    """A Postmark inbound JSON body in, the message out."""
    if not isinstance(body, dict):
        raise InboundFormatError("a Postmark body is a JSON object")
    full = body.get("FromFull")
    sender_full: dict[str, Any] = full if isinstance(full, dict) else {}
    parts = []
    for index, item in enumerate(body.get("Attachments") or [], start=1):
        if not isinstance(item, dict):
            raise InboundFormatError("Attachments[] holds objects")
        try:
            data = base64.b64decode(str(item.get("Content") or ""), validate=False)
        except (binascii.Error, ValueError) as error:
            raise InboundFormatError(f"attachment {index}: Content is not base64") from error
        parts.append(
            MailPart(
                str(index),
                item.get("Name"),
                str(item.get("ContentType") or "application/octet-stream"),
                data,
                inline=bool(item.get("ContentID")),
            )
        )
    return MailMessage(
        sender=sender_address(str(sender_full.get("Email") or body.get("From") or "")),
        subject=header_text(body.get("Subject")),
        message_id=_postmark_message_id(body),
        parts=parts,
    )


def fingerprint(mail: MailMessage) -> bytes:
    """Bytes standing for a message without a Message-ID (its dedupe key is their hash)."""
    digest = hashlib.sha256()
    for value in (mail.sender or "", mail.subject or ""):
        digest.update(value.encode() + b"\x00")
    for part in mail.parts:
        digest.update(hashlib.sha256(part.data).digest())
    return digest.digest()
