"""Receiving uploads: the request body streamed to temp files, hashed and sniffed on the way.

Owns reading `request.stream()` chunk by chunk (never the whole body in memory), parsing
multipart/form-data incrementally with python-multipart's streaming parser (a file may come
in ANY field; n8n's raw UTF-8 filenames with unescaped quotes are understood), the raw-body
style (`Content-Type: application/pdf`, the name from `?filename=` or a header), the size,
count and type limits as bytes arrive, and removing every temp file it made when anything
fails. Must not touch the database or the blob store: it hands back files on disk.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from extractors.sniff import MediaKind, sniff_kind
from service.api.errors import ApiError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FORM_FIELDS = frozenset({"document_type", "project", "source", "external_id", "callback_url"})
_SNIFF_BYTES = 1024
_MAX_FIELD_BYTES = 8 * 1024
_FORM_OVERHEAD = 1024 * 1024
_MAX_NAME = 255
_PARAM_END = r"(?=\s*(?:;\s*[\w*-]+\s*=|$))"
_FILENAME = re.compile(r'(?:^|;)\s*filename\s*=\s*"(.*?)"' + _PARAM_END, re.I | re.S)
_FILENAME_BARE = re.compile(r"(?:^|;)\s*filename\s*=\s*([^\";\s]+)", re.I)
_FILENAME_EXT = re.compile(r"(?:^|;)\s*filename\*\s*=\s*([\w-]+)'[^']*'([^;\s]+)", re.I)
_NAME = re.compile(r'(?:^|;)\s*name\s*=\s*(?:"(.*?)"' + _PARAM_END + r'|([^";\s]+))', re.I)


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file received to a temp file: its content hash, size and sniffed kind."""

    path: Path
    filename: str | None
    sha256: str
    size: int
    kind: MediaKind


@dataclass(slots=True)
class ReceivedUpload:
    """Every file of one request, in upload order, and its form fields."""

    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def cleanup(self) -> None:
        """Remove the temp files (the blob store has its own copies by now)."""
        for item in self.files:
            item.path.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """What one request may carry."""

    max_file_bytes: int
    max_files: int

    @property
    def max_body_bytes(self) -> int:
        """The whole body: the largest file plus room for boundaries and form fields."""
        return self.max_file_bytes + _FORM_OVERHEAD


def clean_filename(raw: str | None) -> str | None:
    """A client's filename in, a safe display name out (base name, NFC, no controls, capped).

    Never used to build a path: blobs are stored by hash. A NUL byte is refused (422).
    """
    if raw is None:
        return None
    if "\x00" in raw:
        raise ApiError(422, "invalid_filename", "the filename contains a NUL byte")
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in {"", ".", ".."}:
        return None
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 16 else ""
        name = (stem if keep else name)[: _MAX_NAME - len(keep) - 1].rstrip() + (
            f".{keep}" if keep else ""
        )
    return name


def parse_disposition(value: str) -> tuple[str | None, str | None]:
    """A part's Content-Disposition in, its (name, filename) out; tolerates unescaped quotes."""
    name_match = _NAME.search(value)
    name = (name_match.group(1) or name_match.group(2)) if name_match else None
    extended = _FILENAME_EXT.search(value)
    if extended:
        return name, unquote(extended.group(2), encoding=extended.group(1), errors="replace")
    quoted = _FILENAME.search(value) or _FILENAME_BARE.search(value)
    return name, quoted.group(1) if quoted else None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _FileSink:
    """One file being received: written to a temp file, hashed and counted as it arrives."""

    def __init__(self, folder: Path, filename: str | None, max_bytes: int) -> None:
        self.filename = clean_filename(filename)
        self.max_bytes = max_bytes
        handle, name = tempfile.mkstemp(dir=folder, prefix="upload-", suffix=".part")
        self.fd: int | None = handle
        self.path = Path(name)
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.kind: MediaKind | None = None

    def write(self, data: bytes) -> None:
        """Append bytes; refuse as soon as the file is too big or its head is not allowed."""
        self.size += len(data)
        if self.size > self.max_bytes:
            raise ApiError(
                413, "too_large", f"a file is larger than the limit of {self.max_bytes} bytes"
            )
        if self.kind is None:
            self.head += data[: _SNIFF_BYTES - len(self.head)]
            if len(self.head) >= _SNIFF_BYTES:
                self._sniff()
        self.digest.update(data)
        assert self.fd is not None
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view) :]
        except OSError as error:
            raise ApiError(
                507,
                "insufficient_storage",
                "the server cannot store the upload right now; retry later",
            ) from error

    def _sniff(self) -> None:
        self.kind = sniff_kind(self.head)
        if self.kind is MediaKind.UNSUPPORTED:
            raise ApiError(
                415,
                "unsupported_media_type",
                "the content is not a PDF, PNG, JPEG or TIFF (judged by its bytes, not its name)",
            )

    def finish(self) -> UploadedFile:
        """Close the file; an empty one is refused."""
        self._close()
        if self.size == 0:
            raise ApiError(422, "empty_file", "the file is empty (0 bytes)")
        if self.kind is None:
            self._sniff()
        assert self.kind is not None
        return UploadedFile(self.path, self.filename, self.digest.hexdigest(), self.size, self.kind)

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def discard(self) -> None:
        """Close and remove the temp file."""
        self._close()
        self.path.unlink(missing_ok=True)


