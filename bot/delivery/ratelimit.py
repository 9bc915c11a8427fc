"""A token bucket per lane that honours ``Retry-After``, slows after a 429 and climbs back.

Time is a number of seconds from an injectable source (the bot's clock), so tests and the
console drive it with a fake clock and never sleep.

* ``reserve(now)`` takes a token and returns 0, or returns how long to wait for one.
* ``rate_limited(now, retry_after)`` after a 429: nothing goes out before ``Retry-After``
  (exactly), the rate halves (multiplicative decrease), and then climbs back additively to
  its ceiling within a couple of seconds — a storm of 429s never slows a lane for good.
* The ceiling starts at the configured rate (a little under the platform's published
  limit) and never goes above it. A 429 that ends a window of accepted requests is evidence
  of a lower real limit: the ceiling drops just under what the platform
  accepted in its last window, stays there for ``HOLD`` seconds, then probes back up to the
  configured rate. A 429 after a window in which nothing was accepted (deep in a storm)
  teaches nothing.

The bucket spaces the moments requests *leave*; the platform counts the moments they
*arrive*, and on a loaded machine the two differ by scheduling delays (the chaos suite met
six requests in one second from a bucket that left five). :class:`WindowGuard` closes that
gap: a request counts against the window from the moment it starts until its answer came
back (it cannot have arrived later than that), plus one window.
"""

from __future__ import annotations

import bisect
import math
from collections import deque

__all__ = ["TokenBucket", "WindowGuard"]

# Aim a little under the limit: requests reach the platform with jitter, and a window that
# catches one early and one late request must still stay within the limit. 10 % leaves
# 100 ms of arrival jitter per one-second window at any rate (the chaos suite on a loaded
# 2-core machine met 429s with 3 % and 5 %).
MARGIN = 0.90
_EPSILON = 1e-9
_MIN_WAIT = 1e-6
HOLD = 10.0  # seconds a learned ceiling is kept before probing back up
PROBE_SECONDS = 5.0  # from a learned ceiling back up to the configured rate
FLOOR_SHARE = 0.05  # the rate never drops below this share of the configured one


