"""The token bucket, on numbers only."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.ratelimit import HOLD, MARGIN, PROBE_SECONDS, TokenBucket, WindowGuard
from tests.delivery.local_platform import most_in_window


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
    assert most_in_window(sent, 1.0) <= math.floor(burst + 0.5 + rate * MARGIN) + 1
    assert len(sent) == len(arrivals)


def test_steady_rate_is_under_the_limit_with_room_for_jitter() -> None:
    sent = drive(TokenBucket(50, 1), [0.0] * 1000)
    achieved = (len(sent) - 1) / (sent[-1] - sent[0])
    assert achieved == pytest.approx(50 * MARGIN, rel=0.01)
    # arrivals up to 100 ms late still fit: no window of 0.9 s holds more than the limit
    assert most_in_window(sent, 1.0) <= 50 * MARGIN + 1
    assert most_in_window(sent, 1.1) <= 50


def test_pause_holds_every_request_until_retry_after() -> None:
    bucket = TokenBucket(100, 5)
    assert bucket.reserve(0.0) == 0
    bucket.pause(0.0, 30)
    assert bucket.reserve(1.0) == pytest.approx(29)
    assert bucket.reserve(30.0) == 0


def test_learning_the_limit_after_a_429() -> None:
    bucket = TokenBucket(50, 5)
    for i in range(48):  # sending at full speed; the platform accepted 20, then said 429
        bucket._tokens = 1.0
        assert bucket.reserve(9.0 + i * 0.02) == 0
        if i < 20:
            bucket.accepted(9.0 + i * 0.02)
    bucket.rate_limited(10.0, 1)
    assert bucket.ceiling <= 18 and bucket.rate <= 9 and bucket.burst == 1
    again = bucket.rate
    bucket.rate_limited(10.5, 1)  # a second 429 never speeds it up
    assert bucket.rate <= again


def send_for(
    bucket: TokenBucket, start: float, seconds: float, limit_until: float = -1.0
) -> list[float]:
    """A busy lane: every token is used at once; requests before ``limit_until`` get 429
    (Retry-After 1 s). Returns the times of requests sent after the storm."""
    clock, sent = start, []
    while clock < start + seconds:
        wait = bucket.reserve(clock)
        if wait > 0:
            clock += wait
            continue
        if clock < limit_until:
            bucket.rate_limited(clock, 1.0)
        else:
            bucket.accepted(clock)
            sent.append(clock)
    return sent


def test_a_429_storm_slows_the_lane_then_it_climbs_back_within_seconds() -> None:
    bucket = TokenBucket(5, 1)  # Slack-like: 5 a second
    send_for(bucket, 0.0, 10.0)
    assert bucket.rate == pytest.approx(5 * MARGIN)
    after = send_for(bucket, 10.0, 30.0, limit_until=15.0)  # 5 s of nothing but 429s
    # back to the configured rate within a few seconds of the storm's end …
    assert bucket.rate == pytest.approx(5 * MARGIN)
    late = [t for t in after if t >= 15.0 + HOLD + PROBE_SECONDS]
    achieved = (len(late) - 1) / (late[-1] - late[0])
    assert achieved >= 0.95 * 5 * MARGIN
    recovered = [t for t in after if t < 15.0 + 3.0]
    assert len(recovered) >= 0.5 * 3 * 5 * MARGIN  # at least half speed within 3 s
    # … and never above it: no one-second window holds more than the limit
    assert most_in_window(after, 1.0) <= 5


def test_a_lower_real_limit_is_kept_for_a_while_then_probed() -> None:
    bucket = TokenBucket(50, 1)
    for i in range(48):  # full speed; the platform accepted 30 of them
        bucket._tokens = 1.0
        bucket.reserve(i / 48)
        if i % 8 < 5:
            bucket.accepted(i / 48)
    bucket.rate_limited(1.0, 1.0)
    learned = bucket.ceiling
    assert 20 <= learned <= 30 * 0.9 + 1e-9
    send_for(bucket, 2.0, HOLD - 2.0)
    assert bucket.ceiling == learned  # held
    send_for(bucket, HOLD + 1.0, PROBE_SECONDS + 2.0)
    assert bucket.ceiling == pytest.approx(50 * MARGIN)  # probed back, never above


def test_unlimited_and_bad_values() -> None:
    bucket = TokenBucket(float("inf"))
    assert all(bucket.reserve(0.0) == 0 for _ in range(1000))
    with pytest.raises(ValueError):
        TokenBucket(0)


def send_with_jitter(
    delays: list[float], *, guard: WindowGuard | None, rate: float = 5.0
) -> list[float]:
    """The sender's loop in fake time: each request waits for the guard and a token, then
    reaches the platform ``delays[i]`` later (scheduling delays on a loaded machine) and is
    answered 10 ms after that. Returns the arrival times the platform counts."""
    bucket = TokenBucket(rate)
    clock, arrivals = 0.0, []
    answers: list[float] = []  # pending answer times
    for delay in delays:
        while True:
            for answer in sorted(a for a in answers if a <= clock):
                answers.remove(answer)
                if guard is not None:
                    guard.finish(answer)
            wait = guard.ready_in(clock) if guard is not None else 0.0
            wait = wait or bucket.reserve(clock)
            if wait == 0:
                break
            clock += wait
        if guard is not None:
            guard.start()
        arrivals.append(clock + delay)
        answers.append(clock + delay + 0.01)
    return sorted(arrivals)


def test_a_late_arrival_no_longer_squeezes_six_requests_into_one_second() -> None:
    # The chaos run's 429s after the storm: one request held up 150 ms on its way out, the
    # next ones on time — the bucket alone puts six arrivals into one second.
    delays = [0.15] + [0.0] * 11
    assert most_in_window(send_with_jitter(delays, guard=None), 1.0) == 6
    guarded = send_with_jitter(delays, guard=WindowGuard(5, 1.0))
    assert most_in_window(guarded, 1.0) == 5
    assert len(guarded) == 12


@given(delays=st.lists(st.floats(0, 0.6), min_size=1, max_size=60), limit=st.integers(1, 8))
@settings(max_examples=150, deadline=None)
def test_property_guarded_arrivals_never_exceed_the_limit(delays: list[float], limit: int) -> None:
    arrivals = send_with_jitter(delays, guard=WindowGuard(limit, 1.0), rate=float(limit))
    assert most_in_window(arrivals, 1.0) <= limit


def test_a_handed_over_window_is_waited_out() -> None:
    guard = WindowGuard(5, 1.0)
    guard.handed_over(10.0)  # another holder's term ended at t = 10 s
    assert guard.ready_in(10.3) == pytest.approx(0.7)
    assert guard.ready_in(11.0) == 0.0
