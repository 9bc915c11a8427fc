"""A Notifier that talks HTTP to the fake platform (what a real adapter does, minus SDKs)."""

from __future__ import annotations

import aiohttp

from bot.delivery.notifier import DeliveryResult
from bot.kernel.effects import Effect, Post, SendDirect


def delivery_key(effect: Effect) -> tuple[str, str]:
    """(user, key): the key identifies one reminder (user and text)."""
    text = getattr(effect, "message", None)
    body = text.text if text is not None else ""
    if isinstance(effect, SendDirect):
        return effect.user.user_id, f"{effect.user.user_id}|{body}"
    if isinstance(effect, Post):
        return "", f"#{effect.channel.id}|{body}"
    return "", body


class HttpNotifier:
    def __init__(
        self,
        url: str,
        lane: str,
        *,
        rate_per_second: float = 50.0,
        concurrency: int = 4,
        sender: str = "",
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.url = url
        self.sender = sender
        self.lane = lane
        self.rate_per_second = rate_per_second
        self.concurrency = concurrency
        self._session = session

    async def deliver(self, effect: Effect) -> DeliveryResult:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        user, key = delivery_key(effect)
        try:
            async with self._session.post(
                f"{self.url}/send",
                json={"lane": self.lane, "key": key, "user": user, "sender": self.sender},
            ) as response:
                data = await response.json()
                if response.status == 200:
                    return DeliveryResult.sent(str(data.get("id", "")))
                if response.status == 429:
                    return DeliveryResult.rate_limited(
                        float(response.headers.get("Retry-After", "1"))
                    )
                if response.status == 403:
                    return DeliveryResult.blocked("cannot_dm")
                if response.status == 401:
                    return DeliveryResult.uninstalled("invalid_auth")
                if response.status >= 500:
                    return DeliveryResult.transient(f"http {response.status}")
                return DeliveryResult.permanent(f"http {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            return DeliveryResult.transient(repr(error))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class HttpNotifiers:
    """The wildcard form: one HttpNotifier per lane of a platform (``slack:*``)."""

    def __init__(self, url: str, platform: str, **kwargs: object) -> None:
        self.url = url
        self.lane = f"{platform}:*"
        self.kwargs = kwargs
        self.made: dict[str, HttpNotifier] = {}

    def for_lane(self, lane: str) -> HttpNotifier:
        if lane not in self.made:
            self.made[lane] = HttpNotifier(self.url, lane, **self.kwargs)  # type: ignore[arg-type]
        return self.made[lane]

    async def close(self) -> None:
        for notifier in self.made.values():
            await notifier.close()
