"""The per-key rate limit: a burst is counted in one window wherever the clock stands, other
keys are unaffected, and Retry-After says when the key's window ends."""

from __future__ import annotations

import uuid

import pytest

from service.api.ratelimit import RateLimiter


class Clock:
    """A settable clock (seconds)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("start", [0.0, 59.9, 119.95, 1_000_000.5])
def test_a_burst_is_limited_wherever_the_minute_stands(start: float) -> None:
    clock = Clock(start)
    limiter = RateLimiter(3, clock=clock)
    key, other = uuid.uuid4(), uuid.uuid4()
    answers = []
    for _ in range(5):
        answers.append(limiter.hit(key))
        clock.now += 0.05
    assert answers[:3] == [None, None, None]
    assert answers[3] is not None and answers[4] is not None
    assert 1 <= answers[4] <= 60
    assert limiter.hit(other) is None


def test_the_window_reopens_after_a_minute() -> None:
    clock = Clock(10.0)
    limiter = RateLimiter(1, clock=clock)
    key = uuid.uuid4()
    assert limiter.hit(key) is None
    clock.now = 40.0
    assert limiter.hit(key) == 30
    clock.now = 70.0
    assert limiter.hit(key) is None
