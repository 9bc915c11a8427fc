"""The scheduling engine's notifier for the ``discord`` lane.

One bot shares one global limit, 50 requests a second: that is the lane's rate, so the
sender never hands over more than 50 deliveries a second, and a pacer here keeps the
*requests* under it too when a DM channel must be opened first. discord.py's per-route
buckets and its handling of 429 (waiting ``retry_after``; all requests wait out a global
one) sit underneath; a wait longer than 30 s comes back to the sender as ``rate_limited``.

Errors map onto the port's outcomes:

* 50007 *Cannot send messages to this user* (DMs closed, bot blocked, no shared server) and
  10013 *Unknown user* are ``blocked``: tried once, the member is marked and their
  schedules stop — never retried;
* 40003 *You are opening direct messages too fast* is ``rate_limited``: the lane pauses,
  longer each time it happens again;
* 5xx, timeouts and dropped connections are ``transient`` (retried with backoff);
* anything else (a deleted channel, missing permissions, a bad payload) is ``permanent``
  for that one message.

Idempotency: the sender calls :meth:`DiscordNotifier.deliver_once` with the outbox row's key
(20 characters, salted per deployment); it goes out as the message ``nonce`` with
``enforce_nonce`` (discord.py adds it whenever a nonce is given), so a resend of an
uncertain row within Discord's window of a few minutes returns the first message instead of
creating a second. A chart travels in the same request as its message, so it is covered
too. An ``Update`` (an edit) is idempotent by nature.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import aiohttp
import discord

from adapters.common import EffectSender, dispatch
from adapters.discord.outbound import ForeignChannel, Outbound, error_code
from bot.delivery.notifier import DeliveryResult, lane_for
from bot.kernel.effects import Effect, Post, SendDirect, Update
from bot.kernel.events import TeamKey

__all__ = ["GLOBAL_RATE", "DiscordNotifier", "RequestPacer"]

log = logging.getLogger(__name__)

GLOBAL_RATE = 50.0  # requests per second per bot (Discord's global rate limit)
CANNOT_DM = 50007
UNKNOWN_USER = 10013
OPENING_DMS_TOO_FAST = 40003
DM_BACKOFF_FIRST = 2.0
DM_BACKOFF_MAX = 120.0


class RequestPacer:
    """Spaces requests at most ``rate`` a second (shared by every concurrent delivery)."""

    def __init__(
        self,
        rate: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._monotonic = monotonic
        self._sleep = sleep

    async def wait(self) -> None:
        now = self._monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)


class DiscordNotifier:
    """Delivers ``SendDirect``, ``Post`` and ``Update`` effects of scheduled jobs."""

    lane = lane_for("discord", "")
    rate_per_second = GLOBAL_RATE
    burst = 1
    concurrency = 8

    def __init__(
        self, outbound: Outbound, *, pacer: RequestPacer | None = None, rate: float = GLOBAL_RATE
    ) -> None:
        self.outbound = outbound
        self.rate_per_second = rate  # CROSSFADE_DISCORD_RATE
        self.pacer = pacer or RequestPacer(rate * 0.9)
        self._dm_backoff = DM_BACKOFF_FIRST

    async def deliver(self, effect: Effect) -> DeliveryResult:
        return await self.deliver_once(effect, "")

    async def deliver_once(self, effect: Effect, key: str) -> DeliveryResult:
        try:
            return await self._deliver(effect, key or None)
        except discord.RateLimited as error:
            return DeliveryResult.rate_limited(error.retry_after)
        except discord.HTTPException as error:
            return self._classify(error)
        except ForeignChannel as error:
            return DeliveryResult.permanent(str(error))
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return DeliveryResult.transient(f"{type(error).__name__}: {error}")

    async def _deliver(self, effect: Effect, nonce: str | None) -> DeliveryResult:
        return await dispatch(_Scheduled(self, nonce), effect)

    def dm_opened(self) -> None:
        """A DM channel opened: the back-off for opening them too fast starts over."""
        self._dm_backoff = DM_BACKOFF_FIRST

    def _classify(self, error: discord.HTTPException) -> DeliveryResult:
        code = error_code(error)
        text = f"HTTP {error.status} ({code}): {error.text}"
        if code in (CANNOT_DM, UNKNOWN_USER):
            return DeliveryResult.blocked(text)
        if code == OPENING_DMS_TOO_FAST:
            wait, self._dm_backoff = self._dm_backoff, min(self._dm_backoff * 2, DM_BACKOFF_MAX)
            log.warning("Discord: opening DMs too fast; pausing the lane %.0fs", wait)
            return DeliveryResult.rate_limited(wait)
        if error.status == 429:
            return DeliveryResult.rate_limited(_retry_after(error))
        if error.status >= 500:
            return DeliveryResult.transient(text)
        return DeliveryResult.permanent(text)


class _Scheduled(EffectSender[DeliveryResult]):
    """One outbox row of the ``discord`` lane, carried out by the effect's kind."""

    def __init__(self, notifier: DiscordNotifier, nonce: str | None) -> None:
        self.notifier = notifier
        self.outbound = notifier.outbound
        self.pacer = notifier.pacer
        self.nonce = nonce

    async def unsupported(self, effect: Effect) -> DeliveryResult:
        return DeliveryResult.permanent(f"a scheduled {type(effect).__name__} cannot be sent")

    async def send_direct(self, effect: SendDirect) -> DeliveryResult:
        team = TeamKey(effect.user.platform, effect.user.workspace_id)
        user_id = effect.user.user_id
        if await self.outbound.homes.dm_channel_of(user_id) is None:
            await self.pacer.wait()  # opening the DM channel is a request of its own
            await self.outbound.dm_channel_id(team, user_id)
            self.notifier.dm_opened()
        await self.pacer.wait()
        sent = await self.outbound.send_direct(team, user_id, effect.message, nonce=self.nonce)
        return DeliveryResult.sent(str(sent.id))

    async def post(self, effect: Post) -> DeliveryResult:
        if effect.team is None:
            return DeliveryResult.permanent("a post without its team is never sent")
        await self.pacer.wait()
        sent = await self.outbound.post(
            effect.team, effect.channel.id, effect.message, nonce=self.nonce
        )
        return DeliveryResult.sent(str(sent.id))

    async def update(self, effect: Update) -> DeliveryResult:
        ref = effect.message_ref
        if not ref.place.id or effect.team is None:
            return DeliveryResult.permanent("no channel id or team to update the message in")
        await self.pacer.wait()
        await self.outbound.edit(effect.team, ref.place.id, ref.id, effect.message)
        return DeliveryResult.sent(ref.id)


def _retry_after(error: discord.HTTPException) -> float:
    header = error.response.headers.get("Retry-After") if error.response is not None else None
    try:
        return float(header) if header is not None else 5.0
    except ValueError:
        return 5.0
