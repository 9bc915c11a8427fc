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

import asyncio
import json
import logging
import time as _time
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from bot.delivery.codec import effect_to_json
from bot.delivery.metrics import DISPATCH_SECONDS, SKIPPED
from bot.delivery.notifier import lane_for
from bot.domain.dm_decision import Decision, DmFiring, Verdict, decide
from bot.domain.schedule import PersonalRules
from bot.domain.schedule_rules import (
    DailyLocal,
    Once,
    Rule,
    WeeklyLocal,
    rule_from_json,
    rule_to_json,
)
from bot.domain.window import Category
from bot.domain.zones import safe_zone
from bot.kernel.effects import Effect, SendDirect
from bot.kernel.events import Actor, TeamKey
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import OutboxRow, Schedule
from bot.kernel.storage.uow import UnitOfWork
from bot.kernel.ui import Button, Buttons, Message
from bot.scheduling.api import (
    DISPATCHING,
    DM_BLOCKED,
    Due,
    compute_next,
    member_rules,
    touched_schedules,
)
from bot.scheduling.window import WindowTally, record_counts, window_decision

if TYPE_CHECKING:
    from bot.kernel.app import Bot

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


@dataclass(slots=True)
class ClaimedSchedule:
    """A claimed schedule as plain values: cheaper than an ORM object to load and to
    advance (one executemany UPDATE per batch)."""

    id: int
    team_id: int
    member_id: int | None
    kind: str
    ref: str
    rule_json: dict[str, Any]
    data: dict[str, Any]
    next_due_at: datetime | None
    last_due_at: datetime | None
    done_through: date | None
    stopped: str | None
    _rule: Rule | None = None

    @property
    def rule(self) -> Rule:
        if self._rule is None:
            self._rule = rule_from_json(self.rule_json)
        return self._rule