class TokenBucket:
    def __init__(self, rate: float, burst: int = 1, *, window: float = 1.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate * MARGIN if math.isfinite(rate) else rate
        self.configured = self.rate
        self.ceiling = self.rate
        self.burst = burst
        self.configured_burst = burst
        self.window = window
        self._last_429: float | None = None
        self._tokens = 0.0  # start empty: a previous lease holder may have just spent a burst
        self._updated: float | None = None
        self._paused_until = 0.0
        self._accepted: deque[float] = deque()

    @property
    def unlimited(self) -> bool:
        return math.isinf(self.rate)

    @property
    def capacity(self) -> float:
        """Tokens the bucket can hold: the burst, plus half a token of slack at higher rates
        so a timer that fires a little late does not cost the next request its slot (a
        window then holds at most burst + 0.5 + rate × window requests, still under the
        limit thanks to the margin)."""
        slack = 0.5 if not self.unlimited and self.rate * self.window >= 20 else 0.0
        return self.burst + slack

    def _refill(self, now: float) -> None:
        if self._updated is None:
            self._updated = now
            # The very first request may go at once (a lane changes hands after its holder's
            # drain ran dry or its lease ran out: its last request is not in this window).
            self._tokens = 1.0
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now
        self._recover(now, elapsed)

    def _recover(self, now: float, elapsed: float) -> None:
        """Additive increase once the pause is over: the rate back to the ceiling in about
        two seconds, the ceiling back to the configured rate after ``HOLD``."""
        if self._last_429 is None or now < self._paused_until or self.unlimited:
            return
        if now - self._last_429 > HOLD and self.ceiling < self.configured:
            step = (self.configured - _floor_of(self)) / PROBE_SECONDS
            self.ceiling = min(self.configured, self.ceiling + step * elapsed)
            if self.ceiling >= self.configured:
                self.burst = self.configured_burst
        if self.rate < self.ceiling:
            self.rate = min(self.ceiling, self.rate + self.ceiling / 2 * elapsed)

    def ready_in(self, now: float) -> float:
        """Seconds until a token is available (0 when one is)."""
        if now < self._paused_until:
            return self._paused_until - now
        if self.unlimited:
            return 0.0
        self._refill(now)
        # Float sums of elapsed*rate land a hair under 1.0; a wait that small would not even
        # move the clock, so count it as a token.
        if self._tokens >= 1.0 - _EPSILON:
            return 0.0
        return max((1.0 - self._tokens) / self.rate, _MIN_WAIT)

    def reserve(self, now: float) -> float:
        """Take a token if one is available (returns 0), else return the wait in seconds."""
        wait = self.ready_in(now)
        if wait > 0:
            return wait
        if not self.unlimited:
            self._tokens = max(0.0, self._tokens - 1.0)
        return 0.0

    def accepted(self, now: float) -> None:
        """Record a request the platform accepted (for learning its limit on a 429)."""
        self._accepted.append(now)
        while self._accepted and self._accepted[0] < now - 4 * self.window:
            self._accepted.popleft()

    def pause(self, now: float, seconds: float) -> None:
        self._paused_until = max(self._paused_until, now + max(seconds, 0.0))
        self._tokens = min(self._tokens, 0.0)

    def rate_limited(self, now: float, retry_after: float) -> None:
        """A 429: wait out ``Retry-After``, halve the rate, learn a lower ceiling if the
        lane was sending near its rate when it came."""
        self._refill(now)
        self.pause(now, retry_after)
        self.learn_limit(now)
        self._last_429 = now

    def learn_limit(self, now: float) -> None:
        """After a 429: halve the rate; lower the ceiling just under what the platform
        accepted in its last window when that is evidence of its real limit."""
        recent = sum(1 for t in self._accepted if t >= now - self.window)
        observed = recent / self.window
        # Evidence of a limit: the platform accepted requests in the window that ended with
        # a 429. (Inside a storm, after the first pause, nothing was accepted: no evidence.)
        if observed > 0:
            self.ceiling = max(min(self.ceiling, observed * 0.9), _floor_of(self, observed))
            # A window of length W holds at most burst + rate*W requests: keep that under
            # the observed limit.
            self.burst = max(1, min(self.burst, int(observed * self.window * 0.05)))
            if self.unlimited:
                self.configured = self.ceiling  # no configured limit: what we learned is it
        if not self.unlimited:
            self.rate = max(min(self.rate, self.ceiling) / 2, _floor_of(self))
        self._tokens = min(self._tokens, 0.0)


def _floor_of(bucket: TokenBucket, observed: float = 0.0) -> float:
    reference = bucket.configured if math.isfinite(bucket.configured) else observed
    return max(reference * FLOOR_SHARE, 0.2)


class WindowGuard:
    """At most ``limit`` requests in any ``window`` at the platform, whatever the jitter.

    A request arrives somewhere between its start and its answer. So a new request may start
    only when fewer than ``limit`` earlier ones are in flight or were answered less than a
    window ago: every window of arrivals then holds at most ``limit`` (the last one to start
    in it saw all the others). ``handed_over(ended)`` counts a full window of requests by a
    previous lease holder whose term ended at ``ended``.
    """

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a window guard needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.in_flight = 0
        self._answered: list[float] = []  # sorted answer times still inside a window

    def ready_in(self, now: float) -> float:
        """Seconds until a request may start (0 when one may)."""
        horizon = now - self.window
        drop = bisect.bisect_right(self._answered, horizon)
        del self._answered[:drop]
        excess = self.in_flight + len(self._answered) - self.limit + 1
        if excess <= 0:
            return 0.0
        if excess > len(self._answered):  # the window is full of requests in flight
            return max(self.window / 20, _MIN_WAIT)
        return max(self._answered[excess - 1] + self.window - now, _MIN_WAIT)

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        bisect.insort(self._answered, now)

    def handed_over(self, ended: float) -> None:
        """The lane's previous holder (another process) may have filled the window that
        ends ``window`` after its term ended: wait that out."""
        for _ in range(self.limit):
            bisect.insort(self._answered, ended)
