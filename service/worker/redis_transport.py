"""The Redis broker transport of every docproc process: kombu's, with one fault fixed.

When the worker loses Redis while it holds an unacknowledged task, its task channel has a
BRPOP in flight and its remote-control (pidbox) channel is open, Celery's clean-up after the
connection loss (`connection.collect()`, then `connection.close()`) detaches the transport
first and closes the task channel only afterwards. That close restores the unacknowledged
messages through a new Redis pool, and kombu reads the pool's host from the detached
transport's `client`, which is None: an AttributeError, which Celery does not ignore, so the
worker stops with "Unrecoverable error" instead of reconnecting (issue #11: documents stayed
QUEUED after a Redis restart because no worker was left to run them or the reconciler).

Here a channel whose transport is detached raises a connection error instead: what the same
close meets when the transport is still attached and Redis is down. Celery ignores it and
reconnects; the database, not the broker, then brings every document back (RELIABILITY F4/F5).

Owns only that (and reusing one Redis client per channel for publishing); no settings, no
Celery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger("docproc.worker")

# Celery's `broker_transport` value that selects this module's transport.
TRANSPORT_PATH = "service.worker.redis_transport:Transport"


class DetachedChannelError(RedisConnectionError):
    """The channel's connection was already closed, so the broker cannot be reached by it."""


class Channel(kombu_redis.Channel):
    """kombu's Redis channel; a new pool for a detached channel is a connection error, and
    its synchronous client is reused."""

    _publish_client: Any = None

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        transport = self.connection
        if transport is None or transport.client is None:
            log.warning(
                "a Redis channel was used after its connection closed: taken as a lost "
                "connection (unacked messages come back by the visibility timeout)"
            )
            raise DetachedChannelError("the broker connection of this channel is closed")
        # kombu's stubs leave this private method out; kombu itself has it.
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]
        return params

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        """The client to publish with: kombu builds a new `redis.Redis` per message (its
        response-callback table alone costs ~0.3 ms of CPU); one per channel and pool does."""
        if client:
            yield client
            return
        pool = self.pool
        cached = self._publish_client
        if cached is None or cached.connection_pool is not pool:
            # kombu's stubs leave this private method out; kombu itself has it.
            cached = self._publish_client = self._create_client()  # type: ignore[attr-defined]
        yield cached


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with the channel above."""

    Channel = Channel