class MemberRow:
    """A claimed schedule's member as plain values (every column of ``members``). Jobs get
    an ORM ``Member`` only if they touch ``ctx.member`` (see :class:`JobContext`): building
    100,000 ORM objects a minute would cost more than everything else a reminder needs."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.id: int = values["id"]
        self.platform_user_id: str = values["platform_user_id"]
        self.display_name: str = values["display_name"] or ""
        self.timezone: str | None = values["timezone"]
        self.workdays: int = values["workdays"]
        self.quiet_start: str | None = values["quiet_start"]
        self.quiet_end: str | None = values["quiet_end"]
        self.away_start: date | None = values["away_start"]
        self.away_end: date | None = values["away_end"]
        self.holidays: str | None = values["holidays"]
        self.is_admin: bool = bool(values["is_admin"])
        self.dm_blocked: bool = bool(values["dm_blocked"])

    def attach(self, uow: UnitOfWork) -> Member:
        """The ORM ``Member`` for these values, attached to the session without a query
        (or the one the session already has)."""
        member = Member(**self.values)
        make_transient_to_detached(member)
        merged: Member = uow.session.sync_session.merge(member, load=False)
        return merged


SCHEDULES = cast(Table, Schedule.__table__)
MEMBERS = cast(Table, Member.__table__)
OUTBOX = cast(Table, OutboxRow.__table__)

_COLUMNS = (
    "id",
    "team_id",
    "member_id",
    "kind",
    "ref",
    "rule",
    "data",
    "next_due_at",
    "last_due_at",
    "done_through",
    "stopped",
)


_OUTBOX_ARRAYS = {
    "team_id": "integer",
    "member_id": "integer",
    "schedule_id": "integer",
    "kind": "varchar",
    "due_at": "timestamptz",
    "seq": "integer",
    "lane": "varchar",
    "effect": "text",
    "status": "varchar",
    "not_before": "timestamptz",
    "expires_at": "timestamptz",
    "attempts": "integer",
    "created_at": "timestamptz",
}
_SELECTED = ", ".join(
    "CAST(v.effect AS json)" if c == "effect" else f"v.{c}" for c in _OUTBOX_ARRAYS
)
_ARRAYS = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in _OUTBOX_ARRAYS.items())
_PG_INSERT_OUTBOX = (
    f"INSERT INTO outbox ({', '.join(_OUTBOX_ARRAYS)}) "
    f"SELECT {_SELECTED} FROM unnest({_ARRAYS}) AS v({', '.join(_OUTBOX_ARRAYS)})"
)
_PG_ADVANCE = (
    "UPDATE schedules AS s SET next_due_at = v.next_due_at, last_due_at = v.last_due_at, "
    "done_through = v.done_through, stopped = v.stopped, updated_at = :updated "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:nexts AS timestamptz[]), "
    "CAST(:lasts AS timestamptz[]), CAST(:dones AS date[]), CAST(:stops AS varchar[])) "
    "AS v(id, next_due_at, last_due_at, done_through, stopped) WHERE s.id = v.id"
)


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
        batch_size: int = 1000,
        grace: timedelta | None = None,
        delivery_deadline: timedelta = timedelta(hours=1),
        parallel: int = 2,
    ) -> None:
        self.bot = bot
        self.batch_size = batch_size
        self.parallel = max(1, parallel)
        self.grace = grace or timedelta(minutes=bot.settings.misfire_grace_minutes)
        self.delivery_deadline = delivery_deadline

    async def run(self, now: datetime) -> DispatchStats:
        """Dispatch every schedule due at or before ``now``, batch after batch."""
        # One claim first: an idle tick (nothing due) costs one query, not one per claimer.
        total = await self._batch(now)
        if total.claimed >= self.batch_size:
            # On PostgreSQL two claimers overlap one batch's database round trips with the
            # next batch's Python work (SKIP LOCKED keeps them apart); SQLite has one writer.
            workers = self.parallel if self.bot.db.is_postgres else 1
            for stats in await asyncio.gather(*(self._drain(now) for _ in range(workers))):
                total.add(stats)
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

    async def _drain(self, now: datetime) -> DispatchStats:
        total = DispatchStats()
        while True:
            stats = await self._batch(now)
            total.add(stats)
            if stats.claimed < self.batch_size:
                return total

    # --- claiming --------------------------------------------------------------------------

    def _claim_query(self, now: datetime, *, limit: int, schedule_id: int | None = None) -> Any:
        table = SCHEDULES
        query = (
            select(
                *(table.c[name] for name in _COLUMNS),
                *(column.label(f"m_{column.key}") for column in MEMBERS.c),
            )
            .select_from(table)
            .outerjoin(MEMBERS, MEMBERS.c.id == table.c.member_id)
            .where(table.c.next_due_at <= now)
            # next_due_at alone: the index gives that order, so a claim reads only the rows
            # it takes (a tiebreaker would sort every due row on each claim).
            .order_by(table.c.next_due_at)
            .limit(limit)
        )
        if schedule_id is not None:
            query = query.where(table.c.id == schedule_id)
        if self.bot.db.is_postgres:
            query = query.with_for_update(skip_locked=True, of=table)
        return query

    async def _claim(
        self, uow: UnitOfWork, now: datetime, *, limit: int, schedule_id: int | None = None
    ) -> list[tuple[ClaimedSchedule, MemberRow | None]]:
        result = await uow.session.execute(
            self._claim_query(now, limit=limit, schedule_id=schedule_id)
        )
        claimed = []
        member_keys = [column.key for column in MEMBERS.c]
        split = len(_COLUMNS)
        for row in result:
            values = dict(zip(_COLUMNS, row[:split], strict=True))
            values["rule_json"] = values.pop("rule")
            values["data"] = values["data"] or {}
            member_values = dict(zip(member_keys, row[split:], strict=True))
            member = MemberRow(member_values) if member_values["id"] is not None else None
            claimed.append((ClaimedSchedule(**values), member))
        return claimed

    async def _teams(self, uow: UnitOfWork, ids: set[int]) -> dict[int, Team]:
        rows = await uow.session.scalars(select(Team).where(Team.id.in_(ids)))
        return {team.id: team for team in rows}

    async def _batch(self, now: datetime) -> DispatchStats:
        started = _time.perf_counter()
        ids: list[int] = []
        try:
            async with self.bot.db.uow() as uow:
                claimed = await self._claim(uow, now, limit=self.batch_size)
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
                    claimed = await self._claim(uow, now, limit=1, schedule_id=schedule_id)
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
            for schedule, member in await self._claim(uow, now, limit=1, schedule_id=schedule_id):
                team = await uow.session.get(Team, schedule.team_id)
                assert team is not None
                rules = member_rules(member, team) if member is not None else None
                self._advance(schedule, rules, now)
                await self._save(uow, [schedule])
                SKIPPED.labels("enqueued_already" if already else "job_error", schedule.kind).inc()
            await uow.commit()

    # --- one batch -------------------------------------------------------------------------

    async def _process(
        self,
        uow: UnitOfWork,
        claimed: list[tuple[ClaimedSchedule, MemberRow | None]],
        now: datetime,
    ) -> DispatchStats:
        stats = DispatchStats(claimed=len(claimed))
        uow.session.info[DISPATCHING] = True
        teams = await self._teams(uow, {schedule.team_id for schedule, _ in claimed})
        outbox: list[dict[str, Any]] = []
        advance: list[tuple[ClaimedSchedule, PersonalRules | None, bool]] = []
        moved: list[ClaimedSchedule] = []
        jobs = self.bot.router.jobs
        tally: WindowTally = WindowTally()
        for schedule, member in claimed:
            team = teams[schedule.team_id]
            due_at = schedule.next_due_at
            assert due_at is not None
            rules = member_rules(member, team) if member is not None else None
            zone = _zone(schedule, rules, team)
            local_due = due_at.astimezone(zone)
            verdict = self._decide(schedule, member, rules, team, due_at, now)
            if isinstance(verdict, Decision) and verdict.verdict is Verdict.MOVE:
                # Moved (a one-off in quiet hours): not fired, due again when they end.
                schedule.next_due_at = verdict.at
                moved.append(schedule)
                stats.skipped["moved"] += 1
                continue
            reason = _reason_of(verdict)
            handler = jobs.get(schedule.kind)
            if reason is None and handler is None:
                log.error("no job handler registered for schedule kind %r", schedule.kind)
                reason = "no_handler"
            window: Decision | None = None
            category: Category = "inside"
            exempt = bool((schedule.data or {}).get("ignore_rules"))
            if reason is None and member is not None and rules is not None and not exempt:
                # The right to disconnect: the person's working window decides (send, hold
                # until the next window start, or drop with a reason `next` shows).
                window, category = window_decision(
                    schedule.kind, member.values, team, rules, local_due
                )
                if window.verdict is Verdict.DROP:
                    reason = str(window.reason)
            if reason is not None:
                stats.skipped[reason] += 1
                SKIPPED.labels(reason, schedule.kind).inc()
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
                if window is not None:
                    until = window.at if window.verdict is Verdict.MOVE else None
                    dms = self._hold(rows, until)
                    tally[(team.id, (until or due_at).astimezone(UTC).date(), category)] += dms
                outbox.extend(rows)
                stats.fired += 1
                stats.enqueued += len(rows)
            advance.append((schedule, rules, reason == DM_BLOCKED))
            dropped = window if window is not None and not window.sent else verdict
            if isinstance(dropped, Decision) and isinstance(schedule.rule, Once):
                # A dropped one-off: the reason stays on the row for `logoff` to show.
                schedule.stopped = f"dropped:{dropped.reason}"
        self._apply_advances(uow, advance, now)
        await self._save(uow, [schedule for schedule, _, _ in advance])
        for schedule in moved:
            await self._move(uow, schedule)
        if outbox:
            await self._insert_outbox(uow, outbox)
        if tally:
            await record_counts(uow, tally, postgres=self.bot.db.is_postgres)
        return stats

    def _hold(self, rows: list[dict[str, Any]], until: datetime | None) -> int:
        """Hold a batch's DM rows until ``until`` (the next window start); their count."""
        dms = [row for row in rows if row["effect"].get("type") == "send_direct"]
        if until is not None:
            for row in dms:
                row["not_before"] = until.astimezone(UTC)
                row["expires_at"] = until.astimezone(UTC) + self.delivery_deadline
        return len(dms)

    def _apply_advances(
        self,
        uow: UnitOfWork,
        advance: list[tuple[ClaimedSchedule, PersonalRules | None, bool]],
        now: datetime,
    ) -> None:
        """Advance every claimed schedule. A handler may have changed its own schedule
        (``set_schedule`` / ``cancel_schedule`` load it as an ORM object): then its change
        wins, and only the bookkeeping of this firing is added to that object."""
        touched = touched_schedules(uow.session)
        for schedule, rules, stopped in advance:
            self._advance(schedule, rules, now, stopped=stopped)
            orm = touched.get(schedule.id)
            if orm is None:
                continue
            schedule.stopped = None  # not saved by _save: the ORM object is flushed instead
            orm.last_due_at = schedule.last_due_at
            if schedule.done_through is not None:
                orm.done_through = max(
                    orm.done_through or schedule.done_through, schedule.done_through
                )
            unchanged = orm.next_due_at is not None and orm.next_due_at <= (
                schedule.last_due_at or now
            )
            if orm.stopped is None and unchanged:
                orm.next_due_at = schedule.next_due_at
                if stopped:
                    orm.stopped = DM_BLOCKED
            schedule.id = -schedule.id  # marks it as saved through the ORM

    async def _move(self, uow: UnitOfWork, schedule: ClaimedSchedule) -> None:
        """A moved one-off becomes a one-off at its new time, so a later change of the
        person's rules recomputes it from there (not from the instant it was moved away
        from, which would then look like a misfire)."""
        assert schedule.next_due_at is not None
        await uow.session.execute(
            update(SCHEDULES)
            .where(SCHEDULES.c.id == schedule.id)
            .values(
                rule=rule_to_json(Once(schedule.next_due_at)),
                next_due_at=schedule.next_due_at,
                updated_at=self.bot.clock.now(),
            )
        )

    async def _insert_outbox(self, uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
        if not self.bot.db.is_postgres:
            # The table, not the class: a plain executemany is several times faster than
            # the ORM's bulk path, and these rows are never used as objects here.
            await uow.session.execute(insert(OUTBOX), rows)
            return
        # PostgreSQL: one statement over arrays (unnest) instead of a parameter set per row;
        # at 100,000 reminders a minute, per-row parameter handling is the bottleneck.
        columns = {name: [row[name] for row in rows] for name in _OUTBOX_ARRAYS}
        columns["effect"] = [json.dumps(effect) for effect in columns["effect"]]
        await uow.session.execute(text(_PG_INSERT_OUTBOX), columns)

    async def _save(self, uow: UnitOfWork, schedules: list[ClaimedSchedule]) -> None:
        rows = [
            {
                "_id": s.id,
                "_next": s.next_due_at,
                "_last": s.last_due_at,
                "_done": s.done_through,
                "_stopped": s.stopped,
                "_updated": self.bot.clock.now(),
            }
            for s in schedules
            if s.id > 0
        ]
        if not rows:
            return
        if self.bot.db.is_postgres:
            await uow.session.execute(
                text(_PG_ADVANCE),
                {
                    "ids": [row["_id"] for row in rows],
                    "nexts": [row["_next"] for row in rows],
                    "lasts": [row["_last"] for row in rows],
                    "dones": [row["_done"] for row in rows],
                    "stops": [row["_stopped"] for row in rows],
                    "updated": self.bot.clock.now(),
                },
            )
            return
        table = SCHEDULES
        await uow.session.execute(
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(
                next_due_at=bindparam("_next"),
                last_due_at=bindparam("_last"),
                done_through=bindparam("_done"),
                stopped=bindparam("_stopped"),
                updated_at=bindparam("_updated"),
            ),
            rows,
        )

    def _decide(
        self,
        schedule: ClaimedSchedule,
        member: MemberRow | None,
        rules: PersonalRules | None,
        team: Team,
        due_at: datetime,
        now: datetime,
    ) -> Decision | str | None:
        """``None`` to fire; a platform reason (``uninstalled``, ``dm_blocked``) or the
        person's rules' :class:`Decision` (move or drop) otherwise."""
        data = schedule.data or {}
        rule = schedule.rule
        firing = DmFiring(
            due_at=due_at,
            one_off=isinstance(rule, Once),
            workdays_only=not isinstance(rule, DailyLocal) or rule.workdays_only,
            run_late=bool(data.get("run_late")),
            ignore_rules=bool(data.get("ignore_rules")) or isinstance(rule, WeeklyLocal),
        )
        ignore_blocked = bool(data.get("ignore_rules"))
        decision = decide(firing, None, now=now, grace=self.grace)
        if decision.sent and not team.active:
            return "uninstalled"
        if not decision.sent or member is None:
            return None if decision.sent else decision
        if member.dm_blocked and not ignore_blocked:
            return DM_BLOCKED
        decision = decide(firing, rules, now=now, grace=self.grace)
        return None if decision.sent else decision

    def _advance(
        self,
        schedule: ClaimedSchedule,
        rules: PersonalRules | None,
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
            schedule.stopped = DM_BLOCKED
            return
        # Resume from the later of this firing and the start of the grace window: firings
        # missed while the bot was down are skipped, one still inside the window is sent.
        schedule.next_due_at = compute_next(schedule, rules, after=max(due_at, now - self.grace))

    def _outbox_rows(
        self,
        schedule: ClaimedSchedule,
        member: MemberRow | None,
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
                    "effect": effect_to_json(effect, TeamKey(team.platform, team.workspace_id)),
                    "status": "pending",
                    "not_before": now,
                    # a late-running job gets its full delivery window from now
                    "expires_at": max(due.due_at, now) + self.delivery_deadline
                    if (schedule.data or {}).get("run_late")
                    else due.due_at + self.delivery_deadline,
                    "attempts": 0,
                    "created_at": now,
                }
            )
        return rows


def _reason_of(verdict: Decision | str | None) -> str | None:
    if isinstance(verdict, Decision):
        return str(verdict.reason)
    return verdict


def _zone(schedule: ClaimedSchedule, rules: PersonalRules | None, team: Team) -> ZoneInfo:
    rule = schedule.rule
    if isinstance(rule, WeeklyLocal):
        return ZoneInfo(rule.zone)
    if rules is not None:
        return rules.zone
    return safe_zone(None, team.default_timezone)


def _context(bot: Bot, uow: UnitOfWork, team: Team, member: MemberRow | None, now: datetime) -> Any:
    from bot.scheduling.context import JobContext

    if member is None:
        # A team-level schedule: a placeholder member that is never added to the session.
        placeholder = Member(
            id=0,
            team_id=team.id,
            platform_user_id="",
            display_name=team.name or "team",
            timezone=None,
            workdays=0b1111111,
            is_admin=False,
            dm_blocked=False,
        )
        actor = Actor(team.platform, team.workspace_id, "", placeholder.display_name)
        return JobContext.make(
            bot=bot, uow=uow, team=team, actor=actor, now=now, member=placeholder
        )
    actor = Actor(
        team.platform,
        team.workspace_id,
        member.platform_user_id,
        member.display_name,
        member.timezone,
        member.is_admin,
    )
    return JobContext.make(
        bot=bot, uow=uow, team=team, actor=actor, now=now, load=lambda: member.attach(uow)
    )
