"""A local fake of a chat platform's "send message" API, on a free port (aiohttp).

It enforces a sliding-window rate limit per lane (HTTP 429 with ``Retry-After``, like Slack
and Discord), fails at random with 5xx, can block chosen users (403) and revoke lanes (401),
adds latency, and records every request so tests can count deliveries per key.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from tests.delivery.local_platform import LocalPlatform, most_in_window


@dataclass
class Request:
    at: float  # monotonic seconds
    lane: str
    key: str
    status: int
    sender: str = ""


@dataclass
class FakePlatform(LocalPlatform):
    error_rate: float = 0.0  # share of requests answered 500/502/503 at random
    latency: float = 0.0  # seconds before answering
    seed: int = 7
    blocked_users: set[str] = field(default_factory=set)
    revoked_lanes: set[str] = field(default_factory=set)
    requests: list[Request] = field(default_factory=list)
    delivered: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/send", self._send)

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        lane, key, user = body.get("lane", ""), body.get("key", ""), body.get("user", "")
        sender = body.get("sender", "")
        now = time.monotonic()
        retry_after = self.retry_after(lane, now)
        if retry_after is not None:
            self.requests.append(Request(now, lane, key, 429, sender))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        if self.latency:
            await asyncio.sleep(self.latency)
        status = 200
        if lane in self.revoked_lanes:
            status = 401
        elif user and user in self.blocked_users:
            status = 403
        elif self.error_rate and self._random.random() < self.error_rate:
            status = self._random.choice((500, 502, 503))
        self.requests.append(Request(now, lane, key, status, sender))
        if status != 200:
            return web.json_response({"ok": False, "error": f"http {status}"}, status=status)
        self.delivered[key] += 1
        return web.json_response({"ok": True, "id": f"msg-{len(self.requests)}"})

    # --- what tests ask -------------------------------------------------------------------

    @property
    def rate_limited(self) -> list[Request]:
        return [r for r in self.requests if r.status == 429]

    def over_limit_after(self, seconds: float) -> int:
        """429s answered more than ``seconds`` after the first one (a sender that honours
        Retry-After and slows down has none once the first episode is over)."""
        limited = self.rate_limited
        if not limited:
            return 0
        first = limited[0].at
        return sum(1 for r in limited if r.at > first + seconds)

    def max_in_window(self, lane: str | None = None, *, after: float = 0.0) -> int:
        """The most non-429 requests seen in any window (sliding), after ``after``."""
        times = sorted(
            r.at
            for r in self.requests
            if r.status != 429 and r.at >= after and (lane is None or r.lane == lane)
        )
        return most_in_window(times, self.window)
