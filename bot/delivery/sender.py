"""The sender: drains one lane's outbox through its notifier, under a fenced lease.

* **One holder per lane**, by a lease with a fencing token judged by the database's clock
  (``bot.delivery.lease``). Every outbox transition is conditional on the token
  (``bot.delivery.transitions``); the first refused one stops this sender at once — it sends
  nothing more and records nothing more.
* **Every platform call has a deadline** well inside the lease (``call_timeout``, 10 s
  against a 30 s lease), whatever the client library's own retry loops would do; a row is
  only started when the lease has that long left by the database's clock, and an answer that
  arrives after the lease ended changes nothing.
* **Uncertain rows** (a 5xx, a timeout, a dropped connection, a row found ``sending`` after
  its holder died) are not resent blindly: a notifier that can look its messages up
  (``find_delivered``, Slack) is asked first; one with platform idempotency
  (``deliver_once`` with a key, Discord's nonce) resends under the same key, within the
  platform's window; others (the console) resend: at-least-once for those.
* **Rates**: a token bucket per lane that honours ``Retry-After`` exactly, slows after a
  429 and climbs back (``bot.delivery.ratelimit``); retried rows keep their place by due
  time; transient errors back off exponentially with jitter; permanent outcomes stop:
  ``blocked`` marks the member, ``uninstalled`` the team, ``permanent`` fails the row.
* Rows are never sent after their ``expires_at`` (due time + delivery deadline).

Time comes from the engine's clock (in step with the database's) and waiting from an
injectable ``sleep``: with a fake clock ``drain(wait=False)`` never sleeps — it stops and
reports when the lane is ready again.

What becomes of each answer is ``bot.delivery.outcomes`` (it sees the sender as a
``LaneTerm``). The database, and where a posted message's reference is kept, come from a
``bot.delivery.host.DeliveryHost`` (the engine passes its job runner, the kernel's ``Bot``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.delivery.codec import effect_from_json
from bot.delivery.config import SenderConfig
from bot.delivery.host import DeliveryHost
from bot.delivery.keys import delivery_key
from bot.delivery.lease import Lease, acquire_lease, lease_expiry, release_lease
from bot.delivery.notifier import DeliveryResult, Notifier, platform_of
from bot.delivery.outcomes import Outcomes
from bot.delivery.ratelimit import TokenBucket, WindowGuard
from bot.delivery.transitions import Claimed, FencedOutbox
from bot.kernel.clock import Clock

__all__ = ["LaneSender", "SenderConfig", "Sleep"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class LaneSender:
    """Delivers one lane's outbox rows; keeps the lane's rate-limit state between drains."""

    def __init__(
        self,
        *,
        host: DeliveryHost,
        notifier: Notifier,
        lane: str,
        holder: str,
        clock: Clock,
        sleep: Sleep,
        config: SenderConfig | None = None,
        in_flight: asyncio.Semaphore | None = None,
    ) -> None:
        self.host = host
        # Shared by every lane of the process: bounds the requests that can be in flight (and
        # so uncertain after a crash) across all lanes this process drains.
        self.in_flight = in_flight
        self.notifier = notifier
        self.lane = lane
        self.platform = platform_of(lane)
        self.holder = holder
        self.clock = clock
        self.sleep = sleep
        self.config = config or SenderConfig()
        rate = float(getattr(notifier, "rate_per_second", self.config.default_rate))
        window = float(getattr(notifier, "rate_window", 1.0))
        self.bucket = TokenBucket(rate, int(getattr(notifier, "burst", 1)), window=window)
        # The platform's own count: the bucket's margin absorbs small delays, the guard
        # makes arrivals obey the limit whatever the delays (``bot.delivery.ratelimit``).
        self.guard = (
            WindowGuard(max(1, math.floor(rate * window)), window) if math.isfinite(rate) else None
        )
        configured = getattr(notifier, "concurrency", None)
        self.concurrency = (
            max(1, int(configured)) if configured else self.config.default_concurrency
        )
        # When the lane can make progress again if a drain stopped early (bucket, lease).
        self.ready_at: datetime | None = None
        self.lease: Lease | None = None
        self.stale = False  # a transition was refused: this term is over
        self.outcomes = Outcomes(self)
        # Set by the engine's stop(): the rest of the claim is handed back for the next run.
        self.stopping = False

    # --- the loop ----------------------------------------------------------------------------

    async def drain(self, *, wait: bool) -> int:
        """Send every pending row that is due. With ``wait`` it sleeps for tokens and
        Retry-After; without, it stops at the first wait and sets ``ready_at``. Returns how
        many rows the platform accepted."""
        db = self.host.db
        self.stale = False
        if not await self._renew():
            self.ready_at = await lease_expiry(db, lane=self.lane, holder=self.holder)
            return 0
        sent = 0
        try:
            self.ready_at = None
            while not self.stale and not self.stopping:
                batch = await self.outbox.claim(self.clock.now(), self.config.batch_size)
                if not batch:
                    break
                done, stopped = await self._send(batch, wait=wait)
                sent += done
                if stopped:
                    break
        finally:
            lease, self.lease = self.lease, None
            if lease is not None and not self.stale:
                await release_lease(
                    db, lane=self.lane, holder=self.holder, now=self.clock.now(), token=lease.token
                )
        if sent:
            log.info("lane %s: %d delivered", self.lane, sent)
        if self.stale:
            log.warning("lane %s: lease lost (token refused); this sender stopped", self.lane)
        return sent

    @property
    def outbox(self) -> FencedOutbox:
        assert self.lease is not None
        return FencedOutbox(self.host.db, self.lease)

    async def _renew(self) -> bool:
        """Keep the term (renewed once a third of it has passed); ``False`` when it is over
        (another holder, or it ran out: a new term means this one's rows are not ours)."""
        ttl = self.config.lease_ttl
        current = self.lease
        if current is not None and current.left() > ttl.total_seconds() * 2 / 3:
            return True
        lease = await acquire_lease(
            self.host.db,
            lane=self.lane,
            holder=self.holder,
            now=self.clock.now(),
            ttl=ttl,
            token=current.token if current is not None else None,
        )
        if lease is None or (current is not None and lease.token != current.token):
            if lease is not None:  # we got a new term: hand it back, this drain is over
                await release_lease(
                    self.host.db,
                    lane=self.lane,
                    holder=self.holder,
                    now=self.clock.now(),
                    token=lease.token,
                )
            self.stale = current is not None
            return False
        if current is None and lease.handed_over_ago is not None and self.guard is not None:
            self.guard.handed_over(self.now_seconds() - lease.handed_over_ago)
        self.lease = lease
        return True

    def now_seconds(self) -> float:
        """Seconds for the rate limits: the host's clock, not the database-following one,
        whose offset is measured again now and then and would jump."""
        return float(getattr(self.clock, "base", self.clock).now().timestamp())

    def _reserve(self) -> float:
        """0 and a token taken when a request may leave now, else the wait in seconds."""
        now = self.now_seconds()
        wait = self.guard.ready_in(now) if self.guard is not None else 0.0
        return wait if wait > 0 else self.bucket.reserve(now)

    async def _send(self, batch: list[Claimed], *, wait: bool) -> tuple[int, bool]:
        batch = await self.outcomes.settle_uncertain(batch)
        slots = asyncio.Semaphore(self.concurrency)
        tasks: list[asyncio.Task[bool]] = []
        stopped = False
        for index, item in enumerate(batch):
            await slots.acquire()
            if self.stopping:  # shutting down: finish what is in flight, hand back the rest
                slots.release()
                await self._unclaim(batch[index:])
                stopped = True
                break
            # Checked once a slot is free: a request that just finished may have found the
            # member blocked, the team gone, or the lease lost.
            if self.stale:
                slots.release()
                stopped = True
                break
            if await self.outcomes.settle_without_sending(item, self.clock.now()):
                slots.release()
                continue
            if self.in_flight is not None:
                await self.in_flight.acquire()
            if not await self._renew() or not await self._start(item):
                slots.release()
                if self.in_flight is not None:
                    self.in_flight.release()
                stopped = True
                break
            # Take the token right before the request (after the database round trip), so
            # the times requests leave at obey the bucket.
            delay = self._reserve()
            while delay > 0 and wait:
                await self.sleep(delay)
                delay = self._reserve()
            if delay > 0 or not await self._renew():
                slots.release()
                if self.in_flight is not None:
                    self.in_flight.release()
                if delay > 0:
                    self.ready_at = self.clock.now() + timedelta(seconds=delay)
                await self._unclaim(batch[index:])
                stopped = True
                break
            if self.guard is not None:
                self.guard.start()
            tasks.append(asyncio.create_task(self._deliver(item, slots)))
        results = await asyncio.gather(*tasks)
        return sum(results), stopped or self.stale

    async def _unclaim(self, rest: list[Claimed]) -> None:
        if self.lease is not None and not self.stale:
            await self.outbox.unclaim([item.row.id for item in rest], self.clock.now())

    async def _deliver(self, item: Claimed, slots: asyncio.Semaphore) -> bool:
        try:
            return await self._attempt(item)
        finally:
            if self.guard is not None:
                self.guard.finish(self.now_seconds())
            slots.release()
            if self.in_flight is not None:
                self.in_flight.release()

    def _deadline(self) -> tuple[float, float]:
        """The call's deadline, well inside the lease (a third of it at most: 10 s of the
        default 30 s), and the margin kept beyond it."""
        timeout = min(self.config.call_timeout, self.config.lease_ttl.total_seconds() / 3)
        return timeout, timeout / 5

    async def _start(self, item: Claimed) -> bool:
        """claimed → sending, only if the lease outlives the call's deadline by the
        database's clock (the local deadline is measured from before the grant)."""
        timeout, margin = self._deadline()
        if await self.outbox.start(item.row.id, self.clock.now(), spare=timeout + margin):
            return True
        self.stale = True
        return False

    async def _attempt(self, item: Claimed) -> bool:
        lease = self.lease
        timeout, margin = self._deadline()
        if lease is None or self.stale:
            return False
        deadline = min(timeout, lease.left() - margin)
        if deadline <= 0:  # we stalled since: the row stays "sending" (uncertain) for the next
            self.stale = True
            return False
        effect = effect_from_json(item.row.effect)
        try:
            result = await asyncio.wait_for(self._call(item, effect), timeout=deadline)
        except TimeoutError:
            result = DeliveryResult.transient(f"no answer within {deadline:.1f}s")
        except Exception as error:  # a notifier should return, not raise
            log.warning("lane %s: notifier raised %r", self.lane, error)
            result = DeliveryResult.transient(f"notifier raised {error!r}")
        if lease.left() <= 0:
            # The answer came after our lease ended: whatever it says, record nothing.
            self.stale = True
            return False
        return await self.outcomes.record(item, result, effect)

    async def _call(self, item: Claimed, effect: object) -> DeliveryResult:
        deliver_once = getattr(self.notifier, "deliver_once", None)
        if deliver_once is not None and getattr(self.notifier, "steps", False):
            # Per-step progress (a DM with a chart): the message's id is recorded as soon as
            # it exists, so a retry only does what is left.
            async def posted(message_id: str) -> bool:
                return await self.outcomes.progress(item, message_id)

            stepped: DeliveryResult = await deliver_once(
                effect, self.key(item.row.id), posted=item.row.platform_message_id, on_posted=posted
            )
            return stepped
        if deliver_once is not None:
            result: DeliveryResult = await deliver_once(effect, self.key(item.row.id))
            return result
        return await self.notifier.deliver(effect)  # type: ignore[arg-type]

    def key(self, row_id: int) -> str:
        """The row's idempotency key (``bot.delivery.keys``)."""
        return delivery_key(self.config.salt, row_id)
