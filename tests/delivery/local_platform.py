"""What the local fakes of a chat platform share (``tests.delivery.fake_platform`` and
``tests.chaos.platform``): an aiohttp server on a free port, a sliding-window rate limit per
lane like Slack's and Discord's, and the count the tests judge a sender by — the most
requests in any one window."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiohttp import web


def most_in_window(times: Sequence[float], window: float) -> int:
    """The most of ``times`` (sorted) that fall within any one ``window`` (sliding)."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


@dataclass
class LocalPlatform(ABC):
    """A platform's API on ``url`` once started; subclasses add their routes."""

    limit: int = 50  # requests per window per lane
    window: float = 1.0
    url: str = ""
    _recent: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _runner: web.AppRunner | None = None

    @abstractmethod
    def add_routes(self, app: web.Application) -> None:
        """The platform's API routes (each subclass has its own)."""

    async def start(self) -> str:
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def retry_after(self, lane: str, now: float) -> int | None:
        """Count a request on ``lane`` at ``now`` against the limit: ``None`` when it is
        let through, else the seconds its 429 asks the sender to wait (``Retry-After``)."""
        recent = self._recent[lane]
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return max(1, math.ceil(recent[0] + self.window - now))
        recent.append(now)
        return None
