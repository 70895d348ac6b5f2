"""Typed dependencies of the routes: the container, the task queue and the calling tenant.

Owns authentication (`Authorization: Bearer dp_…`, header names in any case; a key in the
query string is refused, never echoed) and the per-key rate limit. Must not do a route's
work: routes call the small service modules with what these return.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.api.errors import ApiError, unauthorized
from service.api.queue import TaskQueue
from service.api.ratelimit import RateLimiter
from service.bootstrap import Container
from service.db.session import atomic_connection
from service.db.tenants import KEY_PREFIX, Caller, resolve_key

QUERY_KEY_NAMES = frozenset(
    {"api_key", "apikey", "key", "token", "access_token", "authorization", "auth"}
)


# The trivial dependencies are `async def`: FastAPI runs a plain `def` dependency in a worker
# thread, a hand-off that costs more CPU than the lookup itself.
async def get_container(request: Request) -> Container:
    """The app's container."""
    container: Container = request.app.state.container
    return container


async def get_queue(request: Request) -> TaskQueue:
    """The app's task queue."""
    queue: TaskQueue = request.app.state.queue
    return queue


def _key_in_query(request: Request) -> bool:
    params = request.query_params
    return any(name.lower() in QUERY_KEY_NAMES for name in params) or any(
        value.startswith(KEY_PREFIX) for value in params.values()
    )


def get_caller(request: Request) -> Caller:
    """The tenant behind the request's bearer key; 401 otherwise, 429 over the rate limit."""
    if _key_in_query(request):
        raise unauthorized(
            "API keys are not accepted in the query string; "
            "send the header Authorization: Bearer KEY"
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized()
    container: Container = request.app.state.container
    with atomic_connection(container.engine, single_statement=True) as connection:
        caller = resolve_key(connection, token)
    if caller is None:
        raise unauthorized()
    limiter: RateLimiter = request.app.state.limiter
    retry_after = limiter.hit(caller.key_id)
    if retry_after is not None:
        raise ApiError(
            429,
            "rate_limited",
            "too many requests for this API key; slow down",
            {"Retry-After": str(int(retry_after))},
        )
    return caller


ContainerDep = Annotated[Container, Depends(get_container)]
QueueDep = Annotated[TaskQueue, Depends(get_queue)]
CallerDep = Annotated[Caller, Depends(get_caller)]
