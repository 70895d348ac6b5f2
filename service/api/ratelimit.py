"""A fixed-window request counter per API key, in process memory.

Good enough for one API process (A8): one key over its budget gets 429 with Retry-After and
other keys are unaffected. Several API processes each count separately; a shared counter
(Redis or the database) would replace this class behind the same method.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable

_WINDOW_S = 60.0


class RateLimiter:
    """At most `per_minute` requests per key in each 60-second window.

    A key's window opens with its first request (not on the clock's minute), so a burst is
    never split across two windows and let through twice.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[uuid.UUID, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key_id: uuid.UUID) -> float | None:
        """Count one request; None when allowed, else the seconds until the window resets."""
        now = self.clock()
        with self._lock:
            start, count = self._windows.get(key_id, (now, 0))
            if now - start >= _WINDOW_S:
                start, count = now, 0
            count += 1
            self._windows[key_id] = (start, count)
            if len(self._windows) > 10_000:
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < _WINDOW_S}
        if count <= self.per_minute:
            return None
        return max(1.0, math.ceil(start + _WINDOW_S - now))
