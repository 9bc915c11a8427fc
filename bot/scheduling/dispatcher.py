"""The dispatcher: claims due schedules in batches, applies the member's rules, calls the job
handlers, writes their effects to the outbox and advances ``next_due_at`` — one transaction
per batch, so a firing is enqueued exactly once however many instances run.

On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP LOCKED``: concurrent dispatchers take
disjoint batches and never wait for each other. SQLite is single-instance by design (its
writers are serialised anyway). The outbox's unique (schedule, due time, seq) key is the last
line of defence.

A batch that fails (a bug in one handler) is retried one schedule per transaction, so one
bad row is skipped and logged instead of blocking everyone behind it.
"""

from __future__ import annotations

import logging
import time as _time
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from bot.delivery.codec import effect_to_json
from bot.delivery.metrics import DISPATCH_SECONDS, SKIPPED
from bot.delivery.notifier import lane_for
from bot.domain.schedule import PersonalRules, skip_reason
from bot.domain.schedule_rules import DailyLocal, WeeklyLocal
from bot.domain.zones import safe_zone
from bot.effects import Effect, SendDirect
from bot.events import Actor, Place
from bot.scheduling.api import DM_BLOCKED, Due, compute_next, member_rules
from bot.storage.models import Member, Team
from bot.storage.models.scheduling import OutboxRow, Schedule
from bot.storage.uow import UnitOfWork
from bot.ui import Button, Buttons, Message

if TYPE_CHECKING:
    from bot.app import Bot

__all__ = ["SKIP_ACTION", "DispatchStats", "Dispatcher", "with_skip_button"]

log = logging.getLogger(__name__)

SKIP_ACTION = "sched:skip"


@dataclass
class DispatchStats:
    claimed: int = 0
    fired: int = 0
    enqueued: int = 0
    skipped: Tally[str] = field(default_factory=Tally)
    errors: int = 0

    def add(self, other: DispatchStats) -> None:
        self.claimed += other.claimed
        self.fired += other.fired
        self.enqueued += other.enqueued
        self.skipped.update(other.skipped)
        self.errors += other.errors


def with_skip_button(message: Message, schedule_id: int, local_day: str) -> Message:
    """The message with a **Skip today** button (in the last button row when it has room)."""
    skip = Button("Skip today", SKIP_ACTION, f"{schedule_id}@{local_day}")
    blocks = list(message.blocks)
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if isinstance(block, Buttons):
            if len(block.buttons) < 5:  # Discord's limit per row
                blocks[index] = Buttons((*block.buttons, skip))
                return Message(message.text, tuple(blocks))
            break
    return Message(message.text, (*blocks, Buttons((skip,))))


