"""Reading and writing one member's check-ins and nudges, and gathering what insights need.

Every query is scoped by team and member. Log-off records come from the log-off flow when it
is installed (``bot.features.logoff.commands.logoff_days``); without it the dashboard
simply has none.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from bot.domain.parsing import workday_set
from bot.features.checkin.insights import DayEntry, LogoffDay, Nudge, WorkCalendar, due_nudges
from bot.features.checkin.models import CheckIn, NudgeSent
from bot.kernel.context import Context
from bot.kernel.slots import TIP_LOOKUP
from bot.kernel.storage.models.core import Team

__all__ = [
    "QUESTIONS",
    "all_dates",
    "answered",
    "calendar_for",
    "day_label",
    "entries",
    "find",
    "get_or_create",
    "is_complete",
    "last_nudges",
    "logoff_records",
    "nudge_lines",
    "purge_expired",
    "purge_member",
    "record_nudge",
    "tip_text",
    "to_entry",
]

log = logging.getLogger(__name__)

# The questions in the order they are asked: (code in action ids, column).
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("m", "mood"),
    ("e", "energy"),
    ("h", "hours"),
    ("b", "took_break"),
    ("d", "downtime"),
)


def answered(row: CheckIn) -> int:
    return sum(1 for _, column in QUESTIONS if getattr(row, column) is not None)


def is_complete(row: CheckIn | None) -> bool:
    return row is not None and answered(row) == len(QUESTIONS)


def to_entry(row: CheckIn) -> DayEntry:
    return DayEntry(
        day=row.local_date,
        mood=row.mood,
        energy=row.energy,
        hours=row.hours,
        took_break=row.took_break,
        downtime=row.downtime,
    )


async def find(ctx: Context, day: date) -> CheckIn | None:
    row: CheckIn | None = await ctx.session.scalar(
        select(CheckIn).where(
            CheckIn.team_id == ctx.team.id,
            CheckIn.member_id == ctx.member.id,
            CheckIn.local_date == day,
        )
    )
    return row


async def get_or_create(ctx: Context, day: date) -> CheckIn:
    """The row for ``day``. Two presses racing to create it meet the unique constraint;
    the core then retries the loser's event, which finds the winner's row."""
    row = await find(ctx, day)
    if row is None:
        row = CheckIn(
            team_id=ctx.team.id, member_id=ctx.member.id, local_date=day, zone=ctx.zone.key
        )
        ctx.session.add(row)
        await ctx.session.flush()
    return row


async def entries(ctx: Context, *, since: date) -> list[DayEntry]:
    rows = await ctx.session.scalars(
        select(CheckIn)
        .where(
            CheckIn.team_id == ctx.team.id,
            CheckIn.member_id == ctx.member.id,
            CheckIn.local_date >= since,
        )
        .order_by(CheckIn.local_date)
    )
    return [to_entry(row) for row in rows]


async def all_dates(ctx: Context) -> list[date]:
    """Every checked-in date (for the best streak), oldest first."""
    rows = await ctx.session.scalars(
        select(CheckIn.local_date)
        .where(CheckIn.team_id == ctx.team.id, CheckIn.member_id == ctx.member.id)
        .order_by(CheckIn.local_date)
    )
    return list(rows)


async def last_nudges(ctx: Context) -> dict[str, date]:
    rows = await ctx.session.execute(
        select(NudgeSent.pattern, func.max(NudgeSent.sent_on))
        .where(NudgeSent.team_id == ctx.team.id, NudgeSent.member_id == ctx.member.id)
        .group_by(NudgeSent.pattern)
    )
    return {pattern: sent for pattern, sent in rows.all()}


async def record_nudge(ctx: Context, pattern: str, day: date) -> None:
    ctx.session.add(
        NudgeSent(team_id=ctx.team.id, member_id=ctx.member.id, pattern=pattern, sent_on=day)
    )


async def purge_expired(session: Any, team: Team, *, today: date) -> int:
    """Delete the team's check-ins (and nudge records) older than its retention period;
    returns how many check-ins went."""
    cutoff = today - timedelta(days=team.retention_days)
    result = await session.execute(
        delete(CheckIn).where(CheckIn.team_id == team.id, CheckIn.local_date < cutoff)
    )
    await session.execute(
        delete(NudgeSent).where(NudgeSent.team_id == team.id, NudgeSent.sent_on < cutoff)
    )
    return int(result.rowcount or 0)


def calendar_for(ctx: Context) -> WorkCalendar:
    """The member's counted days: workdays minus the away range and public holidays."""
    member = ctx.member
    away: tuple[tuple[date, date], ...] = ()
    if member.away_start is not None and member.away_end is not None:
        away = ((member.away_start, member.away_end),)
    return WorkCalendar(
        workdays=workday_set(member.workdays),
        away=away,
        holidays=_holidays(member.holidays, ctx.local_today),
    )


