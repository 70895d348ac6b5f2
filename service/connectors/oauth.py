"""OAuth 2 refresh-token rotation for QuickBooks Online and Xero.

The access token is short-lived; the refresh token rotates on every refresh and the new one
must be stored before anything else happens, so the store's `rotate` runs the token request
inside its lock (one refresher at a time across processes). A 401 from the API means the
access token expired early: refresh once and try again. Must not keep tokens anywhere but
the `TokenStore`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from service.connectors import PermanentError, RetryableError
from service.connectors.http import check, json_of, send

# Refresh this long before the end (a quarter of a short lifetime), so no call meets expiry.
EARLY_S = 60.0


@dataclass(frozen=True, slots=True)
class OAuthTokens:
    """The current tokens; `expires_at` is when to stop using the access token (unix seconds,
    a margin before its real end)."""

    refresh_token: str
    access_token: str | None = None
    expires_at: float = 0.0

    def fresh(self, now: float | None = None) -> bool:
        """True while the access token may still be used."""
        current = time.time() if now is None else now
        return self.access_token is not None and self.expires_at > current


class TokenStore(Protocol):
    """Where a connection's tokens live (encrypted in the database in production)."""

    def load(self) -> OAuthTokens:
        """The tokens as stored now."""
        ...

    def rotate(self, change: Callable[[OAuthTokens], OAuthTokens]) -> OAuthTokens:
        """Under a lock: read, apply `change`, store its result, return it."""
        ...


@dataclass
class MemoryTokenStore:
    """A `TokenStore` in memory, for tests and one-off scripts."""

    tokens: OAuthTokens

    def load(self) -> OAuthTokens:
        """The tokens."""
        return self.tokens

    def rotate(self, change: Callable[[OAuthTokens], OAuthTokens]) -> OAuthTokens:
        """Apply `change` and keep the result."""
        self.tokens = change(self.tokens)
        return self.tokens


def _describe(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or body)[:200]
    return str(body)[:200]


class OAuthClient:
    """Bearer tokens for one connection, refreshed with HTTP Basic client authentication."""

    def __init__(
        self,
        http: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        store: TokenStore,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._store = store

    def access_token(self) -> str:
        """A usable access token, refreshed when stale."""
        tokens = self._store.load()
        if tokens.fresh() and tokens.access_token:
            return tokens.access_token
        return self.refresh(tokens.access_token)

    def refresh(self, stale: str | None) -> str:
        """A new access token, unless another caller already replaced `stale`."""

        def change(current: OAuthTokens) -> OAuthTokens:
            if current.access_token != stale and current.fresh():
                return current
            return self._request(current.refresh_token)

        token = self._store.rotate(change).access_token
        if token is None:
            raise RetryableError("token endpoint gave no access token")
        return token

    def _request(self, refresh_token: str) -> OAuthTokens:
        response = send(
            self._http,
            "POST",
            self._token_url,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            headers={"Authorization": f"Basic {self._basic}", "Accept": "application/json"},
        )
        if response.status_code in (400, 401):
            raise PermanentError(f"re-authorize the connection: {_describe(response)}")
        body = json_of(check(response, _describe))
        lifetime = float(body.get("expires_in", 3600))
        return OAuthTokens(
            refresh_token=str(body.get("refresh_token") or refresh_token),
            access_token=str(body["access_token"]),
            expires_at=time.time() + lifetime - min(EARLY_S, lifetime / 4),
        )

    def request(
        self, method: str, url: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """An authorized request; on 401 the token is refreshed once and the request repeated."""
        token = self.access_token()
        for attempt in range(2):
            sent = {**(headers or {}), "Authorization": f"Bearer {token}"}
            response = send(self._http, method, url, headers=sent, **kwargs)
            if response.status_code != 401 or attempt:
                return response
            token = self.refresh(token)
        raise AssertionError("unreachable")
