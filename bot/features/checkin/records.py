"""What insights need from one member's check-ins and log-off days, and the nudges they
raise.

The check-ins come from the feature's store (:class:`~bot.features.checkin.store.CheckIns`);
log-off days from log-off (:data:`~bot.kernel.slots.LOGOFF_DAYS`); the late evenings a person
chose from the right to disconnect (:data:`~bot.kernel.slots.LATE_BY_CHOICE`); tips in the
content files' wording from the quiz (:data:`~bot.kernel.slots.TIP_LOOKUP`).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.domain.parsing import workday_set
from bot.features.checkin.insights import DayEntry, LogoffDay, Nudge, WorkCalendar, due_nudges
from bot.features.checkin.models import CheckIn
from bot.features.checkin.store import CheckIns
from bot.kernel.context import Context
from bot.kernel.slots import LATE_BY_CHOICE, LOGOFF_DAYS, TIP_LOOKUP

__all__ = [
    "QUESTIONS",
    "all_dates",
    "answered",
    "calendar_for",
    "day_label",
    "entries",
    "is_complete",
    "logoff_records",
    "nudge_lines",
    "purge_member",
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


async def entries(ctx: Context, *, since: date) -> list[DayEntry]:
    return [to_entry(row) for row in await ctx.store(CheckIns).since(ctx.member, since)]


async def all_dates(ctx: Context) -> list[date]:
    """Every checked-in date (for the best streak), oldest first."""
    return await ctx.store(CheckIns).dates(ctx.member)


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
        import holidays  # a large library: loaded on first use

        country, _, subdivision = code.partition("-")
        years = range(today.year - 1, today.year + 1)
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
        return frozenset(found)
    except Exception:  # an unknown code must not break the dashboard
        log.info("unknown holiday calendar %r", code)
        return frozenset()


# --- log-off days (log-off's, through LOGOFF_DAYS) ------------------------------------------

# log-off's outcomes → the three the insights know; "open" (today, no answer yet) is left out
_OUTCOMES = {
    "on_time": "on_time",
    "late": "late",
    "working_late": "late",
    "no_answer": "missed",
}


async def logoff_records(ctx: Context, *, since: date) -> list[LogoffDay]:
    """Per-local-day log-off outcomes since ``since``."""
    records = []
    for logoff_days in ctx.provided(LOGOFF_DAYS):
        for view in await logoff_days(ctx, since):
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
    chosen: set[date] = set()
    for by_choice in ctx.provided(LATE_BY_CHOICE):
        chosen |= await by_choice(ctx, since)
    logoffs = [r for r in await logoff_records(ctx, since=since) if r.day not in chosen]
    store = ctx.store(CheckIns)
    nudges = due_nudges(
        await entries(ctx, since=since),
        logoffs,
        today=today,
        last_sent=await store.last_nudges(ctx.member),
    )
    lines = []
    for nudge in nudges[:limit]:
        store.nudged(ctx.member, nudge.pattern, today)
        lines.append(tip_text(ctx, nudge))
    return lines


async def purge_member(ctx: Context) -> None:
    """Drop this member's check-ins past the team's retention (the daily team purge does
    the same for everyone; this keeps an active person's view exact in between)."""
    cutoff = ctx.local_today - timedelta(days=ctx.team.retention_days)
    await ctx.store(CheckIns).forget_before(ctx.member, cutoff)
