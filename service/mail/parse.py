"""Reading an email: sender, subject, Message-ID and every candidate attachment, recursively.

Owns walking MIME (multipart trees, message/rfc822 parts and attached `.eml` files, nested)
and judging each attachment: a document (PDF, PNG, JPEG or TIFF, judged by its bytes), a
signature logo or tracking pixel (skipped: an inline image under a size threshold, or any
image under a pixel threshold read from its header), another type (skipped), too large
(rejected with its reason). Must not touch the database, the blob store or the network:
bytes in, values out.
"""

from __future__ import annotations

import email
import hashlib
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr
from enum import StrEnum

from extractors.sniff import MediaKind, read_image_header, sniff_kind
from service.config import MailSettings

_MAX_DEPTH = 5
_BODY_TYPES = frozenset({"text/plain", "text/html", "text/enriched", "text/calendar"})
_SNIFF_BYTES = 1024


class Verdict(StrEnum):
    """What became of one attachment; stored and shown."""

    DOCUMENT = "document"
    SKIPPED = "skipped"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class MailPart:
    """One decoded leaf of a message that may be an attachment."""

    part: str
    filename: str | None
    content_type: str
    data: bytes
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Judged:
    """An attachment and the verdict on it (`kind` is the sniffed media kind)."""

    part: MailPart
    verdict: Verdict
    reason: str | None = None
    kind: MediaKind | None = None

    @property
    def sha256(self) -> str | None:
        """The content hash of a document-to-be; None otherwise."""
        if self.verdict is not Verdict.DOCUMENT:
            return None
        return hashlib.sha256(self.part.data).hexdigest()


@dataclass(frozen=True, slots=True)
class MailMessage:
    """A received email as far as intake cares: who, what, which Message-ID, which parts."""

    sender: str | None
    subject: str | None
    message_id: str | None
    parts: list[MailPart] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AttachmentRules:
    """What an attachment must be to become a document."""

    max_bytes: int
    min_inline_image_bytes: int
    min_image_side_px: int

    @classmethod
    def from_settings(cls, mail: MailSettings) -> AttachmentRules:
        """The rules configured for mail."""
        return cls(mail.max_attachment_bytes, mail.min_inline_image_bytes, mail.min_image_side_px)


def message_key(message_id: str | None, raw: bytes) -> str:
    """The dedupe key of a message: SHA-256 of its Message-ID, or of its bytes without one."""
    if message_id and message_id.strip():
        return hashlib.sha256(message_id.strip().encode("utf-8", "replace")).hexdigest()
    return hashlib.sha256(raw).hexdigest()


def header_text(value: object) -> str | None:
    """A header's decoded text (RFC 2047 words decoded), or None when absent or unreadable."""
    if value is None:
        return None
    try:
        text = str(make_header(decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError):
        text = str(value)
    return " ".join(text.split()) or None


def sender_address(value: str | None) -> str | None:
    """The bare, lower-cased address of a From header."""
    address = parseaddr(value or "")[1].strip().lower()
    return address or None


def parse_mail(raw: bytes) -> MailMessage:
    """A raw RFC 5322 message in, its headers and attachment candidates out (never raises on
    malformed MIME: what cannot be read is reported as defects)."""
    message = email.message_from_bytes(raw)
    parts: list[MailPart] = []
    defects: list[str] = []
    _walk(message, "", 0, parts, defects)
    return MailMessage(
        sender=sender_address(header_text(message.get("From") or message.get("Sender"))),
        subject=header_text(message.get("Subject")),
        message_id=header_text(message.get("Message-ID")),
        parts=parts,
        defects=defects,
    )


def _child(prefix: str, index: int) -> str:
    return f"{prefix}.{index}" if prefix else str(index)


def _walk(
    message: Message, prefix: str, depth: int, parts: list[MailPart], defects: list[str]
) -> None:
    defects.extend(type(defect).__name__ for defect in message.defects)
    if depth > _MAX_DEPTH:
        defects.append("NestedTooDeep")
        return
    if message.get_content_type() == "message/rfc822" and message.is_multipart():
        for inner in message.get_payload():
            if isinstance(inner, Message):
                _walk(inner, prefix, depth + 1, parts, defects)
        return
    if message.is_multipart():
        payload = message.get_payload()
        for index, sub in enumerate(payload if isinstance(payload, list) else [], start=1):
            if isinstance(sub, Message):
                _walk(sub, _child(prefix, index), depth, parts, defects)
        return
    _leaf(message, prefix or "1", depth, parts, defects)


def _leaf(
    message: Message, part: str, depth: int, parts: list[MailPart], defects: list[str]
) -> None:
    content_type = message.get_content_type()
    filename = header_text(message.get_filename())
    disposition = message.get_content_disposition()
    if content_type in _BODY_TYPES and filename is None and disposition != "attachment":
        return  # the body, not an attachment
    if content_type.startswith("multipart/"):
        defects.append("MultipartWithoutParts")
        return
    data = message.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    if _is_eml(content_type, filename, data):
        _walk(email.message_from_bytes(data), part, depth + 1, parts, defects)
        return
    inline = disposition == "inline" or (disposition is None and "Content-ID" in message)
    parts.append(MailPart(part, filename, content_type, data, inline))


def _is_eml(content_type: str, filename: str | None, data: bytes) -> bool:
    """An attached message sent as a file (`.eml`, or message/rfc822 in an encoded body)."""
    named = filename is not None and filename.lower().endswith(".eml")
    return (named or content_type == "message/rfc822") and b"\n" in data[:8192]


def judge(part: MailPart, rules: AttachmentRules) -> Judged:
    """One attachment in, whether it becomes a document (and why not) out."""
    size = len(part.data)
    if size == 0:
        return Judged(part, Verdict.SKIPPED, "empty attachment")
    if size > rules.max_bytes:
        reason = f"too_large: {size} bytes, over the limit of {rules.max_bytes} bytes"
        return Judged(part, Verdict.REJECTED, reason)
    kind = sniff_kind(part.data[:_SNIFF_BYTES])
    if kind is MediaKind.UNSUPPORTED:
        reason = f"unsupported: {part.content_type} is not a PDF, PNG, JPEG or TIFF (not opened)"
        return Judged(part, Verdict.SKIPPED, reason, kind)
    if kind.is_image:
        header = read_image_header(part.data, kind, max_frames=1)
        side = rules.min_image_side_px
        if header is not None and (header.width < side or header.height < side):
            reason = f"small_image: {header.width}x{header.height} px (a logo or tracking pixel)"
            return Judged(part, Verdict.SKIPPED, reason, kind)
        if part.inline and size < rules.min_inline_image_bytes:
            reason = f"inline_image: {size} bytes (a signature logo)"
            return Judged(part, Verdict.SKIPPED, reason, kind)
    return Judged(part, Verdict.DOCUMENT, None, kind)
