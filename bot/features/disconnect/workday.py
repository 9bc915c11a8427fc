"""The working window: ``workday HH:MM-HH:MM``, an early ``start`` in balance mode, and the
check-in time a person confirms outside it.

The window is where the bot may DM someone (see ``bot.domain.window``); its end is the
log-off time, so ``workday 09:00-17:30`` sets the log-off reminder too. The team's default
start of day (``settings workday 09:00``) and strict mode (``settings strict on|off``) are
team settings.
"""

from __future__ import annotations

from datetime import time, timedelta

from bot.domain.parsing import InputError, format_clock, format_workdays, parse_clock
from bot.domain.window import CHECKIN_KIND, window_on
from bot.features.disconnect import slack_connect, team_report
from bot.kernel.arguments import OFF, Piece, clock, clock_range
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.slots import (
    CHECKIN_SETUP,
    CHECKIN_TIME_CHECKS,
    EARLY_START,
    END_OF_DAY,
    MY_SETTINGS,
    TEAM_REPORTS,
    TeamReport,
)
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Button, Buttons, Field, Message, Text
from bot.scheduling import get_schedule

__all__ = [
    "checkin_question",
    "checkin_time_check",
    "checkin_window_note",
    "early_start",
    "flow",
    "outside_window",
    "strict_line",
]

flow = Flow("workday")

CHECKIN_OK = "workday:checkin_ok"
CHECKIN_MOVE = "workday:checkin_move"
BACK_TO_DEFAULT = OFF.plus("default", "reset")


def strict_line(ctx: Context) -> str:
    if ctx.team.strict_disconnect:
        return (
            "Crossfade keeps evenings free: outside this window it sends you nothing but your "
            "own log-off reminder (and a check-in time you confirmed)."
        )
    return "Strict mode is off in this team: scheduled messages may reach you outside it."


def _parse_window(text: str) -> tuple[time, time]:
    parts = [p for p in text.replace("–", "-").replace("..", "-").split("-") if p.strip()]
    if len(parts) != 2:
        raise InputError("A working window looks like `workday 09:00-17:30`.")
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise InputError("Your working day needs a start and an end that differ.")
    return start, end


def _is_window(piece: Piece) -> bool:
    return any(mark in piece.text for mark in ("-", "–", ".."))


WINDOW = clock_range(
    parse=_parse_window,
    noun="a start and a log-off time",
    example="09:00-17:30",
    looks=_is_window,
)
START = clock(noun="a start of day", example="08:00")


