"""The S3 adapter's own promises: `from_settings`, put checks before uploading, and an
unreachable server is `BlobStoreUnavailableError` (F18), which workers retry."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from service.bootstrap import make_blob_store
from service.config import Settings
from service.storage import BlobStoreUnavailableError
from service.storage.s3 import S3BlobStore
from tests.integration import worker_fixtures as wf
from tests.integration.worker_fixtures import LocalS3

local_s3 = wf.local_s3
s3_store = wf.s3_store

pytestmark = pytest.mark.integration


def test_bootstrap_builds_s3_store_from_settings(local_s3: LocalS3, tmp_path: Path) -> None:
    """`storage.backend = s3` wires an S3BlobStore on the configured endpoint and bucket."""
    settings = Settings(data_dir=tmp_path, storage=local_s3.settings("from-settings"))
    store = make_blob_store(settings)
    assert isinstance(store, S3BlobStore)
    assert store.bucket == "from-settings"
    store.ensure_bucket()
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.7 a")
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    store.put_file(path, sha256)
    assert store.read_bytes(sha256) == b"%PDF-1.7 a"


def test_put_of_present_blob_does_not_upload_again(s3_store: S3BlobStore, tmp_path: Path) -> None:
    """A blob already stored is not re-uploaded (head first): the stored object is kept."""
    path = tmp_path / "a.pdf"
    path.write_bytes(b"first")
    sha256 = hashlib.sha256(b"first").hexdigest()
    s3_store.put_file(path, sha256)
    path.write_bytes(b"changed on disk, same claimed hash")
    s3_store.put_file(path, sha256)
    assert s3_store.read_bytes(sha256) == b"first"


def test_unreachable_server_is_unavailable(local_s3: LocalS3, tmp_path: Path) -> None:
    """With the server stopped every operation raises BlobStoreUnavailableError."""
    store = S3BlobStore.from_settings(local_s3.settings("outage"))
    store.ensure_bucket()
    path = tmp_path / "a.pdf"
    path.write_bytes(b"bytes")
    sha256 = hashlib.sha256(b"bytes").hexdigest()
    store.put_file(path, sha256)
    local_s3.stop()
    with pytest.raises(BlobStoreUnavailableError):
        store.read_bytes(sha256)
    with pytest.raises(BlobStoreUnavailableError):
        store.exists(sha256)
    with pytest.raises(BlobStoreUnavailableError):
        store.put_file(path, hashlib.sha256(b"other").hexdigest())
    with pytest.raises(BlobStoreUnavailableError):
        store.delete(sha256)


def test_missing_bucket_is_unavailable_not_missing(local_s3: LocalS3) -> None:
    """A bucket that does not exist is a configuration fault, not a missing blob."""
    store = S3BlobStore.from_settings(local_s3.settings("no-such-bucket"))
    with pytest.raises(BlobStoreUnavailableError):
        store.read_bytes(hashlib.sha256(b"x").hexdigest())
