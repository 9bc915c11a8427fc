"""End-of-day log-off reminders: ``logoff``, ``done``, ``start``, ``hours``.

Two modes (a ``LogoffSettings`` row per member):

* **fixed** — ``logoff 17:30``: a wind-down heads-up (default 10 minutes before) and the
  reminder at 17:30 local on workdays;
* **hours** (integration) — ``hours 8 [until 19:00]``: after ``start``, a reminder when 8 hours
  are up, never later than the hard stop; on days without ``start`` the hard stop reminds.

The reminder offers **I'm logging off** · **Snooze 15 min** · **Working late today** (and the
engine's **Skip today**); its answers are in :mod:`bot.features.logoff.answers`, the
schedules in :mod:`bot.features.logoff.setup`. Answers are kept per local day in
``logoff_days``.
"""

from __future__ import annotations

from datetime import time

from bot.domain.parsing import format_clock, parse_clock
from bot.features.logoff import views
from bot.features.logoff.closing import after_log_off, log_off, target_today
from bot.features.logoff.flow import flow
from bot.features.logoff.models import LogoffSettings
from bot.features.logoff.rules import (
    DEFAULT_HARD_STOP,
    format_hours,
    parse_heads_up,
    parse_hours,
    working_day,
)
from bot.features.logoff.setup import (
    HOURS,
    apply_settings,
    schedule_hours,
    set_hours,
    set_logoff,
)
from bot.features.logoff.status import status
from bot.features.logoff.store import Logoffs
from bot.kernel.arguments import OFF, Opt, Word, arg, clock, has_digit
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect
from bot.kernel.errors import UserError
from bot.kernel.slots import EARLY_START
from bot.kernel.syntax import Call, Usage
from bot.scheduling import (
    get_schedule,
)

__all__ = ["done", "flow", "hours", "logoff", "start"]


async def _settings(ctx: Context) -> LogoffSettings | None:
    return await ctx.store(Logoffs).settings(ctx.member)


# --- commands ----------------------------------------------------------------------------------


LOGOFF_AT = clock()
HEADS_UP_WORD = Word("headsup", "heads-up", "windown", "wind-down")
HEADS_UP_MINUTES = arg(
    "N|off", parse_heads_up, noun="a number of minutes or `off`", example="10", greedy=False
)


