"""The sender: drains one lane's outbox through its notifier.

One process per lane at a time (a lease), a token bucket per lane, ``Retry-After`` honoured
on 429 (the lane pauses and slows below the limit it just met), exponential backoff with
jitter for transient errors, and permanent errors that stop instead of retrying forever:

* ``blocked`` — the member is marked ``dm_blocked`` and their schedules stop;
* ``uninstalled`` — the team is marked inactive (its rows fail, its schedules skip);
* ``permanent`` — this row fails.

Each row is marked sent in its own short transaction right after the platform accepts it,
so a crash can repeat at most the requests that were in flight: never more than the
process's ``max_in_flight`` (shared by all its lanes).
Rows are never sent after their ``expires_at`` (due time + delivery deadline).

Time comes from the bot's clock and waiting from an injectable ``sleep``: with a fake clock
``drain(wait=False)`` never sleeps — it stops and reports when the lane is ready again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from bot.clock import Clock
from bot.delivery.codec import effect_from_json
from bot.delivery.lease import acquire_lease, lease_expiry, release_lease
from bot.delivery.metrics import DELIVERY_LAG, FAILED, RETRIED, SENT, SKIPPED
from bot.delivery.notifier import DeliveryResult, Notifier, platform_of
from bot.delivery.ratelimit import TokenBucket
from bot.effects import Post
from bot.events import MessageRef, TeamKey
from bot.storage.models import Member, Team
from bot.storage.models.scheduling import OutboxRow, Schedule

if TYPE_CHECKING:
    from bot.app import Bot

__all__ = ["LaneSender", "SenderConfig"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class SenderConfig:
    batch_size: int = 100
    lease_ttl: timedelta = timedelta(seconds=30)
    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds; doubles per attempt, with jitter
    backoff_max: float = 300.0
    default_rate: float = 20.0  # requests/s when a notifier does not say
    default_concurrency: int = 4  # per lane, when a notifier does not say
    max_in_flight: int = 16  # per process, across all lanes


@dataclass
class _Claimed:
    row: OutboxRow
    team: TeamKey
    team_active: bool
    dm_blocked: bool


class LaneSender:
    """Delivers one lane's outbox rows; keeps the lane's rate-limit state between drains."""

    def __init__(
        self,
        *,
        bot: Bot,
        notifier: Notifier,
        lane: str,
        holder: str,
        clock: Clock,
        sleep: Sleep,
        config: SenderConfig | None = None,
        in_flight: asyncio.Semaphore | None = None,
    ) -> None:
        self.bot = bot
        # Shared by every lane of the process: bounds the requests that can be in flight (and
        # so repeated after a crash) across all lanes this process drains.
        self.in_flight = in_flight
        self.notifier = notifier
        self.lane = lane
        self.platform = platform_of(lane)
        self.holder = holder
        self.clock = clock
        self.sleep = sleep
        self.config = config or SenderConfig()
        rate = float(getattr(notifier, "rate_per_second", self.config.default_rate))
        self.bucket = TokenBucket(
            rate,
            int(getattr(notifier, "burst", 1)),
            window=float(getattr(notifier, "rate_window", 1.0)),
        )
        configured = getattr(notifier, "concurrency", None)
        self.concurrency = (
            max(1, int(configured)) if configured else self.config.default_concurrency
        )
        # When the lane can make progress again if a drain stopped early (bucket, lease).
        self.ready_at: datetime | None = None
        self._lease_renewed: datetime | None = None
        # Learned during a batch, so the rest of it is not attempted (the claim's snapshot of
        # these flags is older); forgotten at the next claim.
        self._lost_teams: set[int] = set()
        self._blocked_members: set[int] = set()
        # Set by the engine's stop(): the rest of the claim stays pending for the next run.
        self.stopping = False

    # --- the loop ----------------------------------------------------------------------------

    async def drain(self, *, wait: bool) -> int:
        """Send every pending row that is due. With ``wait`` it sleeps for tokens and
        Retry-After; without, it stops at the first wait and sets ``ready_at``. Returns how
        many rows the platform accepted."""
        db = self.bot.db
        if not await self._renew(force=True):
            self.ready_at = await lease_expiry(db, lane=self.lane, holder=self.holder)
            return 0
        sent = 0
        try:
            self.ready_at = None
            while not self.stopping:
                batch = await self._claim()
                if not batch:
                    break
                done, stopped = await self._send(batch, wait=wait)
                sent += done
                if stopped:
                    break
        finally:
            await release_lease(db, lane=self.lane, holder=self.holder)
            self._lease_renewed = None
        if sent:
            log.info("lane %s: %d delivered", self.lane, sent)
        return sent

    async def _renew(self, *, force: bool = False) -> bool:
        now = self.clock.now()
        ttl = self.config.lease_ttl
        if not force and self._lease_renewed is not None and now - self._lease_renewed < ttl / 3:
            return True
        held = await acquire_lease(
            self.bot.db, lane=self.lane, holder=self.holder, now=now, ttl=ttl
        )
        self._lease_renewed = now if held else None
        return held

    async def _claim(self) -> list[_Claimed]:
        now = self.clock.now()
        # Fresh flags come with each claim (a team may have been reinstalled, a member may
        # have asked for DMs again).
        self._lost_teams.clear()
        self._blocked_members.clear()
        async with self.bot.db.uow() as uow:
            query = (
                select(OutboxRow, Team.platform, Team.workspace_id, Team.active, Member.dm_blocked)
                .join(Team, Team.id == OutboxRow.team_id)
                .outerjoin(Member, Member.id == OutboxRow.member_id)
                .where(
                    OutboxRow.lane == self.lane,
                    OutboxRow.status == "pending",
                    OutboxRow.not_before <= now,
                )
                # The index's order (status, lane, not_before, id): a claim reads only the
                # rows it takes instead of sorting every pending row of the lane, and a job's
                # effects go out in the order it returned them.
                .order_by(OutboxRow.not_before, OutboxRow.id)
                .limit(self.config.batch_size)
            )
            claimed = [
                _Claimed(row, TeamKey(platform, workspace), bool(active), bool(blocked))
                for row, platform, workspace, active, blocked in await uow.session.execute(query)
            ]
            if claimed:
                # Informational (operations, and the crash test's "in flight" set): the lease,
                # not this mark, is what keeps two senders apart.
                await uow.session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id.in_([c.row.id for c in claimed]))
                    .values(claimed_by=self.holder)
                    .execution_options(synchronize_session=False)
                )
                await uow.commit()
            return claimed

    async def _send(self, batch: list[_Claimed], *, wait: bool) -> tuple[int, bool]:
        slots = asyncio.Semaphore(self.concurrency)
        tasks: list[asyncio.Task[bool]] = []
        stopped = False
        for item in batch:
            await slots.acquire()
            if self.stopping:  # shutting down: finish what is in flight, start nothing new
                slots.release()
                stopped = True
                break
            # Checked once a slot is free: a request that just finished may have found the
            # member blocked or the team gone.
            if await self._settle_without_sending(item, self.clock.now()):
                slots.release()
                continue
            if self.in_flight is not None:
                await self.in_flight.acquire()
            # Take the token right before the request, so request times obey the bucket.
            delay = self.bucket.reserve(self.clock.now().timestamp())
            while delay > 0 and wait:
                await self.sleep(delay)
                delay = self.bucket.reserve(self.clock.now().timestamp())
            if delay > 0 or not await self._renew():
                slots.release()
                if self.in_flight is not None:
                    self.in_flight.release()
                if delay > 0:
                    self.ready_at = self.clock.now() + timedelta(seconds=delay)
                stopped = True
                break
            tasks.append(asyncio.create_task(self._deliver(item, slots)))
        results = await asyncio.gather(*tasks)
        return sum(results), stopped

    async def _settle_without_sending(self, item: _Claimed, now: datetime) -> bool:
        row = item.row
        if now > row.expires_at:
            await self._finish(row, status="expired", error="past the delivery deadline")
            SKIPPED.labels("expired", row.kind).inc()
            return True
        if not item.team_active or row.team_id in self._lost_teams:
            await self._finish(row, status="failed", error="app uninstalled from the team")
            FAILED.labels(self.platform, "uninstalled").inc()
            return True
        blocked = item.dm_blocked or row.member_id in self._blocked_members
        if blocked and row.effect.get("type") == "send_direct":
            await self._finish(row, status="failed", error="member cannot be messaged")
            FAILED.labels(self.platform, "blocked").inc()
            return True
        return False

    async def _deliver(self, item: _Claimed, slots: asyncio.Semaphore) -> bool:
        try:
            effect = effect_from_json(item.row.effect)
            try:
                result = await self.notifier.deliver(effect)
            except Exception as error:  # a notifier should return, not raise
                log.warning("lane %s: notifier raised %r", self.lane, error)
                result = DeliveryResult.transient(f"notifier raised {error!r}")
            await self._record(item, result, effect)
            return result.ok
        finally:
            slots.release()
            if self.in_flight is not None:
                self.in_flight.release()

    # --- recording outcomes ------------------------------------------------------------------

    async def _record(self, item: _Claimed, result: DeliveryResult, effect: Any) -> None:
        row = item.row
        now = self.clock.now()
        if result.status == "sent":
            self.bucket.accepted(now.timestamp())
            await self._finish(
                row, status="sent", sent_at=now, platform_message_id=result.message_id or None
            )
            SENT.labels(self.platform, row.kind).inc()
            DELIVERY_LAG.labels(self.platform).observe(max(0.0, (now - row.due_at).total_seconds()))
            if isinstance(effect, Post) and effect.ref_key and result.message_id:
                ref = MessageRef(effect.channel, result.message_id)
                await self.bot.remember_post(item.team, effect.ref_key, ref)
            return
        if result.status == "rate_limited":
            retry_after = result.retry_after if result.retry_after is not None else 1.0
            self.bucket.pause(now.timestamp(), retry_after)
            self.bucket.learn_limit(now.timestamp())
            log.warning(
                "lane %s: rate limited, pausing %.1fs and slowing to %.1f/s",
                self.lane,
                retry_after,
                self.bucket.rate,
            )
            await self._retry(row, now + timedelta(seconds=retry_after), count=False, error="429")
            RETRIED.labels(self.platform, "rate_limited").inc()
            return
        if result.status == "transient":
            attempts = row.attempts + 1
            if attempts >= self.config.max_attempts:
                await self._finish(row, status="failed", error=result.error, attempts=attempts)
                FAILED.labels(self.platform, "too_many_attempts").inc()
                log.error("lane %s: giving up on outbox %d: %s", self.lane, row.id, result.error)
                return
            delay = result.retry_after
            if delay is None:
                delay = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempts - 1))
                delay *= random.uniform(0.5, 1.0)  # jitter: retries of a burst spread out
            await self._retry(row, now + timedelta(seconds=delay), count=True, error=result.error)
            RETRIED.labels(self.platform, "transient").inc()
            return
        await self._finish(row, status="failed", error=f"{result.status}: {result.error}")
        FAILED.labels(self.platform, result.status).inc()
        if result.status == "blocked" and row.member_id is not None:
            self._blocked_members.add(row.member_id)
            await self._stop_member(row)
        elif result.status == "uninstalled":
            self._lost_teams.add(row.team_id)
            await self._stop_team(row)

    async def _finish(self, row: OutboxRow, *, status: str, **values: Any) -> None:
        async with self.bot.db.uow() as uow:
            await uow.session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row.id)
                .values(status=status, attempts=values.pop("attempts", row.attempts + 1), **values)
                .execution_options(synchronize_session=False)
            )
            await uow.commit()

    async def _retry(self, row: OutboxRow, when: datetime, *, count: bool, error: str) -> None:
        async with self.bot.db.uow() as uow:
            await uow.session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row.id)
                .values(
                    not_before=when,
                    attempts=row.attempts + (1 if count else 0),
                    error=error[:500],
                )
                .execution_options(synchronize_session=False)
            )
            await uow.commit()

    async def _stop_member(self, row: OutboxRow) -> None:
        log.warning("lane %s: member %s cannot be messaged; stopping", self.lane, row.member_id)
        async with self.bot.db.uow() as uow:
            await uow.session.execute(
                update(Member)
                .where(Member.id == row.member_id, Member.team_id == row.team_id)
                .values(dm_blocked=True)
                .execution_options(synchronize_session=False)
            )
            await uow.session.execute(
                update(Schedule)
                .where(
                    Schedule.member_id == row.member_id,
                    Schedule.team_id == row.team_id,
                    Schedule.stopped.is_(None),
                )
                .values(stopped="dm_blocked", next_due_at=None)
                .execution_options(synchronize_session=False)
            )
            await uow.commit()

    async def _stop_team(self, row: OutboxRow) -> None:
        log.warning("lane %s: the app lost access to team %s; stopping", self.lane, row.team_id)
        async with self.bot.db.uow() as uow:
            await uow.session.execute(
                update(Team)
                .where(Team.id == row.team_id)
                .values(active=False)
                .execution_options(synchronize_session=False)
            )
            await uow.commit()
