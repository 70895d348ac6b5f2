"""The machinery every contract server shares: an HTTP server whose socket we control, a
SQLite record store, OAuth 2 with refresh-token rotation, and fault injection.

Faults, chosen at random at `rate` or scripted per request (`POST /_control/faults`):
`500` (the system's error body), `429` (with `Retry-After`), `timeout` (no answer until the
client gives up; nothing written) and `lost` (the request is carried out and committed, then
the connection is dropped without a response). `/_control/*` is never faulted. Runs in a
thread (`ContractServer`) or as its own process (`ServerProcess`, `python -m
tests.contract_servers.<name> --port … --state …`) so tests can stop and restart it.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = ("500", "429", "timeout", "lost")
PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Request:
    """One API request as the handler received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (None when empty or not JSON)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass
class Response:
    """What the handler sends back."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def now_iso() -> str:
    """Now as QuickBooks and Xero print times."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """Records in SQLite: objects by kind, idempotent answers, counters, OAuth tokens."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.lock = threading.RLock()
        self._db.executescript(
            """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS objects (kind TEXT, id TEXT, body TEXT,
                                                PRIMARY KEY (kind, id));
            CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, status INT, body TEXT);
            CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INT);
            CREATE TABLE IF NOT EXISTS tokens (value TEXT PRIMARY KEY, kind TEXT, state TEXT,
                                               expires REAL, rotated REAL);
            """
        )

    def put(self, kind: str, key: str, body: dict[str, Any]) -> None:
        """Insert or replace one object."""
        with self.lock:
            self._db.execute(
                "INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", (kind, key, json.dumps(body))
            )

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """One object, or None."""
        with self.lock:
            row = self._db.execute(
                "SELECT body FROM objects WHERE kind = ? AND id = ?", (kind, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every object of a kind, in insertion order."""
        with self.lock:
            rows = self._db.execute(
                "SELECT body FROM objects WHERE kind = ? ORDER BY rowid", (kind,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def next_id(self, name: str = "id") -> int:
        """A counter's next value (ids the system hands out)."""
        with self.lock:
            self._db.execute(
                "INSERT INTO counters VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1",
                (name,),
            )
            row = self._db.execute("SELECT n FROM counters WHERE name = ?", (name,)).fetchone()
            return int(row[0])

    def answer(self, key: str) -> Response | None:
        """The stored answer of an idempotent request, or None."""
        with self.lock:
            row = self._db.execute("SELECT status, body FROM answers WHERE key = ?", (key,))
            found = row.fetchone()
        return Response(int(found[0]), json.loads(found[1])) if found else None

    def remember(self, key: str, response: Response) -> None:
        """Keep an answer to replay for the same idempotency key."""
        with self.lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                (key, response.status, json.dumps(response.body)),
            )

    def token(self, value: str) -> tuple[str, str, float, float] | None:
        """(kind, state, expires, rotated) of a token, or None."""
        with self.lock:
            row = self._db.execute(
                "SELECT kind, state, expires, rotated FROM tokens WHERE value = ?", (value,)
            ).fetchone()
        return (str(row[0]), str(row[1]), float(row[2]), float(row[3])) if row else None

    def put_token(
        self, value: str, kind: str, state: str, expires: float, rotated: float = 0.0
    ) -> None:
        """Store or update a token."""
        with self.lock:
            self._db.execute(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?, ?)",
                (value, kind, state, expires, rotated),
            )

    def expire_access_tokens(self) -> None:
        """Every access token expires now (tests of the 401 → refresh path)."""
        with self.lock:
            self._db.execute("UPDATE tokens SET expires = 0 WHERE kind = 'access'")