class _MultipartReceiver:
    """Callbacks for the streaming multipart parser: route each part to a file or a field."""

    def __init__(self, folder: Path, limits: UploadLimits, received: ReceivedUpload) -> None:
        self.folder = folder
        self.limits = limits
        self.received = received
        self.headers: dict[str, str] = {}
        self.header_field = b""
        self.header_value = b""
        self.sink: _FileSink | None = None
        self.field_name: str | None = None
        self.field_value = bytearray()
        self.ended = False

    def callbacks(self) -> dict[str, object]:
        """The parser's callback table."""
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.headers, self.header_field, self.header_value = {}, b"", b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[_decode(self.header_field).lower()] = _decode(self.header_value)
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        name, filename = parse_disposition(self.headers.get("content-disposition", ""))
        if filename is None and name in FORM_FIELDS:
            self.field_name, self.field_value = name, bytearray()
            return
        if len(self.received.files) >= self.limits.max_files:
            raise ApiError(
                413, "too_many_files", f"at most {self.limits.max_files} files per request"
            )
        self.sink = _FileSink(self.folder, filename, self.limits.max_file_bytes)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.sink is not None:
            self.sink.write(data[start:end])
            return
        self.field_value += data[start:end]
        if len(self.field_value) > _MAX_FIELD_BYTES:
            raise ApiError(
                413,
                "field_too_large",
                f"form field {self.field_name} exceeds {_MAX_FIELD_BYTES} bytes",
            )

    def on_part_end(self) -> None:
        if self.sink is not None:
            sink, self.sink = self.sink, None
            try:
                self.received.files.append(sink.finish())
            except ApiError:
                sink.discard()
                raise
        elif self.field_name is not None:
            self.received.fields[self.field_name] = _decode(bytes(self.field_value)).strip()
            self.field_name = None

    def on_end(self) -> None:
        self.ended = True

    def abort(self) -> None:
        """Remove a half-received file."""
        if self.sink is not None:
            self.sink.discard()
            self.sink = None


async def _limited(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body's chunks, refusing (413) once more than `limit` bytes have arrived."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
            yield chunk
    except ClientDisconnect as error:
        raise ApiError(400, "upload_incomplete", "the client disconnected mid-upload") from error


def _boundary(content_type: str) -> bytes:
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(400, "bad_multipart", "multipart/form-data without a boundary")
    return boundary


async def _receive_multipart(
    request: Request, folder: Path, limits: UploadLimits, received: ReceivedUpload
) -> None:
    receiver = _MultipartReceiver(folder, limits, received)
    callbacks = cast("MultipartCallbacks", receiver.callbacks())
    parser = MultipartParser(_boundary(request.headers.get("content-type", "")), callbacks)
    try:
        async for chunk in _limited(request, limits.max_body_bytes):
            parser.write(chunk)
        parser.finalize()
    except ApiError:
        receiver.abort()
        raise
    except Exception as error:
        receiver.abort()
        raise ApiError(400, "bad_multipart", f"malformed multipart body: {error}") from error
    if not receiver.ended:
        receiver.abort()
        raise ApiError(400, "bad_multipart", "the multipart body ended before its last part")


def raw_filename(query: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    """A raw-body upload's name: `?filename=`, `X-Filename`, or a Content-Disposition header."""
    if query.get("filename"):
        return query["filename"]
    if headers.get("x-filename"):
        return unquote(headers["x-filename"])
    return parse_disposition(headers.get("content-disposition", ""))[1]


async def _receive_raw(
    request: Request, folder: Path, limits: UploadLimits, received: ReceivedUpload
) -> None:
    name = raw_filename(request.query_params, request.headers)
    sink = _FileSink(folder, name, limits.max_file_bytes)
    try:
        async for chunk in _limited(request, limits.max_file_bytes):
            sink.write(chunk)
        received.files.append(sink.finish())
    except BaseException:
        sink.discard()
        raise


async def receive_upload(request: Request, folder: Path, limits: UploadLimits) -> ReceivedUpload:
    """Stream the request's files to temp files under `folder`; on any failure none are left."""
    folder.mkdir(parents=True, exist_ok=True)
    received = ReceivedUpload()
    content_type = request.headers.get("content-type", "").lower()
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            raise ApiError(
                415,
                "unsupported_content_type",
                "send multipart/form-data, or the file's bytes as the body",
            )
        if content_type.startswith("multipart/form-data"):
            await _receive_multipart(request, folder, limits, received)
        else:
            await _receive_raw(request, folder, limits, received)
        if not received.files:
            raise ApiError(422, "no_file", "the request carries no file")
    except BaseException:
        received.cleanup()
        raise
    for name in FORM_FIELDS:
        if name not in received.fields and request.query_params.get(name):
            received.fields[name] = request.query_params[name]
    return received
