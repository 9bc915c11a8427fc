"""Closing a working day: ``done`` and **I'm logging off** record it, on time or late, and
the features listening to :data:`~bot.kernel.slots.LOGGED_OFF` add their answers."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.domain.parsing import format_clock
from bot.features.logoff.models import LogoffDay, LogoffSettings
from bot.features.logoff.rules import (
    DEFAULT_HARD_STOP,
    farewell,
    hours_target,
    next_workday_name,
    outcome_for,
)
from bot.features.logoff.setup import FAMILY
from bot.features.logoff.store import Logoffs
from bot.features.logoff.views import local
from bot.kernel.context import Context
from bot.kernel.effects import Effect
from bot.kernel.slots import LOGGED_OFF
from bot.scheduling import skip_today

__all__ = ["after_log_off", "log_off", "target_today"]


def target_today(ctx: Context, settings: LogoffSettings | None, day: LogoffDay | None) -> str:
    """Today's log-off target (HH:MM): the fixed time, the end of the hours since ``start``,
    or the hard stop; "" with reminders off."""
    if settings is None or settings.mode == "off":
        return ""
    if settings.mode == "fixed":
        return settings.at or ""
    if day is not None and day.started_at is not None and settings.hours:
        start = day.started_at.astimezone(ctx.zone)
        hard = time.fromisoformat(settings.hard_stop or format_clock(DEFAULT_HARD_STOP))
        return format_clock(hours_target(start, settings.hours, hard).time())
    return settings.hard_stop or format_clock(DEFAULT_HARD_STOP)


async def log_off(ctx: Context, today: date) -> str:
    """Record logging off now from the working day ``today`` (yesterday for a 03:00
    ``done``); the answer to show."""
    logoffs = ctx.store(Logoffs)
    day = await logoffs.day_to_change(ctx.member, today)
    when = "today" if today == ctx.local_today else "yesterday"
    if day.logged_off_at is not None:
        at = local(ctx, day.logged_off_at)
        return f"Already noted: you logged off at {at:%H:%M} {when}. {farewell(ctx.local_now)}"
    settings = await logoffs.settings(ctx.member)
    target_text = day.target or target_today(ctx, settings, day)
    # The target is on the working day being closed, which may be yesterday (a 03:00 `done`).
    target = (
        datetime.combine(today, time.fromisoformat(target_text), ctx.zone) if target_text else None
    )
    day.target = target_text or None
    day.logged_off_at = ctx.now
    if day.outcome != "working_late":
        day.outcome = outcome_for(ctx.local_now, target)
    if today == ctx.local_today:
        await skip_today(ctx, family=FAMILY)
    ctx.member.early_start_at = None
    if day.outcome == "on_time":
        return f"Logged off at {ctx.local_now:%H:%M} — boundary kept. {farewell(ctx.local_now)}"
    after = next_workday_name(ctx.local_today, ctx.member.workdays)
    if day.outcome == "working_late":
        # They said so already: no "later than planned", just a good night.
        return (
            f"Logged off at {ctx.local_now:%H:%M} after working late. Rest well — {after} is "
            "a new day."
        )
    later = f"later than your {target_text}" + (" yesterday" if when == "yesterday" else "")
    if today != ctx.local_today:
        after = "today" if ctx.member.workdays & (1 << ctx.local_today.weekday()) else after
    return f"Logged off at {ctx.local_now:%H:%M}, {later}. Noted — rest well; {after} is a new try."


async def after_log_off(ctx: Context, day: date) -> list[Effect]:
    """After logging off: what the features listening to :data:`LOGGED_OFF` answer (the
    by-choice question if the day ran late, the Slack snooze of a connected person)."""
    row = await ctx.store(Logoffs).day(ctx.member, day)
    late = row is not None and row.outcome in ("late", "working_late")
    effects: list[Effect] = []
    for listener in ctx.provided(LOGGED_OFF):
        effects += await listener(ctx, day, late)
    return effects
