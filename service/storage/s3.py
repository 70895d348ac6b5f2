"""Blobs in an S3-compatible bucket (AWS S3, MinIO, moto), keyed by their SHA-256.

Owns the translation of boto3's errors into the blob-store port's two: a missing object is
`BlobMissingError`; anything else (unreachable endpoint, timeout, 5xx, denied, no bucket)
is `BlobStoreUnavailableError`, which workers retry. Must not build a key from anything but
a validated hash, and must not log credentials.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from service.config import StorageSettings
from service.storage import BlobMissingError, BlobStoreUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MISSING = {"404", "NoSuchKey", "NotFound"}
_TRANSPORT = Config(
    connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}
)


def _key(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError("blob keys are lower-case hex SHA-256 digests")
    return sha256


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code", "")) in _MISSING


def _unavailable(error: Exception) -> BlobStoreUnavailableError:
    return BlobStoreUnavailableError(f"S3 store unavailable: {type(error).__name__}")


class S3BlobStore:
    """A content-addressed store in one bucket; the object key is the SHA-256 itself."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> S3BlobStore:
        """A store for the configured endpoint, bucket, region and credentials."""
        key_id = settings.s3_access_key_id
        secret = settings.s3_secret_access_key
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=key_id.get_secret_value() if key_id else None,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=_TRANSPORT,
        )
        return cls(client, settings.s3_bucket)

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (development and embedded set-ups)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as error:
            if not _is_missing(error) and "NoSuchBucket" not in str(error):
                raise _unavailable(error) from error
        except BotoCoreError as error:
            raise _unavailable(error) from error
        try:
            self.client.create_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as error:
            raise _unavailable(error) from error

    def put_file(self, path: Path, sha256: str) -> None:
        """Upload the file under its hash unless an object is already there (idempotent)."""
        key = _key(sha256)
        if self.exists(sha256):
            return
        try:
            self.client.upload_file(
                str(path), self.bucket, key, ExtraArgs={"Metadata": {"sha256": sha256}}
            )
        except (ClientError, BotoCoreError) as error:
            raise _unavailable(error) from error
        except OSError as error:
            raise BlobStoreUnavailableError(f"cannot read upload: {error.strerror}") from error

    def read_bytes(self, sha256: str) -> bytes:
        """The whole object."""
        return b"".join(self.iter_chunks(sha256))

    def iter_chunks(self, sha256: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The object in chunks, streamed from S3."""
        key = _key(sha256)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as error:
            if _is_missing(error):
                raise BlobMissingError(sha256) from error
            raise _unavailable(error) from error
        except BotoCoreError as error:
            raise _unavailable(error) from error
        return self._stream(body.iter_chunks(chunk_size))

    @staticmethod
    def _stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from chunks
        except (ClientError, BotoCoreError) as error:
            raise _unavailable(error) from error

    def exists(self, sha256: str) -> bool:
        """True when an object is stored under `sha256`."""
        key = _key(sha256)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                return False
            raise _unavailable(error) from error
        except BotoCoreError as error:
            raise _unavailable(error) from error
        return True

    def delete(self, sha256: str) -> None:
        """Remove the object if present (deleting a missing key succeeds)."""
        key = _key(sha256)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as error:
            raise _unavailable(error) from error
