"""What a sender does with each answer: every change goes through the fenced outbox, and a
refused change ends the sender's term (``sender.stale``) before anything else happens.

It sees its sender as a :class:`LaneTerm` (``bot.delivery.sender.LaneSender`` is one): the
lane, the outbox as this lease term sees it, the flag that ends the term, and the lane's
rate state. What the platform says of a member (blocked) or a team (uninstalled) is written
outside the fence: it is true whoever holds the lane.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Executable, update

from bot.delivery.codec import effect_from_json
from bot.delivery.config import SenderConfig
from bot.delivery.host import DeliveryHost
from bot.delivery.metrics import DELIVERY_LAG, FAILED, RETRIED, SENT, SKIPPED
from bot.delivery.notifier import DeliveryResult, Notifier
from bot.delivery.ratelimit import TokenBucket
from bot.delivery.transitions import Claimed, FencedOutbox
from bot.kernel.clock import Clock
from bot.kernel.effects import Effect, Post, SendDirect
from bot.kernel.events import MessageRef
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import Schedule
from bot.kernel.ui import File, Image

__all__ = ["LaneTerm", "Outcomes"]

log = logging.getLogger(__name__)


class LaneTerm(Protocol):
    """What recording answers needs of the sender that holds the lane's lease."""

    stale: bool  # set when a transition is refused: this term is over

    @property
    def host(self) -> DeliveryHost: ...
    @property
    def notifier(self) -> Notifier: ...
    @property
    def lane(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def config(self) -> SenderConfig: ...
    @property
    def bucket(self) -> TokenBucket: ...
    @property
    def outbox(self) -> FencedOutbox: ...

    def key(self, row_id: int) -> str: ...

    def now_seconds(self) -> float: ...


class Outcomes:
    def __init__(self, sender: LaneTerm) -> None:
        self.sender = sender
        # Learned during a batch, so the rest of it is not attempted (the claim's snapshot of
        # these flags is older); forgotten at the next batch.
        self.lost_teams: set[int] = set()
        self.blocked_members: set[int] = set()

    async def _finish(self, item: Claimed, now: datetime, **values: Any) -> bool:
        values.setdefault("attempts", item.row.attempts + 1)
        if await self.sender.outbox.finish(item.row.id, now, **values):
            return True
        self.sender.stale = True
        return False

    # --- before sending ----------------------------------------------------------------------

    async def settle_uncertain(self, batch: list[Claimed]) -> list[Claimed]:
        """Rows the platform may already have: a notifier that can look them up is asked
        (one call per DM, under the call deadline); those found are marked sent. Returns the
        rows still to send. Without a look-up they are sent again (Discord: same nonce)."""
        self.lost_teams.clear()
        self.blocked_members.clear()
        sender = self.sender
        find = getattr(sender.notifier, "find_delivered", None)
        # A row whose message is recorded as posted is not looked up: only its upload is left.
        uncertain = {
            sender.key(item.row.id): item
            for item in batch
            if item.uncertain and item.row.platform_message_id is None
        }
        if find is None or not uncertain:
            return batch
        effects: dict[str, Effect] = {
            key: effect_from_json(item.row.effect) for key, item in uncertain.items()
        }
        try:
            found: dict[str, str] = await asyncio.wait_for(
                find(effects), timeout=sender.config.call_timeout
            )
        except Exception as error:  # the look-up failed: keep them uncertain, retry later
            log.warning("lane %s: look-up of %d rows failed: %r", sender.lane, len(effects), error)
            now = sender.clock.now()
            for item in uncertain.values():
                await self._retry(item, now, 5.0, count=False, error="look-up failed")
            return [item for item in batch if not item.uncertain]
        now = sender.clock.now()
        upload: set[str] = set()
        for key, message_id in found.items():
            hit = uncertain.get(key)
            if hit is None or sender.stale:
                continue
            if has_uploads(effects[key]):
                # The message exists, its upload never started (it starts only once the
                # message is recorded): record the message, and upload below.
                if await self.progress(hit, message_id):
                    upload.add(key)
                continue
            if await self._finish(
                hit, now, status="sent", sent_at=now, platform_message_id=message_id
            ):
                log.info("lane %s: outbox %d was delivered already", sender.lane, hit.row.id)
                SENT.labels(sender.platform, hit.row.kind).inc()
        return [
            item
            for item in batch
            if sender.key(item.row.id) not in found or sender.key(item.row.id) in upload
        ]

    async def progress(self, item: Claimed, message_id: str) -> bool:
        """Record that the row's message exists (its upload is left); ``False`` when the
        lease is lost."""
        now = self.sender.clock.now()
        if await self.sender.outbox.progress(item.row.id, now, message_id):
            item.row.platform_message_id = message_id
            return True
        self.sender.stale = True
        return False

    async def settle_without_sending(self, item: Claimed, now: datetime) -> bool:
        row = item.row
        sender = self.sender
        if now > row.expires_at:
            await self._finish(item, now, status="expired", error="past the delivery deadline")
            SKIPPED.labels("expired", row.kind).inc()
            return True
        if not item.team_active or row.team_id in self.lost_teams:
            await self._finish(item, now, status="failed", error="app uninstalled from the team")
            FAILED.labels(sender.platform, "uninstalled").inc()
            return True
        blocked = item.dm_blocked or row.member_id in self.blocked_members
        if blocked and row.effect.get("type") == "send_direct":
            await self._finish(item, now, status="failed", error="member cannot be messaged")
            FAILED.labels(sender.platform, "blocked").inc()
            return True
        return False

    # --- after the answer --------------------------------------------------------------------

    async def record(self, item: Claimed, result: DeliveryResult, effect: Effect) -> bool:
        """Record the answer; ``True`` when the platform accepted the message."""
        sender = self.sender
        row = item.row
        now = sender.clock.now()
        if result.status == "sent":
            sender.bucket.accepted(sender.now_seconds())
            ok = await self._finish(
                item, now, status="sent", sent_at=now, platform_message_id=result.message_id or None
            )
            if not ok:
                return False
            SENT.labels(sender.platform, row.kind).inc()
            DELIVERY_LAG.labels(sender.platform).observe(
                max(0.0, (now - row.due_at).total_seconds())
            )
            if isinstance(effect, Post) and effect.ref_key and result.message_id:
                ref = MessageRef(effect.channel, result.message_id)
                await sender.host.remember_post(item.team, effect.ref_key, ref)
            return True
        if result.status == "rate_limited":
            retry_after = result.retry_after if result.retry_after is not None else 1.0
            sender.bucket.rate_limited(sender.now_seconds(), retry_after)
            log.warning(
                "lane %s: rate limited, pausing %.1fs and slowing to %.1f/s",
                sender.lane,
                retry_after,
                sender.bucket.rate,
            )
            await self._retry(item, now, retry_after, count=False, error="429")
            RETRIED.labels(sender.platform, "rate_limited").inc()
            return False
        if result.status == "transient":
            await self._transient(item, result, now)
            return False
        ok = await self._finish(
            item, now, status="failed", error=f"{result.status}: {result.error}"
        )
        FAILED.labels(sender.platform, result.status).inc()
        if not ok:
            return False
        if result.status == "blocked" and row.member_id is not None:
            self.blocked_members.add(row.member_id)
            await self._stop_member(item)
        elif result.status == "uninstalled":
            self.lost_teams.add(row.team_id)
            await self._stop_team(item)
        return False

    async def _transient(self, item: Claimed, result: DeliveryResult, now: datetime) -> None:
        sender = self.sender
        attempts = item.row.attempts + 1
        uncertain = item.uncertain or result.uncertain
        if attempts >= sender.config.max_attempts:
            await self._finish(item, now, status="failed", error=result.error, attempts=attempts)
            FAILED.labels(sender.platform, "too_many_attempts").inc()
            log.error("lane %s: giving up on outbox %d: %s", sender.lane, item.row.id, result.error)
            return
        delay = result.retry_after
        if delay is None:
            delay = sender.config.backoff(attempts, uncertain)
        await self._retry(item, now, delay, count=True, error=result.error, uncertain=uncertain)
        RETRIED.labels(sender.platform, "transient").inc()

    async def _retry(
        self,
        item: Claimed,
        now: datetime,
        delay: float,
        *,
        count: bool,
        error: str,
        uncertain: bool | None = None,
    ) -> None:
        ok = await self.sender.outbox.retry(
            item.row.id,
            now,
            when=now + timedelta(seconds=delay),
            attempts=item.row.attempts + (1 if count else 0),
            error=error,
            uncertain=item.uncertain if uncertain is None else uncertain,
        )
        if not ok:
            self.sender.stale = True

    async def _stop_member(self, item: Claimed) -> None:
        row = item.row
        log.warning(
            "lane %s: member %s cannot be messaged; stopping", self.sender.lane, row.member_id
        )
        await self._write(
            update(Member)
            .where(Member.id == row.member_id, Member.team_id == row.team_id)
            .values(dm_blocked=True),
            update(Schedule)
            .where(
                Schedule.member_id == row.member_id,
                Schedule.team_id == row.team_id,
                Schedule.stopped.is_(None),
            )
            .values(stopped="dm_blocked", next_due_at=None),
        )

    async def _stop_team(self, item: Claimed) -> None:
        row = item.row
        log.warning(
            "lane %s: the app lost access to team %s; stopping", self.sender.lane, row.team_id
        )
        await self._write(update(Team).where(Team.id == row.team_id).values(active=False))

    async def _write(self, *statements: Executable) -> None:
        """Run ``statements`` in one transaction of their own (not fenced)."""
        async with self.sender.host.db.uow() as uow:
            for statement in statements:
                options = statement.execution_options(synchronize_session=False)
                await uow.session.execute(options)
            await uow.commit()


def has_uploads(effect: Effect) -> bool:
    """A DM whose message carries files (a chart): delivered in two steps."""
    message = getattr(effect, "message", None)
    blocks = getattr(message, "blocks", ())
    return isinstance(effect, SendDirect) and any(isinstance(b, Image | File) for b in blocks)