@flow.command(
    "logoff",
    summary="your end-of-day reminder: set a time, turn it off, or see the next one",
    syntax=(
        Usage(LOGOFF_AT, help="a reminder to log off at this time on your workdays"),
        Usage(OFF, help="no more log-off reminders"),
        Usage(help="show your reminder and when the next one comes"),
        Usage(
            HEADS_UP_WORD,
            HEADS_UP_MINUTES,
            help="a wind-down nudge N minutes before the reminder (1 to 120), or none",
            more=True,  # `logoff headsup 10 minutes`
        ),
        Usage(HEADS_UP_WORD, OFF.plus("no"), hidden=True),
        Usage(Word("on"), hidden=True),  # the team's default time
    ),
    section="Reminders",
    featured=True,
)
async def logoff(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.bare:
        return [await status(ctx)]
    if cmd.sub == "off":
        settings = await _settings(ctx)
        if settings is None or settings.mode == "off":
            return [reply("You have no log-off reminder. Set one with `logoff 17:30`.")]
        settings.mode = "off"
        await apply_settings(ctx, settings)
        return [reply("Log-off reminders are off. `logoff 17:30` (or `hours 8`) turns them on.")]
    if cmd.sub == "headsup":
        return await _heads_up(ctx, 0 if cmd.said(OFF) else cmd.value(HEADS_UP_MINUTES))
    if cmd.sub == "on":
        return await set_logoff(ctx, parse_clock(ctx.team.default_logoff or "17:30"))
    return await set_logoff(ctx, cmd.value(LOGOFF_AT))


async def _heads_up(ctx: Context, minutes: int) -> list[Effect]:
    settings = await ctx.store(Logoffs).settings_to_change(ctx.member)
    settings.heads_up_minutes = minutes
    await apply_settings(ctx, settings)
    if settings.mode == "off":
        return [reply("Saved. Turn the reminder on with `logoff 17:30` to get the heads-up.")]
    if not minutes:
        return [reply("No more wind-down heads-up; just the reminder itself.")]
    return [reply(f"Wind-down heads-up: {minutes} minutes before your log-off reminder.")]


@flow.command(
    "done",
    summary="“I'm logging off now” — records that you kept your boundary today",
    syntax=(Usage(help="say you're logging off now; today's reminders stop"),),
    section="Reminders",
    aliases=("logged-off", "bye"),
)
async def done(ctx: Context, cmd: Call) -> list[Effect]:
    settings = await _settings(ctx)
    target = target_today(ctx, settings, await ctx.store(Logoffs).day(ctx.member, ctx.local_today))
    end = parse_clock(target or ctx.team.default_logoff or "17:30")
    hours = settings.hours if settings is not None and settings.mode == "hours" else None
    day, _ = working_day(ctx.local_now, end, hours)
    text = await log_off(ctx, day)
    return [reply(text), *await after_log_off(ctx, day)]


@flow.command(
    "start",
    summary="integration mode: start today's workday clock (see `hours`)",
    syntax=(Usage(help="start today's clock in hours mode (see `hours`)"),),
    section="Reminders",
)
async def start(ctx: Context, cmd: Call) -> list[Effect]:
    settings = await _settings(ctx)
    if settings is not None and settings.mode == "fixed":
        early_start = ctx.provided(EARLY_START)
        if early_start:  # balance mode: an early start opens today's working window
            return await early_start[0](ctx, settings.at)
    if settings is None or settings.mode != "hours":
        current = (
            f"You have a fixed log-off reminder at {settings.at}. "
            if settings is not None and settings.mode == "fixed"
            else ""
        )
        raise UserError(
            f"{current}`start` runs the clock for integration mode: set it up with `hours 8` "
            "(a reminder 8 hours after you start), then `start` when your day begins."
        )
    day = await ctx.store(Logoffs).day_to_change(ctx.member, ctx.local_today)
    if day.outcome != "open":
        raise UserError(
            "You've already logged off today — enjoy the rest of it. The clock starts again "
            "tomorrow with `start`."
        )
    if day.started_at is not None:
        hours_row = await get_schedule(ctx, kind=HOURS)
        due = hours_row.next_due_at if hours_row else None
        when = views.when(ctx, due) if due else f"at your hard stop, {settings.hard_stop}"
        since = views.local(ctx, day.started_at)
        return [reply(f"Your clock has been running since {since:%H:%M}. Reminder: {when}.")]
    hard = time.fromisoformat(settings.hard_stop or format_clock(DEFAULT_HARD_STOP))
    if ctx.local_now.time() >= hard:
        raise UserError(
            f"It's past your hard stop ({format_clock(hard)}), so there's no workday left to "
            "time — time to log off instead! (`done` records it.)"
        )
    day.started_at = ctx.now
    target = await schedule_hours(ctx, settings, ctx.now)
    day.target = format_clock(target.time())
    capped = target.time() >= hard
    when = f"at {target:%H:%M}" + (" — your hard stop comes first" if capped else "")
    return [
        reply(
            f"Workday clock started at {ctx.local_now:%H:%M}. I'll remind you to log off "
            f"{when} ({format_hours(settings.hours or 8)})."
        )
    ]


HOURS_N = arg(
    "N",
    parse_hours,
    noun="a number of hours",
    example="8",
    looks=has_digit,
)
UNTIL = Word("until", "stop", "by", "hardstop")
HARD_STOP = clock()


@flow.command(
    "hours",
    summary="integration mode: remind after N hours since `start`, with a hard stop",
    syntax=(
        Usage(
            HOURS_N,
            Opt(UNTIL, HARD_STOP),
            shown="N",
            help="hours mode: a reminder N hours after `start` (1 to 16)",
        ),
        Usage(
            HOURS_N,
            UNTIL,
            HARD_STOP,
            help="the same, and never later than this time (your hard stop)",
        ),
        Usage(OFF, help="leave hours mode"),
        Usage(help="show your hours mode"),
    ),
    section="Reminders",
)
async def hours(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.bare:
        settings = await _settings(ctx)
        if settings is None or settings.mode != "hours":
            return [
                reply(
                    "Integration mode is off. `hours 8` reminds you 8 hours after `start` "
                    "(with a hard stop at 19:00; `hours 8 until 18:30` sets another)."
                )
            ]
        return [await status(ctx)]
    if cmd.said(OFF):
        settings = await _settings(ctx)
        if settings is None or settings.mode != "hours":
            return [reply("Integration mode is already off.")]
        settings.mode = "off"
        await apply_settings(ctx, settings)
        return [
            reply(
                "Integration mode off: no hours-based reminders. `logoff 17:30` sets a fixed one."
            )
        ]
    return await set_hours(ctx, cmd.value(HOURS_N), hard_stop=cmd.get(HARD_STOP))
