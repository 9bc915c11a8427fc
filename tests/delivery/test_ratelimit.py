"""The token bucket, on numbers only."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.ratelimit import MARGIN, TokenBucket


def drive(bucket: TokenBucket, arrivals: list[float]) -> list[float]:
    """Each arrival waits for a token (like the sender); returns the send times."""
    sent = []
    clock = 0.0
    for arrival in sorted(arrivals):
        clock = max(clock, arrival)
        wait = bucket.reserve(clock)
        while wait > 0:
            clock += wait
            wait = bucket.reserve(clock)
        sent.append(clock)
    return sent


def max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


@given(
    rate=st.floats(1, 200),
    burst=st.integers(1, 10),
    arrivals=st.lists(st.floats(0, 20), min_size=1, max_size=300),
)
@settings(max_examples=150, deadline=None)
def test_property_no_window_exceeds_burst_plus_rate(
    rate: float, burst: int, arrivals: list[float]
) -> None:
    sent = drive(TokenBucket(rate, burst), arrivals)
    assert max_in_window(sent, 1.0) <= math.floor(burst + 0.5 + rate * MARGIN) + 1
    assert len(sent) == len(arrivals)


def test_steady_rate_is_just_under_the_limit() -> None:
    sent = drive(TokenBucket(50, 1), [0.0] * 1000)
    achieved = (len(sent) - 1) / (sent[-1] - sent[0])
    assert 0.95 * 50 <= achieved <= 50
    assert max_in_window(sent, 1.0) <= 50


def test_pause_holds_every_request_until_retry_after() -> None:
    bucket = TokenBucket(100, 5)
    assert bucket.reserve(0.0) == 0
    bucket.pause(0.0, 30)
    assert bucket.reserve(1.0) == pytest.approx(29)
    assert bucket.reserve(30.0) == 0


def test_learning_the_limit_after_a_429() -> None:
    bucket = TokenBucket(50, 5)
    for i in range(20):  # the platform accepted 20 in the last second, then said 429
        bucket.accepted(9.0 + i * 0.05)
    bucket.learn_limit(10.0)
    assert bucket.rate <= 18 and bucket.burst == 1
    again = bucket.rate
    bucket.learn_limit(10.5)  # a second 429 never speeds it up
    assert bucket.rate <= again


def test_unlimited_and_bad_values() -> None:
    bucket = TokenBucket(float("inf"))
    assert all(bucket.reserve(0.0) == 0 for _ in range(1000))
    with pytest.raises(ValueError):
        TokenBucket(0)
