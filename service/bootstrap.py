"""The composition root: real adapters wired from `Settings`. Tests wire others.

Built lazily, once per process (after a worker forks), never at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings, get_settings
from service.db.session import make_engine, make_session_factory
from service.storage import BlobStore


@dataclass(frozen=True)
class Container:
    """Everything with I/O that the API and the workers share."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore


def make_blob_store(settings: Settings) -> BlobStore:
    """The configured blob store: files under DATA_DIR/blobs, or an S3-compatible bucket."""
    if settings.storage.backend == "s3":
        from service.storage.s3 import S3BlobStore

        return S3BlobStore.from_settings(settings.storage)
    from service.storage.disk import DiskBlobStore

    return DiskBlobStore(settings.data_dir / "blobs")


def build_container(settings: Settings) -> Container:
    """Wire the real adapters for these settings."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url, echo=settings.database.echo)
    return Container(settings, engine, make_session_factory(engine), make_blob_store(settings))


@lru_cache(maxsize=1)
def get_container() -> Container:
    """This process's container, built on first use."""
    return build_container(get_settings())
