"""The composition of connectors: an opened settings row in, a ready adapter out.

`RealConnectors` wires the HTTP adapters with one shared SSRF-guarded `httpx.Client`
(`service.security.ssrf`: internal addresses refused after resolution, redirects not
followed), OAuth tokens in the database and the tenant's learned aliases.
Tests pass their own factory. Must not decide anything about delivery: the dispatcher does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from service.bootstrap import Container
from service.connectors import Connector, PermanentError
from service.connectors.matching import AliasBook
from service.connectors.oauth import OAuthClient
from service.outbox.configs import secret_box
from service.outbox.tokens import DbTokenStore
from service.security.ssrf import guarded_client


@dataclass(frozen=True)
class ConnectorSpec:
    """One tenant's configured connector, settings opened, ready to build."""

    tenant_id: uuid.UUID
    connector: str
    config_id: uuid.UUID
    settings: dict[str, Any]
    aliases: AliasBook = field(default_factory=AliasBook)
    signing_secret: str = ""


ConnectorFactory = Callable[[ConnectorSpec], Connector]


def _need(settings: dict[str, Any], *keys: str) -> list[str]:
    missing = [key for key in keys if not settings.get(key)]
    if missing:
        raise PermanentError(f"connector settings lack {', '.join(missing)}")
    return [str(settings[key]) for key in keys]


class RealConnectors:
    """Builds the production adapters for a container."""

    def __init__(self, container: Container, http: httpx.Client | None = None) -> None:
        self._container = container
        timeout = container.settings.connectors.http_timeout_s
        # Tenants configure URLs: every call goes through the SSRF guard, redirects refused.
        allow = container.settings.allow_private_callbacks or None  # None: the environment
        self._http = http or guarded_client(timeout, allow)
        self._box = secret_box(container.settings)

    def _oauth(self, spec: ConnectorSpec, default_token_url: str) -> OAuthClient:
        client_id, client_secret = _need(spec.settings, "client_id", "client_secret")
        store = DbTokenStore(self._container.sessions, self._box, spec.config_id, spec.tenant_id)
        token_url = str(spec.settings.get("token_url") or default_token_url)
        return OAuthClient(self._http, token_url, client_id, client_secret, store)

    def __call__(self, spec: ConnectorSpec) -> Connector:
        """The adapter for this spec; PermanentError when its settings are incomplete."""
        builder = getattr(self, f"_build_{spec.connector}", None)
        if builder is None:
            raise PermanentError(f"no connector called {spec.connector}")
        connector: Connector = builder(spec)
        return connector

    def _build_quickbooks(self, spec: ConnectorSpec) -> Connector:
        from service.connectors import quickbooks

        realm, account = _need(spec.settings, "realm_id", "expense_account_id")
        return quickbooks.QuickBooksConnector(
            self._oauth(spec, quickbooks.TOKEN_URL),
            realm,
            account,
            base_url=str(spec.settings.get("base_url") or quickbooks.DEFAULT_BASE_URL),
            terms=dict(spec.settings.get("terms") or {}),
            aliases=spec.aliases,
        )

    def _build_xero(self, spec: ConnectorSpec) -> Connector:
        from service.connectors import xero

        tenant, account = _need(spec.settings, "xero_tenant_id", "account_code")
        return xero.XeroConnector(
            self._oauth(spec, xero.TOKEN_URL),
            tenant,
            account,
            base_url=str(spec.settings.get("base_url") or xero.DEFAULT_BASE_URL),
            aliases=spec.aliases,
        )

    def _build_webhook(self, spec: ConnectorSpec) -> Connector:
        from service.connectors.webhook import WebhookConnector

        (url,) = _need(spec.settings, "url")
        secret = str(spec.settings.get("secret") or spec.signing_secret)
        return WebhookConnector(self._http, url, secret)

    def _build_files(self, spec: ConnectorSpec) -> Connector:
        from service.connectors.files import FilesConnector

        root = self._container.settings.data_dir / "exports" / str(spec.tenant_id)
        return FilesConnector(root)

    def _build_buildertrend(self, spec: ConnectorSpec) -> Connector:
        from service.connectors.buildertrend import BuildertrendConnector

        root = self._container.settings.data_dir / "exports" / str(spec.tenant_id)
        return BuildertrendConnector(root / "buildertrend", spec.settings, spec.aliases)

    def _build_procore(self, spec: ConnectorSpec) -> Connector:
        from service.connectors import procore

        company, project = _need(spec.settings, "company_id", "project_id")
        return procore.ProcoreConnector(
            self._oauth(spec, procore.TOKEN_URL),
            company,
            project,
            base_url=str(spec.settings.get("base_url") or procore.DEFAULT_BASE_URL),
            aliases=spec.aliases,
        )