@flow.command(
    "workday",
    summary="your working window (start and log-off); Crossfade keeps out of the rest",
    syntax=(
        Usage(
            WINDOW, example="09:00-17:30", help="your working window: start of day and log-off time"
        ),
        Usage(START, example="08:00", help="change only your start of day"),
        Usage(BACK_TO_DEFAULT, help="go back to the team's start of day"),
        Usage(help="show your working window"),
    ),
    section="Reminders",
    aliases=("window", "workhours"),
)
async def workday(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.bare:
        return [reply(_describe(ctx))]
    if cmd.said(OFF):
        ctx.member.work_start = None
        return [reply("Start of day back to the team's default. " + _describe(ctx))]
    begin = cmd.get(START)
    if begin is not None:  # `workday 08:00` sets the start only
        ctx.member.work_start = format_clock(begin)
        return [reply(f"Start of day: {format_clock(begin)}. " + _describe(ctx))]
    start, end = cmd.value(WINDOW)
    ctx.member.work_start = format_clock(start)
    effects = await _set_end_of_day(ctx, end)
    note = await checkin_window_note(ctx)
    text = _describe(ctx) + (f"\n{note}" if note else "")
    return [reply(text), *effects]


async def _set_end_of_day(ctx: Context, end: time) -> list[Effect]:
    """The window's end is the log-off time: log-off sets it (a fixed time, or the hard stop)."""
    set_end = ctx.provided(END_OF_DAY)
    return await set_end[0](ctx, end) if set_end else []


def _describe(ctx: Context) -> str:
    window = ctx.work_window
    days = format_workdays(ctx.member.workdays)
    mine = "" if ctx.member.work_start else f" (start: the team default, {window.start:%H:%M})"
    return (
        f"Your working window: {window.label()} on {days}, {ctx.zone.key}{mine}. {strict_line(ctx)}"
    )


def outside_window(ctx: Context, at: time) -> bool:
    """Whether a daily time is outside the person's usual window (in strict mode)."""
    return bool(ctx.team.strict_disconnect) and not ctx.work_window.contains(at)


@flow.provides(CHECKIN_TIME_CHECKS)
def checkin_time_check(ctx: Context, at: time) -> Reply | None:
    """Before the daily check-in is set at ``at``: outside the window (strict mode), ask
    first, unless the person already confirmed this very time."""
    if outside_window(ctx, at):
        if ctx.member.checkin_outside_ok != format_clock(at):
            return checkin_question(ctx, at)
    else:
        ctx.member.checkin_outside_ok = None
    return None


async def checkin_window_note(ctx: Context) -> str:
    """What a settings change did to the daily check-in, said at once."""
    row = await get_schedule(ctx, kind=CHECKIN_KIND, member=ctx.member)
    if row is None or row.next_due_at is None:
        return ""
    at = getattr(row.rule, "at", None)
    if not isinstance(at, time) or not outside_window(ctx, at):
        return ""
    if ctx.member.checkin_outside_ok == format_clock(at):
        return f"Your daily check-in stays at {format_clock(at)}, as you confirmed."
    move = _move_to(ctx)
    return (
        f"Your daily check-in at {format_clock(at)} is now outside your working window, so "
        f"it won't come. `checkin at {move}` moves it; `checkin at {format_clock(at)}` asks "
        "to keep it."
    )


def _move_to(ctx: Context) -> str:
    window = ctx.work_window
    end = time(window.end.hour, window.end.minute)
    moved = (
        (ctx.local_now.replace(hour=end.hour, minute=end.minute) - timedelta(minutes=15)).time()
        if end >= time(0, 15)
        else end
    )
    if not window.contains(moved):
        moved = window.start
    return format_clock(moved)


def checkin_question(ctx: Context, at: time) -> Reply:
    """“19:00 is after your working day …” with [Yes, my choice] [Move it to 17:15]."""
    window = ctx.work_window
    side = "before" if window.start <= window.end and at < window.start else "after"
    part = "mornings" if side == "before" else "evenings"
    move = _move_to(ctx)
    text = (
        f"{format_clock(at)} is {side} your working day ({window.label()}); Crossfade keeps "
        f"{part} free. Send it anyway?"
    )
    buttons = Buttons(
        (
            Button("Yes, my choice", CHECKIN_OK, format_clock(at)),
            Button(f"Move it to {move}", CHECKIN_MOVE, move, "primary"),
        )
    )
    return Reply(Message(text, (Text(text), buttons)))


@flow.action(CHECKIN_OK)
async def confirm_checkin(ctx: Context, value: str) -> list[Effect]:
    at = _button_clock(value)
    ctx.member.checkin_outside_ok = format_clock(at)
    return await _set_checkin(ctx, at)


@flow.action(CHECKIN_MOVE)
async def move_checkin(ctx: Context, value: str) -> list[Effect]:
    return await _set_checkin(ctx, _button_clock(value))


async def _set_checkin(ctx: Context, at: time) -> list[Effect]:
    set_daily = ctx.provided(CHECKIN_SETUP)
    return await set_daily[0](ctx, at) if set_daily else []


def _button_clock(value: str) -> time:
    try:
        return parse_clock(value)
    except InputError:
        raise UserError("That button is no longer valid; nothing was changed.") from None


@flow.provides(EARLY_START)
async def early_start(ctx: Context, logoff_at: str | None) -> list[Effect]:
    """``start`` in balance mode: an early start opens today's window earlier."""
    base = ctx.work_window
    local = ctx.local_now
    clock = local.time().replace(second=0, microsecond=0)
    if clock >= base.start:
        return [
            reply(
                f"Your working day already runs ({base.label()}); nothing to change. "
                f"Your log-off reminder: {logoff_at or base.end.strftime('%H:%M')}."
            )
        ]
    ctx.member.early_start_at = ctx.now
    today = window_on(base, local.date(), ctx.zone, ctx.now)
    minutes = ((base.end.hour * 60 + base.end.minute) - (clock.hour * 60 + clock.minute)) % (
        24 * 60
    )
    length = f"{minutes // 60}h{minutes % 60:02d}"
    cleared = await slack_connect.on_early_start(ctx)
    return [
        reply(
            f"Early start noted at {clock:%H:%M}: today's window is {today.label()} "
            f"({length}). Your log-off reminder stays at {base.end:%H:%M} — "
            f"`logoff {_earlier(base.end, base.start, clock)}` would keep today to your usual "
            "length."
        ),
        *cleared,
    ]


def _earlier(end: time, start: time, early: time) -> str:
    shift = (start.hour * 60 + start.minute) - (early.hour * 60 + early.minute)
    total = (end.hour * 60 + end.minute - shift) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


@flow.provides(MY_SETTINGS, order=50)
async def window_setting(ctx: Context) -> list[Field]:
    return [Field("Working window", f"{ctx.work_window.label()} (`workday HH:MM-HH:MM`)")]


flow.provide(TEAM_REPORTS, TeamReport("disconnect", team_report.report))