def _holidays(code: str | None, today: date) -> frozenset[date]:
    if not code:
        return frozenset()
    try:
        import holidays

        country, _, subdivision = code.partition("-")
        years = range(today.year - 1, today.year + 1)
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
        return frozenset(found)
    except Exception:  # an unknown code must not break the dashboard
        log.info("unknown holiday calendar %r", code)
        return frozenset()


# --- log-off records (owned by the log-off flow) ------------------------------------------

# the log-off flow's outcomes → the three the insights know; "open" (today, no answer yet)
# is left out
_OUTCOMES = {
    "on_time": "on_time",
    "late": "late",
    "working_late": "late",
    "no_answer": "missed",
}


async def logoff_records(ctx: Context, *, since: date) -> list[LogoffDay]:
    """Per-local-day log-off outcomes from the log-off flow, or none while it is absent."""
    try:
        from bot.features.logoff.commands import logoff_days
    except ImportError:
        return []
    try:
        views = await logoff_days(ctx, since)
    except NotImplementedError:
        return []
    records = []
    for view in views:
        outcome = _OUTCOMES.get(view.outcome)
        if outcome is None:
            continue
        records.append(
            LogoffDay(
                day=view.day,
                outcome=outcome,  # type: ignore[arg-type]
                at=view.logged_off_at,
                target=view.target,
            )
        )
    return records


# --- text shared by the check-in flow and the dashboard ---------------------------------


def day_label(day: date) -> str:
    """``Mon 2 Mar``."""
    return f"{day:%a} {day.day} {day:%b}"


# which point of a tip speaks to which pattern (an index into tips.yaml's points)
_TIP_POINT = {"long_hours": 2, "no_downtime": 1, "late_logoffs": 1, "low_energy": 0, "no_breaks": 2}


def tip_text(ctx: Context, nudge: Nudge) -> str:
    """The nudge with its tip, worded from the (translatable) content files when present."""
    title, advice = nudge.tip.title, nudge.tip.text
    lookups = ctx.provided(TIP_LOOKUP)
    tip = lookups[0](ctx.settings, nudge.tip.key) if lookups else None
    if tip is not None:
        title, advice = tip.title, tip.summary
        point = _TIP_POINT.get(nudge.pattern)
        if point is not None and point < len(tip.points):
            advice = f"{tip.summary} {tip.points[point]}"
    return f"💡 *{title}* — {nudge.text} {advice}"


async def nudge_lines(ctx: Context, *, today: date, limit: int = 1) -> list[str]:
    """Up to ``limit`` nudges due today, recorded as shown, so that the same pattern is not
    raised again within a week."""
    since = today - timedelta(days=13)
    # No nagging about late evenings the person chose ("my choice" after working late).
    from bot.features.disconnect.late_choice import chosen_days

    chosen = await chosen_days(ctx, since)
    logoffs = [r for r in await logoff_records(ctx, since=since) if r.day not in chosen]
    nudges = due_nudges(
        await entries(ctx, since=since),
        logoffs,
        today=today,
        last_sent=await last_nudges(ctx),
    )
    lines = []
    for nudge in nudges[:limit]:
        await record_nudge(ctx, nudge.pattern, today)
        lines.append(tip_text(ctx, nudge))
    return lines


async def purge_member(ctx: Context) -> None:
    """Drop this member's check-ins past the team's retention (the daily team purge does
    the same for everyone; this keeps an active person's view exact in between)."""
    cutoff = ctx.local_today - timedelta(days=ctx.team.retention_days)
    await ctx.session.execute(
        delete(CheckIn).where(
            CheckIn.team_id == ctx.team.id,
            CheckIn.member_id == ctx.member.id,
            CheckIn.local_date < cutoff,
        )
    )