class Dispatcher:
    """Turns due schedules into outbox rows. ``run(now)`` dispatches everything due."""

    def __init__(
        self,
        bot: Bot,
        *,
        batch_size: int = 500,
        grace: timedelta | None = None,
        delivery_deadline: timedelta = timedelta(hours=1),
    ) -> None:
        self.bot = bot
        self.batch_size = batch_size
        self.grace = grace or timedelta(minutes=bot.settings.misfire_grace_minutes)
        self.delivery_deadline = delivery_deadline

    async def run(self, now: datetime) -> DispatchStats:
        """Dispatch every schedule due at or before ``now``, batch after batch."""
        total = DispatchStats()
        while True:
            stats = await self._batch(now)
            total.add(stats)
            if stats.claimed < self.batch_size:
                break
        if total.claimed:
            log.info(
                "dispatched %d due schedules: %d fired, %d outbox rows, skipped %s, %d errors",
                total.claimed,
                total.fired,
                total.enqueued,
                dict(total.skipped) or "none",
                total.errors,
            )
        return total

    # --- claiming --------------------------------------------------------------------------

    def _claim_query(self, now: datetime, *, limit: int, schedule_id: int | None = None) -> Any:
        query = (
            select(Schedule, Member)
            .outerjoin(Member, Member.id == Schedule.member_id)
            .where(Schedule.next_due_at <= now)
            .order_by(Schedule.next_due_at, Schedule.id)
            .limit(limit)
        )
        if schedule_id is not None:
            query = query.where(Schedule.id == schedule_id)
        if self.bot.db.is_postgres:
            query = query.with_for_update(skip_locked=True, of=Schedule)
        return query

    async def _teams(self, uow: UnitOfWork, ids: set[int]) -> dict[int, Team]:
        rows = await uow.session.scalars(select(Team).where(Team.id.in_(ids)))
        return {team.id: team for team in rows}

    async def _batch(self, now: datetime) -> DispatchStats:
        started = _time.perf_counter()
        ids: list[int] = []
        try:
            async with self.bot.db.uow() as uow:
                result = await uow.session.execute(self._claim_query(now, limit=self.batch_size))
                claimed = [(row[0], row[1]) for row in result]
                if not claimed:
                    return DispatchStats()
                ids = [schedule.id for schedule, _ in claimed]
                stats = await self._process(uow, claimed, now)
                await uow.commit()
        except Exception:
            if not ids:
                raise
            log.exception("a dispatcher batch of %d failed; retrying one by one", len(ids))
            stats = await self._isolate(ids, now)
        DISPATCH_SECONDS.observe(_time.perf_counter() - started)
        return stats

    async def _isolate(self, ids: list[int], now: datetime) -> DispatchStats:
        total = DispatchStats()
        for schedule_id in ids:
            try:
                async with self.bot.db.uow() as uow:
                    result = await uow.session.execute(
                        self._claim_query(now, limit=1, schedule_id=schedule_id)
                    )
                    claimed = [(row[0], row[1]) for row in result]
                    if not claimed:
                        continue
                    stats = await self._process(uow, claimed, now)
                    await uow.commit()
                total.add(stats)
            except Exception as error:
                total.claimed += 1
                total.errors += 1
                await self._give_up(schedule_id, now, error)
        return total

    async def _give_up(self, schedule_id: int, now: datetime, error: Exception) -> None:
        """Skip this firing of a schedule whose handler fails, so it cannot block the queue."""
        already = isinstance(error, IntegrityError)
        if not already:
            log.error("schedule %d: job failed, skipping this firing (%r)", schedule_id, error)
        async with self.bot.db.uow() as uow:
            result = await uow.session.execute(
                self._claim_query(now, limit=1, schedule_id=schedule_id)
            )
            for schedule, member in result:
                team = await uow.session.get(Team, schedule.team_id)
                assert team is not None
                rules = member_rules(member, team) if member is not None else None
                self._advance(schedule, rules, team, now)
                SKIPPED.labels("enqueued_already" if already else "job_error", schedule.kind).inc()
            await uow.commit()

    # --- one batch -------------------------------------------------------------------------

    async def _process(
        self, uow: UnitOfWork, claimed: list[tuple[Schedule, Member | None]], now: datetime
    ) -> DispatchStats:
        stats = DispatchStats(claimed=len(claimed))
        teams = await self._teams(uow, {schedule.team_id for schedule, _ in claimed})
        outbox: list[dict[str, Any]] = []
        jobs = self.bot.router.jobs
        for schedule, member in claimed:
            team = teams[schedule.team_id]
            due_at = schedule.next_due_at
            assert due_at is not None
            rules = member_rules(member, team) if member is not None else None
            zone = _zone(schedule, rules, team)
            local_due = due_at.astimezone(zone)
            reason = self._skip(schedule, member, rules, team, due_at, local_due, now)
            handler = jobs.get(schedule.kind)
            if reason is None and handler is None:
                log.error("no job handler registered for schedule kind %r", schedule.kind)
                reason = "no_handler"
            if reason is not None:
                stats.skipped[reason] += 1
                SKIPPED.labels(reason, schedule.kind).inc()
                if reason == DM_BLOCKED:
                    schedule.stopped = DM_BLOCKED
            elif handler is not None:
                due = Due(
                    kind=schedule.kind,
                    ref=schedule.ref,
                    data=dict(schedule.data or {}),
                    due_at=due_at,
                    local_due=local_due,
                    schedule_id=schedule.id,
                )
                ctx = _context(self.bot, uow, team, member, due_at)
                effects: list[Effect] = await handler(ctx, due)
                rows = self._outbox_rows(schedule, member, team, due, effects, now)
                outbox.extend(rows)
                stats.fired += 1
                stats.enqueued += len(rows)
            self._advance(schedule, rules, team, now, stopped=reason == DM_BLOCKED)
        if outbox:
            await uow.session.execute(insert(OutboxRow), outbox)
        return stats

    def _skip(
        self,
        schedule: Schedule,
        member: Member | None,
        rules: PersonalRules | None,
        team: Team,
        due_at: datetime,
        local_due: datetime,
        now: datetime,
    ) -> str | None:
        if now - due_at > self.grace:
            return "misfire"  # the bot was down: never send a reminder late
        if not team.active:
            return "uninstalled"
        if member is None or (schedule.data or {}).get("ignore_rules"):
            return None
        if member.dm_blocked:
            return DM_BLOCKED
        return skip_reason(schedule.rule, rules, local_due)

    def _advance(
        self,
        schedule: Schedule,
        rules: PersonalRules | None,
        team: Team,
        now: datetime,
        *,
        stopped: bool = False,
    ) -> None:
        due_at = schedule.next_due_at
        assert due_at is not None
        schedule.last_due_at = due_at
        rule = schedule.rule
        if isinstance(rule, DailyLocal) and rules is not None:
            schedule.done_through = due_at.astimezone(rules.zone).date()
        if stopped:
            schedule.next_due_at = None
            return
        # Resume from the later of this firing and the start of the grace window: firings
        # missed while the bot was down are skipped, one still inside the window is sent.
        schedule.next_due_at = compute_next(schedule, rules, after=max(due_at, now - self.grace))

    def _outbox_rows(
        self,
        schedule: Schedule,
        member: Member | None,
        team: Team,
        due: Due,
        effects: list[Effect],
        now: datetime,
    ) -> list[dict[str, Any]]:
        rows = []
        lane = lane_for(team.platform, team.workspace_id)
        add_skip = not due.data.get("no_skip")
        for seq, effect in enumerate(effects):
            if add_skip and isinstance(effect, SendDirect):
                message = with_skip_button(effect.message, schedule.id, due.local_date.isoformat())
                effect = SendDirect(effect.user, message)
            rows.append(
                {
                    "team_id": team.id,
                    "member_id": member.id if member is not None else None,
                    "schedule_id": schedule.id,
                    "kind": schedule.kind,
                    "due_at": due.due_at,
                    "seq": seq,
                    "lane": lane,
                    "effect": effect_to_json(effect),
                    "status": "pending",
                    "not_before": now,
                    "expires_at": due.due_at + self.delivery_deadline,
                    "attempts": 0,
                    "created_at": now,
                }
            )
        return rows


def _zone(schedule: Schedule, rules: PersonalRules | None, team: Team) -> ZoneInfo:
    rule = schedule.rule
    if isinstance(rule, WeeklyLocal):
        return ZoneInfo(rule.zone)
    if rules is not None:
        return rules.zone
    return safe_zone(None, team.default_timezone)


def _context(bot: Bot, uow: UnitOfWork, team: Team, member: Member | None, now: datetime) -> Any:
    from bot.router import Context

    if member is None:
        # A team-level schedule: a placeholder member that is never added to the session.
        member = Member(
            id=0,
            team_id=team.id,
            platform_user_id="",
            display_name=team.name or "team",
            timezone=None,
            workdays=0b1111111,
            is_admin=False,
            dm_blocked=False,
        )
    actor = Actor(
        team.platform,
        team.workspace_id,
        member.platform_user_id,
        member.display_name or "",
        member.timezone,
        bool(member.is_admin),
    )
    return Context(
        bot=bot, uow=uow, team=team, member=member, actor=actor, place=Place.dm(), now=now
    )
