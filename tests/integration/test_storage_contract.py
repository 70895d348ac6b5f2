"""The blob-store contract, run against every adapter: disk and S3 (a local S3 server)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from service.storage import BlobMissingError, BlobStore
from service.storage.disk import DiskBlobStore
from tests.integration import worker_fixtures as wf

local_s3 = wf.local_s3
s3_store = wf.s3_store

pytestmark = pytest.mark.integration


@pytest.fixture(params=["disk", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """Each blob-store adapter in turn."""
    if request.param == "disk":
        return DiskBlobStore(tmp_path / "blobs")
    s3: BlobStore = request.getfixturevalue("s3_store")
    return s3


def _file(tmp_path: Path, data: bytes, name: str = "upload.bin") -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_put_then_read_exists_and_stream(store: BlobStore, tmp_path: Path) -> None:
    """What is put under a hash reads back whole and in chunks."""
    data = bytes(range(256)) * 5000
    path, sha256 = _file(tmp_path, data)
    assert not store.exists(sha256)
    store.put_file(path, sha256)
    assert store.exists(sha256)
    assert store.read_bytes(sha256) == data
    chunks = list(store.iter_chunks(sha256, chunk_size=4096))
    assert b"".join(chunks) == data
    assert max(len(chunk) for chunk in chunks) <= 4096


def test_put_is_idempotent(store: BlobStore, tmp_path: Path) -> None:
    """Putting the same hash twice keeps one blob with the first content."""
    data = b"%PDF-1.7 the same bytes"
    path, sha256 = _file(tmp_path, data)
    store.put_file(path, sha256)
    store.put_file(path, sha256)
    assert store.read_bytes(sha256) == data


def test_missing_blob_raises_blob_missing(store: BlobStore) -> None:
    """Reading a hash never stored is BlobMissingError, for whole reads and streams."""
    sha256 = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(BlobMissingError):
        store.read_bytes(sha256)
    with pytest.raises(BlobMissingError):
        list(store.iter_chunks(sha256))


def test_delete_removes_and_is_idempotent(store: BlobStore, tmp_path: Path) -> None:
    """Delete removes the blob; deleting again (or something absent) is fine."""
    path, sha256 = _file(tmp_path, b"to be deleted")
    store.put_file(path, sha256)
    store.delete(sha256)
    assert not store.exists(sha256)
    store.delete(sha256)


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABC", "a" * 63, "g" * 64])
def test_only_sha256_keys_are_accepted(store: BlobStore, key: str) -> None:
    """No key is ever built from anything but a lower-case hex SHA-256."""
    with pytest.raises(ValueError, match="SHA-256"):
        store.exists(key)


def test_concurrent_puts_of_the_same_bytes(store: BlobStore, tmp_path: Path) -> None:
    """Threads storing the same bytes at once all succeed and leave one intact blob."""
    data = b"%PDF-1.7 " + bytes(range(256)) * 4000
    path, sha256 = _file(tmp_path, data)
    errors: list[BaseException] = []

    def put() -> None:
        try:
            store.put_file(path, sha256)
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.read_bytes(sha256) == data
