"""A token bucket per lane that also honours ``Retry-After`` and learns a platform's limit.

Time is a number of seconds from an injectable source (the bot's clock), so tests and the
console drive it with a fake clock and never sleep.

* ``reserve(now)`` takes a token and returns 0, or returns how long to wait for one.
* ``pause(now, seconds)`` stops the lane after a 429 until the platform's ``Retry-After``.
* ``learn_limit(now)`` is called on a 429: the number of requests the platform accepted in
  the trailing window is its real limit; the bucket drops below it (with a margin and a burst
  small enough that no window can exceed it), so one 429 episode is the last.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["TokenBucket"]

# Aim a little under the limit: requests reach the platform with jitter, and a window that
# catches one early and one late request must still stay within the limit.
MARGIN = 0.97
_EPSILON = 1e-9
_MIN_WAIT = 1e-6


class TokenBucket:
    def __init__(self, rate: float, burst: int = 1, *, window: float = 1.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate * MARGIN if math.isfinite(rate) else rate
        self.burst = burst
        self.window = window
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
            self._tokens = 1.0  # the very first request may go at once
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

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

    def learn_limit(self, now: float) -> None:
        """After a 429: drop below what the platform accepted in its last window."""
        recent = sum(1 for t in self._accepted if t >= now - self.window)
        observed = recent / self.window
        if observed > 0:
            current = observed * 2 if self.unlimited else self.rate
            self.rate = max(min(observed * 0.9, current / 1.25), 0.2)
            # A window of length W holds at most burst + rate*W requests: keep that under
            # the observed limit.
            self.burst = max(1, min(self.burst, int(observed * self.window * 0.05)))
        elif not self.unlimited:
            self.rate = max(self.rate / 2, 0.2)  # no evidence of the limit: halve
        self._tokens = min(self._tokens, 0.0)
