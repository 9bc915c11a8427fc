"""What flows call: create, change, cancel, read and skip schedules.

A schedule is one row per (team, member, kind, ref). Flows register what to send with
``Flow.job(kind)``; the dispatcher (``bot.scheduling.dispatcher``) calls that handler when the
row falls due and turns the returned effects into outbox rows.

Kinds are named ``family.phase`` (``logoff.remind``, ``logoff.heads_up``); **Skip today** and
:func:`skip_today` skip every schedule of the member in the same family for the local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.schedule import PersonalRules, next_fire
from bot.domain.schedule_rules import DailyLocal, Once, Rule, WeeklyLocal, rule_to_json
from bot.domain.zones import safe_zone
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import Schedule

if TYPE_CHECKING:
    from bot.kernel.context import Context

__all__ = [
    "Due",
    "cancel_schedule",
    "get_schedule",
    "member_rules",
    "recompute_for",
    "recompute_member",
    "set_schedule",
    "skip_today",
]

CANCELLED = "cancelled"
DM_BLOCKED = "dm_blocked"
TOUCHED = "crossfade.touched_schedules"
DISPATCHING = "crossfade.dispatching"


def touched_schedules(session: AsyncSession) -> dict[int, Schedule]:
    """Schedules changed through this module in this session (the dispatcher lets a job's
    change to its own schedule win over its routine advance)."""
    found: dict[int, Schedule] = session.info.get(TOUCHED, {})
    return found


def _touch(session: AsyncSession, row: Schedule) -> None:
    # A strong reference: the identity map alone would let a flushed row be collected.
    session.info.setdefault(TOUCHED, {})[row.id] = row


@dataclass(frozen=True, slots=True)
class Due:
    """One firing of a schedule, as a job handler sees it."""

    kind: str
    ref: str
    data: dict[str, Any]
    due_at: datetime  # UTC
    local_due: datetime  # aware, in the member's zone (the rule's zone for WeeklyLocal)
    schedule_id: int

    @property
    def local_date(self) -> date:
        return self.local_due.date()


class MemberLike(Protocol):
    """What :func:`member_rules` reads: a ``Member`` or the dispatcher's plain copy."""

    @property
    def timezone(self) -> str | None: ...

    @property
    def workdays(self) -> int: ...

    @property
    def quiet_start(self) -> str | None: ...

    @property
    def quiet_end(self) -> str | None: ...

    @property
    def away_start(self) -> date | None: ...

    @property
    def away_end(self) -> date | None: ...

    @property
    def holidays(self) -> str | None: ...


def member_rules(member: MemberLike, team: Team) -> PersonalRules:
    """The member's personal rules as values for the schedule maths."""
    quiet = None
    if member.quiet_start and member.quiet_end:
        quiet = (time.fromisoformat(member.quiet_start), time.fromisoformat(member.quiet_end))
    away = None
    if member.away_start is not None and member.away_end is not None:
        away = (member.away_start, member.away_end)
    return PersonalRules(
        zone=safe_zone(member.timezone, team.default_timezone),
        workdays=member.workdays,
        quiet=quiet,
        away=away,
        holidays=member.holidays or None,
    )