@dataclass
class FaultPlan:
    """Random faults at `rate` among `kinds`, plus a script of faults for matching requests."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULTS
    retry_after_s: int = 1
    hang_s: float = 2.0
    seed: int | None = None
    script: list[dict[str, str]] = field(default_factory=list)
    _random: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random.seed(self.seed)

    def pick(self, method: str, path: str) -> str | None:
        """The fault for this request, or None."""
        with self._lock:
            for index, entry in enumerate(self.script):
                wanted_method, _, fragment = entry["match"].partition(" ")
                if wanted_method == method and fragment in path:
                    del self.script[index]
                    return entry["fault"]
            if self.rate and self._random.random() < self.rate:
                return self._random.choice(self.kinds)
        return None


@dataclass
class OAuthConfig:
    """The one OAuth client the server knows, and how long its tokens live."""

    client_id: str = "docproc-test"
    client_secret: str = "s3cret"
    access_lifetime_s: float = 3600.0
    refresh_grace_s: float = 1800.0


class Api:
    """A system's API: subclasses implement `handle` and the error shapes."""

    name = "api"
    token_path = "/oauth/token"

    def __init__(self, store: Store, oauth: OAuthConfig) -> None:
        self.store = store
        self.oauth = oauth

    def handle(self, request: Request) -> Response:
        """Answer one API request."""
        raise NotImplementedError

    def error(self, status: int, message: str) -> Response:
        """The system's error body for a status."""
        return Response(status, {"error": message})

    def unauthorized(self) -> Response:
        """The system's 401."""
        return Response(401, {"error": "unauthorized"})

    def records(self) -> dict[str, Any]:
        """What exists, for the tests' counts."""
        return {}

    def authorized(self, request: Request) -> bool:
        """True when the request carries a live access token."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        found = self.store.token(token.strip()) if scheme.lower() == "bearer" else None
        return found is not None and found[0] == "access" and found[2] > time.time()

    def seed_refresh_token(self, value: str) -> None:
        """Make `value` a current refresh token (what a consent flow would have issued)."""
        if self.store.token(value) is None:
            self.store.put_token(value, "refresh", "current", time.time() + 100 * 86400)

    def token_endpoint(self, request: Request) -> Response:
        """`grant_type=refresh_token` with HTTP Basic client auth; the refresh token rotates."""
        expected = base64.b64encode(
            f"{self.oauth.client_id}:{self.oauth.client_secret}".encode()
        ).decode()
        if request.headers.get("authorization", "") != f"Basic {expected}":
            return Response(401, {"error": "invalid_client"})
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return Response(400, {"error": "unsupported_grant_type"})
        with self.store.lock:
            found = self.store.token(form.get("refresh_token", ""))
            now = time.time()
            usable = (
                found is not None
                and found[0] == "refresh"
                and (found[1] == "current" or now - found[3] < self.oauth.refresh_grace_s)
            )
            if not usable:
                return Response(400, {"error": "invalid_grant"})
            self.store.put_token(form["refresh_token"], "refresh", "previous", 0, now)
            access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            self.store.put_token(access, "access", "current", now + self.oauth.access_lifetime_s)
            self.store.put_token(refresh, "refresh", "current", now + 100 * 86400)
        return Response(
            200,
            {
                "access_token": access,
                "refresh_token": refresh,
                "token_type": "bearer",
                "expires_in": int(self.oauth.access_lifetime_s),
                "x_refresh_token_expires_in": 8726400,
            },
        )


def _handler(api: Api, faults: FaultPlan) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Buffered: headers and body leave in one segment (no Nagle / delayed-ACK stalls).
        wbufsize = 1 << 16

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _request(self) -> Request:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            return Request(
                self.command,
                parts.path,
                {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )

        def _send(self, response: Response) -> None:
            raw = response.body
            body = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _serve(self) -> None:
            request = self._request()
            answer = _answer(api, faults, request)
            if answer is None:
                return self._drop()
            self._send(answer)

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

    return Handler


def _answer(api: Api, faults: FaultPlan, request: Request) -> Response | None:
    """The response to send, or None to drop the connection without one."""
    if request.path.startswith("/_control/"):
        return _control(api, faults, request)
    fault = faults.pick(request.method, request.path)
    if fault == "500":
        return api.error(500, "scripted internal error")
    if fault == "429":
        response = api.error(429, "rate limit exceeded")
        response.headers["Retry-After"] = str(faults.retry_after_s)
        return response
    if fault == "timeout":
        time.sleep(faults.hang_s)
        return None
    if request.path == api.token_path:
        response = api.token_endpoint(request)
    elif not api.authorized(request):
        response = api.unauthorized()
    else:
        response = api.handle(request)
    return None if fault == "lost" else response  # "lost": committed, the answer never arrives


def _control(api: Api, faults: FaultPlan, request: Request) -> Response:
    action = request.path.removeprefix("/_control/")
    if action == "records":
        return Response(200, api.records())
    if action == "faults":
        body = request.json() or {}
        faults.rate = float(body.get("rate", faults.rate))
        faults.script.extend(body.get("script", []))
        faults.retry_after_s = int(body.get("retry_after_s", faults.retry_after_s))
        return Response(200, {"rate": faults.rate, "script": faults.script})
    if action == "expire-tokens":
        api.store.expire_access_tokens()
        return Response(200, {"expired": True})
    return Response(404, {"error": "no such control"})


class _QuietServer(ThreadingHTTPServer):
    """Clients that time out and hang up are part of the game: no tracebacks for them."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore connections the client dropped; report anything else."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class ContractServer:
    """A contract server in a thread of the test process, on a free 127.0.0.1 port."""

    def __init__(self, api: Api, faults: FaultPlan | None = None, port: int = 0) -> None:
        self.api = api
        self.faults = faults or FaultPlan()
        self.httpd = _QuietServer(("127.0.0.1", port), _handler(api, self.faults))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> ContractServer:
        """Start serving."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, *entries: tuple[str, str]) -> None:
        """Queue faults: (`"POST /bill"`, `"lost"`) hits the next matching request."""
        self.faults.script.extend({"match": m, "fault": f} for m, f in entries)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of a contract server process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", required=True, help="SQLite file that keeps the records")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--hang", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--access-lifetime", type=float, default=3600.0)
    parser.add_argument("--refresh-token", default="initial-refresh-token")
    return parser.parse_args(argv)


def main(make_api: Callable[[Store, OAuthConfig], Api], argv: list[str] | None = None) -> None:
    """Run a contract server process until SIGTERM."""
    args = arguments(argv)
    api = make_api(Store(args.state), OAuthConfig(access_lifetime_s=args.access_lifetime))
    api.seed_refresh_token(args.refresh_token)
    faults = FaultPlan(
        rate=args.fault_rate, retry_after_s=args.retry_after, hang_s=args.hang, seed=args.seed
    )
    server = ContractServer(api, faults, args.port)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.stop).start())
    server.httpd.serve_forever()


class ServerProcess:
    """A contract server as a child process; stop and start it again on the same port."""

    def __init__(self, module: str, state: Path, port: int, *extra: str) -> None:
        self.module, self.state, self.port, self.extra = module, state, port, extra
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        """Start the process and wait until it answers."""
        command = [
            sys.executable,
            "-m",
            f"tests.contract_servers.{self.module}",
            "--port",
            str(self.port),
            "--state",
            str(self.state),
            *self.extra,
        ]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.module} contract server did not start")

    def stop(self) -> None:
        """Kill the process (its records stay in the state file)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """Stop, then start on the same port with the same records."""
        self.stop()
        self.start()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
