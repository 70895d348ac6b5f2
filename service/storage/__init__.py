"""Blob stores: the original files, content-addressed by SHA-256, on disk or S3-compatible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol


class BlobMissingError(LookupError):
    """No blob is stored under that hash."""


class BlobStoreUnavailableError(RuntimeError):
    """The store cannot be reached or written (disk full, S3 down): retryable."""


class BlobStore(Protocol):
    """Where uploaded bytes live, keyed by the SHA-256 of their content."""

    def put_file(self, path: Path, sha256: str) -> None:
        """Store the file at `path` (already hashed by the caller) under `sha256`; idempotent."""
        ...

    def read_bytes(self, sha256: str) -> bytes:
        """The whole blob; raises BlobMissingError."""
        ...

    def iter_chunks(self, sha256: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The blob in chunks, for streaming downloads; raises BlobMissingError."""
        ...

    def exists(self, sha256: str) -> bool:
        """True when a blob is stored under `sha256`."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove the blob if present."""
        ...
