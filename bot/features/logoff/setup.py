"""Setting up the log-off reminder: a fixed time or integration mode, and the schedules that
follow from the settings.

Schedules (family ``logoff``, so "Skip today", ``done`` and "Working late" stop them all for
the day): ``logoff.heads_up`` and ``logoff.remind`` (daily), ``logoff.hours_heads_up`` and
``logoff.hours`` (once, after ``start``), ``logoff.snooze`` (once).

Other features set the reminder through :data:`~bot.kernel.slots.LOGOFF_SETUP` (the quiz's
one-click set-up) and :data:`~bot.kernel.slots.END_OF_DAY` (the working window, moving a
reminder out of quiet hours).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.domain.dm_decision import daily_time_decision
from bot.domain.parsing import format_clock, format_workdays
from bot.features.logoff.flow import flow
from bot.features.logoff.models import LogoffSettings
from bot.features.logoff.rules import (
    DEFAULT_HARD_STOP,
    format_hours,
    heads_up_time,
    hours_target,
    parse_hours,
)
from bot.features.logoff.store import Logoffs
from bot.features.logoff.views import local, when
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect
from bot.kernel.errors import UserError
from bot.kernel.slots import END_OF_DAY, LOGOFF_SETUP, LogoffSetup
from bot.scheduling import (
    DailyLocal,
    Once,
    cancel_schedule,
    get_schedule,
    member_rules,
    set_schedule,
)

__all__ = [
    "FAMILY",
    "HEADS_UP",
    "HOURS",
    "HOURS_HEADS_UP",
    "REMIND",
    "REMINDER_KINDS",
    "SNOOZE_KIND",
    "apply_settings",
    "schedule_hours",
    "set_end_of_day",
    "set_hours",
    "set_logoff",
]

FAMILY = "logoff"
HEADS_UP = "logoff.heads_up"
REMIND = "logoff.remind"
HOURS_HEADS_UP = "logoff.hours_heads_up"
HOURS = "logoff.hours"
SNOOZE_KIND = "logoff.snooze"
REMINDER_KINDS = (REMIND, HOURS, SNOOZE_KIND)


def _check_quiet(ctx: Context, at: time, what: str) -> None:
    if not daily_time_decision(at, member_rules(ctx.member, ctx.team)).sent:
        start, end = ctx.member.quiet_start, ctx.member.quiet_end
        raise UserError(
            f"{format_clock(at)} is inside your quiet hours ({start}–{end}), when I send no "
            f"DMs, so the {what} would never arrive. Pick a time between {end} and {start}, "
            "or change them with `quiet HH:MM-HH:MM`."
        )


async def set_logoff(ctx: Context, at: time) -> list[Effect]:
    """Fixed log-off reminder at ``at`` (member-local) on workdays, with the wind-down
    heads-up; replaces integration mode. Raises ``UserError`` when ``at`` is inside the
    member's quiet hours. Returns the confirmation to show."""
    at = at.replace(second=0, microsecond=0)
    _check_quiet(ctx, at, "reminder")
    settings = await ctx.store(Logoffs).settings_to_change(ctx.member)
    was_hours = settings.mode == "hours"
    settings.mode, settings.at = "fixed", format_clock(at)
    ctx.member.work_end = settings.at  # the log-off time ends the working window
    await apply_settings(ctx, settings)
    remind = await get_schedule(ctx, kind=REMIND)
    heads = heads_up_time(at, settings.heads_up_minutes)
    lead = f" with a heads-up at {format_clock(heads)}" if heads else ""
    days = format_workdays(ctx.member.workdays)
    text = (
        f"Log-off reminder set: {format_clock(at)} on workdays ({days}){lead}, "
        f"{ctx.zone.key} time. Next: {when(ctx, remind.next_due_at if remind else None)}."
    )
    if was_hours:
        text += " This replaces integration mode (`hours`): no more reminders after `start`."
    return [reply(text)]


