"""A Slack-compatible webhook receiver on 127.0.0.1 for alert tests: records each {"text"}.

Can be told to fail (503) to show that an undelivered alert is tried again on the next tick.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class AlertReceiver:
    """What the receiver got, and whether it should answer 503."""

    url: str = ""
    texts: list[str] = field(default_factory=list)
    failing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def matching(self, needle: str) -> list[str]:
        """Received texts containing `needle`."""
        with self.lock:
            return [t for t in self.texts if needle in t]


@contextmanager
def alert_receiver() -> Iterator[AlertReceiver]:
    """A started receiver; stopped afterwards."""
    receiver = AlertReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if receiver.failing:
                self.send_response(503)
                self.end_headers()
                return
            with receiver.lock:
                receiver.texts.append(str(json.loads(body)["text"]))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/alerts"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
