"""What log-off tells other features: a person's days (the check-in dashboard, the weekly
summary and the nudges read them) and their log-off time (the weekly summary goes out then)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import cast

from bot.delivery.sent import Sent
from bot.domain.parsing import parse_clock
from bot.features.logoff.flow import flow
from bot.features.logoff.setup import REMINDER_KINDS
from bot.features.logoff.store import Logoffs
from bot.features.logoff.views import clock_of
from bot.kernel.context import Context
from bot.kernel.slots import LOGOFF_DAYS, LOGOFF_TIME, LogoffDayView, LogoffOutcome

__all__ = ["LogoffDayView", "logoff_days", "logoff_time"]


@flow.provides(LOGOFF_DAYS)
async def logoff_days(ctx: Context, since: date) -> list[LogoffDayView]:
    """The member's log-off days from ``since`` (member-local) to today, oldest first; days
    with neither a reminder nor an answer are absent."""
    today = ctx.local_today
    views: dict[date, LogoffDayView] = {}
    for row in await ctx.store(Logoffs).days_since(ctx.member, since):
        outcome = row.outcome
        if outcome == "open":
            outcome = "open" if row.local_date >= today else "no_answer"
        views[row.local_date] = LogoffDayView(
            day=row.local_date,
            target=time.fromisoformat(row.target) if row.target else None,
            outcome=cast(LogoffOutcome, outcome),
            snoozes=row.snoozes,
            logged_off_at=clock_of(ctx, row.logged_off_at),
            started_at=clock_of(ctx, row.started_at),
        )
    # Days a reminder went out without any answer have no row: what was sent is the log.
    start = datetime.combine(since, time(0), ctx.zone) - timedelta(days=1)
    sent = await ctx.store(Sent).due_times(ctx.member, kinds=REMINDER_KINDS, since=start)
    for due_at in sent:
        local = due_at.astimezone(ctx.zone)
        if local.date() < since or local.date() in views:
            continue
        views[local.date()] = LogoffDayView(
            day=local.date(),
            target=local.time().replace(second=0, microsecond=0),
            outcome="open" if local.date() >= today else "no_answer",
            snoozes=0,
            logged_off_at=None,
        )
    return [views[day] for day in sorted(views)]


@flow.provides(LOGOFF_TIME)
async def logoff_time(ctx: Context) -> time | None:
    """The person's own log-off time: the fixed reminder's, else the hard stop (kept from
    integration mode even while reminders are off); ``None`` when they never set one."""
    settings = await ctx.store(Logoffs).settings(ctx.member)
    if settings is None:
        return None
    text = settings.at if settings.mode == "fixed" else settings.hard_stop
    try:
        return parse_clock(text) if text else None
    except ValueError:
        return None
