"""A chat platform that misbehaves, on a free port (aiohttp), for the chaos suite.

* a sliding-window rate limit per lane (HTTP 429 with ``Retry-After``);
* ``error_rate`` of requests answered 5xx without keeping the message;
* ``lost_rate`` of requests *kept*, then the connection dropped before the answer;
* a 429 storm: every request refused for ``storm_seconds`` from ``storm()``;
* ``discord`` mode: a message ``key`` repeated within ``nonce_window`` returns the first
  message (Discord's ``enforce_nonce``); ``slack`` mode: ``GET /history`` lists the keys a
  person's DM holds (Slack's ``conversations.history`` with metadata).

It records every request, so the suite can count people, losses, duplicates, the peak rate
in any one-second window and the 429s met after the storm.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from aiohttp import web

from tests.delivery.local_platform import LocalPlatform, most_in_window


@dataclass
class Hit:
    at: float  # time.time()
    lane: str
    user: str
    status: int
    sender: str


@dataclass
class ChaosPlatform(LocalPlatform):
    limit: int = 5  # requests per window per lane
    mode: str = "slack"  # or "discord"
    error_rate: float = 0.10
    lost_rate: float = 0.03
    nonce_window: float = 180.0
    seed: int = 14
    hits: list[Hit] = field(default_factory=list)
    delivered: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    history: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    nonces: dict[str, float] = field(default_factory=dict)
    storm_from: float = 0.0
    storm_until: float = 0.0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/send", self._send)
        app.router.add_get("/history", self._history)

    def storm(self, seconds: float) -> None:
        self.storm_from = time.time()
        self.storm_until = self.storm_from + seconds

    async def _history(self, request: web.Request) -> web.Response:
        user = request.query.get("user", "")
        return web.json_response({"keys": sorted(self.history.get(user, set()))})

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        lane, user, key = body["lane"], body["user"], body.get("key", "")
        sender = body.get("sender", "")
        now = time.time()
        if now < self.storm_until:
            self.hits.append(Hit(now, lane, user, 429, sender))
            return web.json_response({"ok": False}, status=429, headers={"Retry-After": "1"})
        retry = self.retry_after(lane, now)
        if retry is not None:
            self.hits.append(Hit(now, lane, user, 429, sender))
            return web.json_response({"ok": False}, status=429, headers={"Retry-After": str(retry)})
        roll = self._random.random()
        if roll < self.error_rate:
            self.hits.append(Hit(now, lane, user, 500, sender))
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        self.hits.append(Hit(now, lane, user, 200, sender))
        first = self.nonces.get(key) if self.mode == "discord" and key else None
        if first is None or now - first >= self.nonce_window:
            self.delivered[user].append(now)
            self.history[user].add(key)
            if key:
                self.nonces[key] = now
        if roll < self.error_rate + self.lost_rate and request.transport is not None:
            request.transport.close()  # kept, but the answer never arrives
        return web.json_response({"ok": True, "id": f"{user}:{key}"})

    # --- figures ----------------------------------------------------------------------------

    def peak(self, lane: str | None = None) -> int:
        """The most requests the limit counted (not 429s) in any one-second window."""
        times = sorted(h.at for h in self.hits if h.status != 429 and lane in (None, h.lane))
        return most_in_window(times, self.window)

    def limited_after_storm(self) -> int:
        return sum(1 for h in self.hits if h.status == 429 and h.at >= self.storm_until)
