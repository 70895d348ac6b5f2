"""The `/v1/connectors` routes: which systems a tenant delivers to, with which settings.

Thin: validate, call `service.outbox.configs`, answer. Secrets are sealed before they are
stored and never returned (a mask stands in; sending the mask back keeps the stored value).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from service.api.deps import CallerDep, ContainerDep
from service.api.errors import ERROR_RESPONSES, ApiError
from service.connectors.vault import MASK, SECRET_KEYS, masked
from service.db.session import unit_of_work
from service.db.tables import ConnectorConfigRecord, TenantRecord
from service.outbox.configs import (
    CONNECTORS,
    AliasInput,
    get_config,
    learn_alias,
    list_configs,
    put_config,
    secret_box,
)
from service.security.ssrf import UnsafeUrlError, check_url

router = APIRouter(tags=["connectors"], responses=ERROR_RESPONSES)


class ConnectorIn(BaseModel):
    """A connector's settings as sent (secrets in clear; they are sealed at once)."""

    enabled: bool = True
    project_filter: str | None = Field(default=None, description="only documents of this project")
    settings: dict[str, Any] = Field(default_factory=dict)


class ConnectorView(BaseModel):
    """A connector's settings as shown (secrets masked)."""

    connector: str
    enabled: bool
    project_filter: str | None
    settings: dict[str, Any]


class ConnectorList(BaseModel):
    """Every configured connector of the tenant."""

    connectors: list[ConnectorView]


class AliasIn(BaseModel):
    """A person's mapping of an extracted name to a record of the system."""

    kind: Literal["vendor", "project"]
    alias: str = Field(min_length=1, max_length=255)
    target_name: str = Field(min_length=1, max_length=255)
    target_id: str | None = Field(default=None, max_length=255)


class DeliverySettings(BaseModel):
    """Tenant-wide delivery switches."""

    auto_approve: bool = Field(description="approve a document that needs no review on its own")


def _view(record: ConnectorConfigRecord) -> ConnectorView:
    return ConnectorView(
        connector=record.connector,
        enabled=record.enabled,
        project_filter=record.project_filter,
        settings=masked(record.settings),
    )


URL_KEYS = ("url", "base_url", "token_url")


def _check_urls(settings: dict[str, Any], allow_private: bool | None) -> None:
    """Refuse URLs to internal addresses at registration (checked again at send time)."""
    for key in URL_KEYS:
        if key in settings:
            try:
                check_url(str(settings[key]), allow_private)
            except UnsafeUrlError as error:
                raise ApiError(422, "unsafe_url", f"{key}: {error}") from error


def _known(name: str) -> str:
    if name not in CONNECTORS and name != "*":
        raise ApiError(404, "not_found", f"no connector called {name}; one of {CONNECTORS}")
    return name


def _check_webhook_url(name: str, settings: dict[str, Any]) -> None:
    """SSRF guard at registration: a webhook URL must not point inside the network."""
    from service.security.ssrf import UnsafeUrlError, check_url

    if name == "webhook" and isinstance(settings.get("url"), str):
        try:
            check_url(settings["url"])
        except UnsafeUrlError as error:
            raise ApiError(422, "invalid_url", f"webhook url refused: {error}") from error


@router.get("/v1/connectors", response_model=ConnectorList, summary="Configured connectors")
def list_connectors(container: ContainerDep, caller: CallerDep) -> ConnectorList:
    """The tenant's connectors with their settings (secrets masked)."""
    with container.sessions() as session:
        return ConnectorList(connectors=[_view(r) for r in list_configs(session, caller.tenant_id)])


@router.put("/v1/connectors/{name}", response_model=ConnectorView, summary="Configure one")
def put_connector(
    name: str, body: ConnectorIn, container: ContainerDep, caller: CallerDep
) -> ConnectorView:
    """Create or replace the connector's settings (per tenant; `project_filter` per project)."""
    if _known(name) == "*":
        raise ApiError(404, "not_found", "no connector called *")
    with unit_of_work(container.sessions) as session:
        current = get_config(session, caller.tenant_id, name)
        settings = dict(body.settings)
        _check_urls(settings, container.settings.allow_private_callbacks or None)
        _check_webhook_url(name, settings)
        for key in SECRET_KEYS & set(settings):
            if settings[key] == MASK and current is not None and key in current.settings:
                settings[key] = current.settings[key]
        record = put_config(
            session,
            secret_box(container.settings),
            caller.tenant_id,
            name,
            enabled=body.enabled,
            project_filter=body.project_filter,
            settings=settings,
        )
        return _view(record)


@router.put("/v1/connectors/{name}/aliases", response_model=AliasIn, summary="Teach a name")
def put_alias(name: str, body: AliasIn, container: ContainerDep, caller: CallerDep) -> AliasIn:
    """Map an extracted vendor or project name to the system's record (`*`: every system)."""
    with unit_of_work(container.sessions) as session:
        learn_alias(
            session,
            caller.tenant_id,
            _known(name),
            AliasInput(body.kind, body.alias, body.target_name, body.target_id),
        )
    return body


@router.get("/v1/delivery/settings", response_model=DeliverySettings, summary="Delivery switches")
def get_delivery_settings(container: ContainerDep, caller: CallerDep) -> DeliverySettings:
    """Whether documents that need no review are approved on their own."""
    with container.sessions() as session:
        tenant = session.get(TenantRecord, caller.tenant_id)
        return DeliverySettings(auto_approve=bool(tenant and tenant.auto_approve))


@router.put("/v1/delivery/settings", response_model=DeliverySettings, summary="Set them")
def put_delivery_settings(
    body: DeliverySettings, container: ContainerDep, caller: CallerDep
) -> DeliverySettings:
    """Switch auto-approval on or off for the tenant."""
    with unit_of_work(container.sessions) as session:
        tenant = session.get(TenantRecord, caller.tenant_id)
        if tenant is not None:
            tenant.auto_approve = body.auto_approve
    return body
