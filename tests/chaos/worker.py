"""One real bot instance for the chaos suite (a subprocess): the engine (dispatcher and
senders) on PostgreSQL, delivering to the chaos platform with the same idempotency the real
adapters use — a nonce (``discord`` mode) or metadata and a history look-up (``slack``)::

    python -m tests.chaos.worker DATABASE_URL PLATFORM_URL --instance a --mode slack \
        --skew 60

``--skew`` offsets this instance's clock (seconds); the engine follows the database's.
It prints ``ready`` once ticking and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.delivery.notifier import DeliveryResult
from bot.delivery.sender import SenderConfig
from bot.kernel.clock import SystemClock
from bot.kernel.effects import Effect, SendDirect
from tests.delivery.worker import engine_on, serve, worker_arguments


class SkewedClock(SystemClock):
    def __init__(self, seconds: float) -> None:
        self.offset = timedelta(seconds=seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ChaosNotifier:
    burst = 1
    concurrency = 4

    def __init__(self, url: str, lane: str, mode: str, rate: float, sender: str) -> None:
        self.url, self.lane, self.mode, self.sender = url, lane, mode, sender
        self.rate_per_second = rate
        self.session: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self.session

    async def deliver(self, effect: Effect) -> DeliveryResult:
        return await self.deliver_once(effect, "")

    async def deliver_once(self, effect: Effect, key: str) -> DeliveryResult:
        assert isinstance(effect, SendDirect)
        body = {"lane": self.lane, "user": effect.user.user_id, "key": key, "sender": self.sender}
        try:
            async with self._session().post(f"{self.url}/send", json=body) as response:
                if response.status == 200:
                    data = await response.json()
                    return DeliveryResult.sent(str(data.get("id", "")))
                if response.status == 429:
                    return DeliveryResult.rate_limited(float(response.headers["Retry-After"]))
                return DeliveryResult.transient(f"http {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            return DeliveryResult.transient(repr(error))

    async def find_delivered(self, rows: dict[str, Effect]) -> dict[str, str]:
        if self.mode != "slack":
            return {}
        found: dict[str, str] = {}
        users = {e.user.user_id for e in rows.values() if isinstance(e, SendDirect)}
        for user in users:  # one look-up per DM
            async with self._session().get(f"{self.url}/history", params={"user": user}) as r:
                keys = set((await r.json())["keys"])
            found.update({key: f"{user}:{key}" for key in rows if key in keys})
        return found


class ChaosNotifiers:
    def __init__(self, url: str, platform: str, mode: str, rate: float, sender: str) -> None:
        self.lane = f"{platform}:*" if platform == "slack" else platform
        self.args = (url, mode, rate, sender)
        self.made: dict[str, ChaosNotifier] = {}
        if platform != "slack":
            self.made[platform] = ChaosNotifier(url, platform, mode, rate, sender)

    def for_lane(self, lane: str) -> ChaosNotifier:
        if lane not in self.made:
            url, mode, rate, sender = self.args
            self.made[lane] = ChaosNotifier(url, lane, mode, rate, sender)
        return self.made[lane]

    async def close(self) -> None:
        for notifier in self.made.values():
            if notifier.session is not None:
                await notifier.session.close()


async def main() -> None:
    parser = worker_arguments(lease_ttl=10.0, tick=0.5)
    parser.add_argument("--mode", choices=("slack", "discord"), default="slack")
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--skew", type=float, default=0.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    config = SenderConfig(lease_ttl=timedelta(seconds=args.lease_ttl), max_in_flight=8)
    engine = engine_on(
        args.database,
        instance=args.instance,
        clock=SkewedClock(args.skew),
        pool_size=8,
        tick=args.tick,
        config=config,
    )
    notifiers = ChaosNotifiers(args.platform_url, args.mode, args.mode, args.rate, args.instance)
    if args.mode == "discord":
        engine.add_notifier(notifiers.made["discord"])
    else:
        engine.add_notifier(notifiers)
    await serve(engine, notifiers.close)


if __name__ == "__main__":
    asyncio.run(main())