async def set_hours(ctx: Context, hours: float, *, hard_stop: time | None = None) -> list[Effect]:
    """Integration mode: remind ``hours`` after ``start``, never later than the hard stop
    (``hard_stop``, else the current one, else 19:00). Returns the confirmation."""
    hours = parse_hours(f"{float(hours):g}")  # same range and rounding as typed input
    logoffs = ctx.store(Logoffs)
    settings = await logoffs.settings_to_change(ctx.member)
    stop = hard_stop or (
        time.fromisoformat(settings.hard_stop) if settings.hard_stop else DEFAULT_HARD_STOP
    )
    stop = stop.replace(second=0, microsecond=0)
    _check_quiet(ctx, stop, "hard-stop reminder")
    settings.mode, settings.hours, settings.hard_stop = "hours", hours, format_clock(stop)
    ctx.member.work_end = settings.hard_stop
    await apply_settings(ctx, settings)
    text = (
        f"Integration mode: after `/crossfade start` I'll remind you when {format_hours(hours)} "
        f"are up, and at {format_clock(stop)} at the latest (your hard stop, {ctx.zone.key})."
    )
    day = await logoffs.day(ctx.member, ctx.local_today)
    if day is not None and day.started_at is not None:
        hours_row = await get_schedule(ctx, kind=HOURS)
        due = hours_row.next_due_at if hours_row else None
        started = local(ctx, day.started_at)
        text += f" Today you started at {started:%H:%M}: reminder {when(ctx, due)}."
    return [reply(text)]


@flow.provides(END_OF_DAY)
async def set_end_of_day(ctx: Context, end: time) -> list[Effect]:
    """The end of the working window: the hard stop in integration mode, else the fixed
    log-off reminder (``workday 09:00-17:30``)."""
    settings = await ctx.store(Logoffs).settings(ctx.member)
    if settings is not None and settings.mode == "hours":
        return await set_hours(ctx, settings.hours or 8.0, hard_stop=end)
    return await set_logoff(ctx, end)


flow.provide(LOGOFF_SETUP, LogoffSetup(fixed=set_logoff, hours=set_hours))


async def apply_settings(ctx: Context, settings: LogoffSettings) -> None:
    """Make the member's logoff schedules match their settings."""
    if settings.mode == "off":
        for kind in (HEADS_UP, REMIND, HOURS_HEADS_UP, HOURS, SNOOZE_KIND):
            await cancel_schedule(ctx, kind=kind)
        return
    at_text = settings.at if settings.mode == "fixed" else settings.hard_stop
    at = time.fromisoformat(at_text or format_clock(DEFAULT_HARD_STOP))
    await set_schedule(ctx, kind=REMIND, rule=DailyLocal(at), data={"mode": settings.mode})
    heads = heads_up_time(at, settings.heads_up_minutes)
    if heads is not None:
        await set_schedule(
            ctx, kind=HEADS_UP, rule=DailyLocal(heads), data={"target": format_clock(at)}
        )
    else:
        await cancel_schedule(ctx, kind=HEADS_UP)
    if settings.mode == "fixed":
        await cancel_schedule(ctx, kind=HOURS)
        await cancel_schedule(ctx, kind=HOURS_HEADS_UP)
        return
    # Integration mode: if the clock already runs today, move today's reminder too.
    day = await ctx.store(Logoffs).day(ctx.member, ctx.local_today)
    if day is not None and day.started_at is not None and day.outcome == "open":
        await schedule_hours(ctx, settings, day.started_at)


async def schedule_hours(ctx: Context, settings: LogoffSettings, started: datetime) -> datetime:
    """Schedule today's hours-based reminder (and its heads-up); returns its local time."""
    hard = time.fromisoformat(settings.hard_stop or format_clock(DEFAULT_HARD_STOP))
    target = hours_target(started.astimezone(ctx.zone), settings.hours or 8.0, hard)
    hard_today = datetime.combine(target.date(), hard, ctx.zone)
    if target < hard_today:
        data = {"started": started.isoformat(), "hours": settings.hours}
        await set_schedule(ctx, kind=HOURS, rule=Once(target), data=data)
        heads = target - timedelta(minutes=settings.heads_up_minutes)
        if settings.heads_up_minutes and heads > ctx.now:
            await set_schedule(
                ctx,
                kind=HOURS_HEADS_UP,
                rule=Once(heads),
                data={"target": format_clock(target.time())},
            )
        else:
            await cancel_schedule(ctx, kind=HOURS_HEADS_UP)
    else:
        # The hard stop comes first: the daily hard-stop reminder covers today.
        await cancel_schedule(ctx, kind=HOURS)
        await cancel_schedule(ctx, kind=HOURS_HEADS_UP)
    return target