async def _lock_member(session: AsyncSession, member: Member) -> None:
    """Take the member's row lock and read their rules fresh (PostgreSQL; SQLite has one
    writer anyway). Two instances handling two settings commands of one person (a zone, a
    reminder time) a few milliseconds apart are serialised here, so the second computes with
    what the first committed and neither schedule is computed from stale rules.

    Not inside the dispatcher: it already holds the schedules' row locks, and taking a
    member's lock after them could deadlock with a command that takes them the other way
    round (its handlers compute from the rules as of the firing, which is right for them)."""
    if session.info.get(DISPATCHING):
        return
    await session.flush()
    await session.execute(
        select(Member)
        .where(Member.id == member.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _owner(ctx: Context, member: Member | None, team_level: bool) -> Member | None:
    if team_level:
        return None
    return member if member is not None else ctx.member


async def _find(
    session: AsyncSession, team: Team, owner: Member | None, kind: str, ref: str
) -> Schedule | None:
    return await session.scalar(
        select(Schedule)
        .where(
            Schedule.team_id == team.id,
            Schedule.owner == (owner.id if owner is not None else 0),
            Schedule.kind == kind,
            Schedule.ref == ref,
        )
        .execution_options(populate_existing=True)
    )


class Firing(Protocol):
    """What :func:`compute_next` reads: a ``Schedule`` row or the dispatcher's plain copy."""

    @property
    def rule(self) -> Rule: ...

    @property
    def last_due_at(self) -> datetime | None: ...

    @property
    def done_through(self) -> date | None: ...


def compute_next(
    schedule: Firing, rules: PersonalRules | None, *, after: datetime
) -> datetime | None:
    """The schedule's next due time after ``after`` (``None``: nothing more to send)."""
    rule = schedule.rule
    if isinstance(rule, Once):
        # A Once fires exactly once, even if it is recomputed after falling due but before a
        # dispatcher claimed it.
        fired = schedule.last_due_at is not None and schedule.last_due_at >= rule.at
        return None if fired else rule.at
    return next_fire(rule, rules, after=after, done_through=schedule.done_through)


async def set_schedule(
    ctx: Context,
    *,
    kind: str,
    rule: Rule,
    ref: str = "",
    data: dict[str, Any] | None = None,
    member: Member | None = None,
    team_level: bool = False,
) -> Schedule:
    """Create or replace the schedule (team, member, kind, ref) and compute its next due time
    from ``ctx.now``. ``member`` defaults to ``ctx.member``; ``team_level=True`` makes a
    schedule of the team (no member: its handler gets a placeholder member, and member rules
    never apply). ``data`` replaces the stored data and reaches the handler as ``Due.data``.

    Daily rules fire at most once per local day: changing the time after today's firing
    takes effect tomorrow. Setting a schedule also clears a member's ``dm_blocked`` mark (they
    asked for DMs again) and resumes their schedules stopped by it.
    """
    if len(kind) > 48 or len(ref) > 64:
        raise ValueError("schedule kind is at most 48 and ref at most 64 characters")
    if team_level and isinstance(rule, DailyLocal):
        raise ValueError("a team-level schedule cannot follow a member's day (use WeeklyLocal)")
    owner = _owner(ctx, member, team_level)
    session: AsyncSession = ctx.uow.session
    if owner is not None:
        await _lock_member(session, owner)
    row = await _find(session, ctx.team, owner, kind, ref)
    if row is None:
        row = Schedule(
            team_id=ctx.team.id,
            member_id=owner.id if owner is not None else None,
            owner=owner.id if owner is not None else 0,
            kind=kind,
            ref=ref,
            rule_json=rule_to_json(rule),
            data=dict(data or {}),
        )
        session.add(row)
    else:
        if isinstance(rule, Once) and row.rule_json != rule_to_json(rule):
            row.last_due_at = None  # a new instant: it may fire again
        row.rule_json = rule_to_json(rule)
        row.data = dict(data or {})
    row.stopped = None
    rules = None
    if owner is not None:
        if owner.dm_blocked:
            owner.dm_blocked = False
            await _resume_blocked(session, ctx.team, owner, ctx.now)
        rules = member_rules(owner, ctx.team)
    row.next_due_at = compute_next(row, rules, after=ctx.now)
    await session.flush()
    _touch(session, row)
    return row


async def cancel_schedule(
    ctx: Context,
    *,
    kind: str,
    ref: str = "",
    member: Member | None = None,
    team_level: bool = False,
) -> bool:
    """Stop the schedule; ``True`` if there was an active one. The row stays (with its
    delivery log) and :func:`set_schedule` revives it."""
    row = await get_schedule(ctx, kind=kind, ref=ref, member=member, team_level=team_level)
    if row is None:
        return False
    was_active = row.next_due_at is not None
    row.next_due_at = None
    row.stopped = CANCELLED
    _touch(ctx.uow.session, row)
    return was_active


async def get_schedule(
    ctx: Context,
    *,
    kind: str,
    ref: str = "",
    member: Member | None = None,
    team_level: bool = False,
) -> Schedule | None:
    """The schedule unless it was cancelled: ``.next_due_at`` (``None`` when nothing more is
    due), ``.data``, ``.rule`` (a ``Rule`` value), ``.last_due_at``."""
    row = await _find(ctx.uow.session, ctx.team, _owner(ctx, member, team_level), kind, ref)
    if row is None or row.stopped == CANCELLED:
        return None
    return row


async def _member_schedules(session: AsyncSession, team: Team, member: Member) -> list[Schedule]:
    rows = await session.scalars(
        select(Schedule)
        .where(Schedule.team_id == team.id, Schedule.member_id == member.id)
        .execution_options(populate_existing=True)  # what other instances committed
    )
    return list(rows)


async def recompute_for(ctx: Context) -> None:
    """Recompute the actor's schedules after their rules changed, in the event's unit of work."""
    await recompute_member(ctx.uow.session, ctx.team, ctx.member, now=ctx.now)


async def recompute_member(
    session: AsyncSession, team: Team, member: Member, *, now: datetime
) -> None:
    """Recompute every active schedule of ``member`` after their rules changed (zone,
    workdays, quiet hours, away days, holidays)."""
    await _lock_member(session, member)
    rules = member_rules(member, team)
    for row in await _member_schedules(session, team, member):
        if row.stopped is not None:
            continue
        row.next_due_at = compute_next(row, rules, after=now)
        _touch(session, row)


async def _resume_blocked(session: AsyncSession, team: Team, member: Member, now: datetime) -> None:
    rules = member_rules(member, team)
    for row in await _member_schedules(session, team, member):
        if row.stopped == DM_BLOCKED:
            row.stopped = None
            row.next_due_at = compute_next(row, rules, after=now)
            _touch(session, row)


async def skip_today(ctx: Context, *, family: str, member: Member | None = None) -> int:
    """Skip the rest of today (member-local) for every schedule of the member whose kind is
    ``family`` or starts with ``family.``: daily ones move to their next day, one-off ones
    due today are dropped. Returns how many schedules had something due today."""
    owner = member if member is not None else ctx.member
    rules = member_rules(owner, ctx.team)
    today = ctx.now.astimezone(rules.zone).date()
    end_of_today = datetime.combine(today + timedelta(days=1), time(0), rules.zone)
    skipped = 0
    for row in await _member_schedules(ctx.uow.session, ctx.team, owner):
        if row.stopped is not None or (row.kind != family and row.family != family):
            continue
        due_today = row.next_due_at is not None and row.next_due_at < end_of_today
        rule = row.rule
        if isinstance(rule, Once):
            if due_today:
                row.next_due_at = None
                row.last_due_at = rule.at
        elif not isinstance(rule, WeeklyLocal):
            row.done_through = max(today, row.done_through or today)
            row.next_due_at = compute_next(row, rules, after=ctx.now)
        _touch(ctx.uow.session, row)
        skipped += int(due_today)
    return skipped
