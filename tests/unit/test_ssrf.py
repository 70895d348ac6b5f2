"""SSRF guard (RELIABILITY.md A6): every listed disguise of an internal address is refused at
registration, a name resolving inside is refused at connect time with the checked address
pinned, redirects are not followed, and a listener on 127.0.0.1 receives nothing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from service.security.ssrf import UnsafeUrlError, check_url, guarded_client

REFUSED = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://2130706433/",
    "http://017700000001/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://127.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "ftp://example.com/",
    "http://user:pw@example.com/",
    "http://example.com:0/",
    "http://svc.internal/",
]
ALLOWED = ["https://hooks.example.com/x", "http://93.184.216.34:8443/cb", "https://[2606:4700::1]/"]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_and_odd_urls_are_refused(url: str) -> None:
    """Refused at registration."""
    with pytest.raises(UnsafeUrlError):
        check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ALLOWED)
def test_public_urls_pass(url: str) -> None:
    """Public http(s) URLs pass."""
    assert check_url(url, allow_private=False) == url


def test_schemes_are_checked_even_when_private_is_allowed() -> None:
    """DOCPROC_ALLOW_PRIVATE_CALLBACKS opens addresses, never file: or gopher:."""
    assert check_url("http://127.0.0.1:9/x", allow_private=True)
    with pytest.raises(UnsafeUrlError):
        check_url("gopher://127.0.0.1/", allow_private=True)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """An internal HTTP listener on 127.0.0.1 recording every request; redirects elsewhere."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(302 if self.path == "/redirect" else 200)
            self.send_header("Location", "http://127.0.0.1:1/internal")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def test_a_name_resolving_inside_is_refused_at_connect_time(
    listener: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name passes registration, then resolves to 127.0.0.1 — refused."""
    port, hits = listener
    real = socket.getaddrinfo

    def fake(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    url = f"http://rebind.example.com:{port}/hook"
    assert check_url(url, allow_private=False)
    with guarded_client(5, allow_private=False) as client, pytest.raises(httpx.ConnectError):
        client.post(url, content=b"{}")
    assert hits == []


def test_redirects_are_not_followed(listener: tuple[int, list[str]]) -> None:
    """A 302 is the answer; its Location is never requested."""
    port, hits = listener
    with guarded_client(5, allow_private=True) as client:
        response = client.post(f"http://127.0.0.1:{port}/redirect", content=b"{}")
    assert response.status_code == 302 and hits == ["/redirect"]


def test_internal_listener_gets_nothing_without_the_allowance(
    listener: tuple[int, list[str]],
) -> None:
    """Every refused form aimed at the listener's port: requests reaching it: 0."""
    port, hits = listener
    forms = ["127.0.0.1", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]", "localhost", "127.1"]
    with guarded_client(5, allow_private=False) as client:
        for host in forms:
            with pytest.raises((httpx.HTTPError, httpx.InvalidURL)):
                client.post(f"http://{host}:{port}/x", content=b"{}")
    assert hits == []
