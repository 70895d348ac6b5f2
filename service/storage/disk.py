"""Blobs as files under a root folder: `ab/cd/<sha256>`, written atomically (temp + rename)."""

from __future__ import annotations

import errno
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

from service.storage import BlobMissingError, BlobStoreUnavailableError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DiskBlobStore:
    """A content-addressed store in a folder; no path is ever built from anything but a hash."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("blob keys are lower-case hex SHA-256 digests")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_file(self, path: Path, sha256: str) -> None:
        """Copy the file into the store under its hash, synced to disk before it appears
        there; a present blob is kept."""
        target = self._path(sha256)
        if target.exists():
            return
        # A unique staging name per call: threads and processes storing the same bytes at
        # once must not write into each other's file; the rename makes one of them win.
        staging = target.with_name(f".{sha256}.{uuid.uuid4().hex}.part")
        try:
            try:
                _copy_synced(path, staging)
            except FileNotFoundError:  # the first blob of its fan-out folder
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy_synced(path, staging)
            staging.replace(target)
        except OSError as error:
            staging.unlink(missing_ok=True)
            raise BlobStoreUnavailableError(f"cannot write blob: {error.strerror}") from error

    def read_bytes(self, sha256: str) -> bytes:
        """The whole blob."""
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError as error:
            raise BlobMissingError(sha256) from error

    def iter_chunks(self, sha256: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The blob in chunks."""
        try:
            handle = self._path(sha256).open("rb")
        except FileNotFoundError as error:
            raise BlobMissingError(sha256) from error
        with handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""
        return self._path(sha256).exists()

    def delete(self, sha256: str) -> None:
        """Remove the blob if present."""
        self._path(sha256).unlink(missing_ok=True)


def _copy_synced(source: Path, target: Path) -> None:
    """Copy `source` to the new file `target` in the kernel (sendfile) and fsync it."""
    reader = os.open(source, os.O_RDONLY)
    try:
        writer = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            size, offset = os.fstat(reader).st_size, 0
            while offset < size:
                sent = os.sendfile(writer, reader, offset, size - offset)
                if sent == 0:
                    raise OSError(errno.EIO, f"{source} shrank while it was copied")
                offset += sent
            os.fsync(writer)
        finally:
            os.close(writer)
    finally:
        os.close(reader)
