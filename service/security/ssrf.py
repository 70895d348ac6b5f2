"""SSRF guard for callback and webhook URLs (RELIABILITY.md A6).

Owns which outbound URLs docproc may call: http(s) only, no credentials in the URL, and no
loopback, private, link-local, carrier-grade NAT, multicast, reserved or cloud-metadata
address — including the disguises (decimal, octal and hex IPv4 forms, IPv4-mapped and
IPv4-compatible IPv6, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo). `check_url` runs at
registration (literal addresses and names known to be internal); `guarded_client` checks
again at send time, after DNS resolution, inside the connection itself: the address that was
checked is the address connected to (DNS rebinding cannot swap it), and redirects are never
followed. `allow_private` (DOCPROC_ALLOW_PRIVATE_CALLBACKS) lifts the address rules for
tests and closed networks; schemes are still checked. Must not send anything itself.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOW_ENV = "DOCPROC_ALLOW_PRIVATE_CALLBACKS"
METADATA_HOSTS = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data",
    "instance-data.ec2.internal", "metadata.azure.com", "localhost", "localhost.localdomain",
    "ip6-localhost", "ip6-loopback",
})  # fmt: skip
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_EXTRA_BLOCKED = (
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrlError(ValueError):
    """The URL would reach a scheme or an address docproc must not call."""


def allow_private_default() -> bool:
    """DOCPROC_ALLOW_PRIVATE_CALLBACKS from the environment (true/1/yes)."""
    return os.environ.get(ALLOW_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    packed = address.packed
    if packed[:12] == bytes(12) and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(packed[12:])
    return None


def is_blocked(address: Address) -> bool:
    """True for any address that is not plainly global unicast."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_blocked(inner)
    if address.is_loopback or address.is_private or address.is_link_local:
        return True
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return True
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return True
    if any(address in network for network in _EXTRA_BLOCKED if network.version == address.version):
        return True
    return not address.is_global


def parse_host_address(host: str) -> Address | None:
    """A host written as an IP address in any form (incl. `2130706433`, `0177.1`, `0x7f.1`)."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:  # inet_aton reads the legacy decimal, octal and hex forms curl and browsers accept
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_url(url: str, allow_private: bool | None = None) -> str:
    """The URL if it may be called; UnsafeUrlError for a bad scheme or an internal address."""
    allow = allow_private_default() if allow_private is None else allow_private
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeUrlError(f"not a valid URL: {error}") from error
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeUrlError(f"scheme {parts.scheme or '(none)'!r} is not allowed; use http(s)")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeUrlError("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrlError("credentials in the URL are not allowed")
    if port == 0:
        raise UnsafeUrlError("port 0 is not allowed")
    if allow:
        return url
    if host in METADATA_HOSTS or host.endswith((".localhost", ".internal", ".local")):
        raise UnsafeUrlError(f"host {host!r} is internal")
    address = parse_host_address(host)
    if address is not None and is_blocked(address):
        raise UnsafeUrlError(f"address {address} is internal")
    return url


def check_addresses(host: str, addresses: Iterable[str]) -> list[str]:
    """The resolved addresses, or UnsafeUrlError when any of them is internal."""
    found = list(addresses)
    if not found:
        raise UnsafeUrlError(f"{host!r} does not resolve")
    for text in found:
        if is_blocked(ipaddress.ip_address(text.split("%", 1)[0])):
            raise UnsafeUrlError(f"{host!r} resolves to internal address {text}")
    return found


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (literal forms normalised first)."""
    literal = parse_host_address(host)
    if literal is not None:
        return [str(literal)]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend that resolves, checks and connects to the checked address."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first resolved address after checking all of them."""
        try:
            addresses = resolve(host, port)
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host!r}: {error}") from error
        if not self.allow_private:
            try:
                check_addresses(host, addresses)
            except UnsafeUrlError as error:
                raise httpcore.ConnectError(f"refused: {error}") from error
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


def guarded_transport(allow_private: bool | None = None) -> httpx.HTTPTransport:
    """An httpx transport whose every connection passes the address check."""
    allow = allow_private_default() if allow_private is None else allow_private
    transport = httpx.HTTPTransport()
    # httpx builds its pool without a backend parameter; swap in the guarded one.
    transport._pool._network_backend = GuardedBackend(allow)
    return transport


class GuardedClient(httpx.Client):
    """An httpx client that checks each URL and never follows redirects."""

    def __init__(self, allow_private: bool | None = None, **kwargs: Any) -> None:
        self.allow_private = allow_private_default() if allow_private is None else allow_private
        kwargs["follow_redirects"] = False
        super().__init__(transport=guarded_transport(self.allow_private), **kwargs)

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        """Check the URL, then send (the connection checks the resolved address again)."""
        try:
            check_url(str(request.url), self.allow_private)
        except UnsafeUrlError as error:
            raise httpx.ConnectError(f"refused: {error}", request=request) from error
        kwargs["follow_redirects"] = False
        return super().send(request, **kwargs)


def guarded_client(timeout: float, allow_private: bool | None = None) -> GuardedClient:
    """A client for callbacks and webhooks: guarded addresses, no redirects."""
    return GuardedClient(allow_private=allow_private, timeout=timeout)
