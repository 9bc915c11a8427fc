"""End-of-day log-off reminders: ``logoff``, ``done``, ``start``, ``hours``.

Two modes (a ``LogoffSettings`` row per member):

* **fixed** — ``logoff 17:30``: a wind-down heads-up (default 10 minutes before) and the
  reminder at 17:30 local on workdays;
* **hours** (integration) — ``hours 8 [until 19:00]``: after ``start``, a reminder when 8 hours
  are up, never later than the hard stop; on days without ``start`` the hard stop reminds.

The reminder offers **I'm logging off** · **Snooze 15 min** · **Working late today** (and the
engine's **Skip today**). Answers are kept per local day in ``logoff_days``.

Schedules (family ``logoff``, so "Skip today", ``done`` and "Working late" stop them all for
the day): ``logoff.heads_up`` and ``logoff.remind`` (daily), ``logoff.hours_heads_up`` and
``logoff.hours`` (once, after ``start``), ``logoff.snooze`` (once).

Public for other flows: :func:`set_logoff`, :func:`set_hours`, :func:`logoff_days`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import select

from bot.domain.dm_decision import (
    Decision,
    DmFiring,
    Reason,
    Verdict,
    daily_time_decision,
    decide,
    explain,
)
from bot.domain.parsing import format_clock, format_day, format_workdays, parse_clock
from bot.features.logoff.models import LogoffDay, LogoffSettings
from bot.features.logoff.rules import (
    DEFAULT_HARD_STOP,
    DEFAULT_HEADS_UP,
    MAX_SNOOZES,
    SNOOZE,
    farewell,
    format_hours,
    heads_up_time,
    hours_target,
    next_workday_name,
    outcome_for,
    parse_heads_up,
    parse_hours,
    working_day,
)
from bot.kernel.arguments import OFF, Opt, Word, arg, clock, has_digit
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply, SendDirect, Update
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.storage.models.scheduling import OutboxRow
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Button, Buttons, Message, Text
from bot.scheduling import (
    DailyLocal,
    Due,
    Once,
    Schedule,
    cancel_schedule,
    get_schedule,
    member_rules,
    set_schedule,
    skip_today,
)

__all__ = ["LogoffDayView", "flow", "logoff_days", "set_hours", "set_logoff"]

flow = Flow("logoff")

FAMILY = "logoff"
HEADS_UP = "logoff.heads_up"
REMIND = "logoff.remind"
HOURS_HEADS_UP = "logoff.hours_heads_up"
HOURS = "logoff.hours"
SNOOZE_KIND = "logoff.snooze"
REMINDER_KINDS = (REMIND, HOURS, SNOOZE_KIND)

DONE = "logoff:done"
SNOOZE_ACTION = "logoff:snooze"
LATE = "logoff:late"

Outcome = Literal["on_time", "late", "working_late", "no_answer", "open"]


@dataclass(frozen=True, slots=True)
class LogoffDayView:
    """One member-local day of log-off.

    ``outcome``: ``on_time`` (logged off by the target + 15 min), ``late`` (logged off after
    that), ``working_late`` (pressed "Working late today"), ``no_answer`` (a reminder went
    out and was never answered), ``open`` (today, not answered yet)."""

    day: date
    target: time | None  # local target (fixed time, or the hours-mode reminder time)
    outcome: Outcome
    snoozes: int
    logged_off_at: time | None  # local clock time of "I'm logging off" / `done`
    started_at: time | None = None  # local clock time of `start` (integration mode)


# --- storage helpers ---------------------------------------------------------------------------


async def _settings(ctx: Context, *, create: bool = False) -> LogoffSettings | None:
    row: LogoffSettings | None = await ctx.session.scalar(
        select(LogoffSettings).where(
            LogoffSettings.team_id == ctx.team.id, LogoffSettings.member_id == ctx.member.id
        )
    )
    if row is None and create:
        row = LogoffSettings(
            team_id=ctx.team.id,
            member_id=ctx.member.id,
            mode="off",
            heads_up_minutes=DEFAULT_HEADS_UP,
        )
        ctx.session.add(row)
    return row


async def _day(ctx: Context, day: date, *, create: bool = False) -> LogoffDay | None:
    row: LogoffDay | None = await ctx.session.scalar(
        select(LogoffDay).where(
            LogoffDay.team_id == ctx.team.id,
            LogoffDay.member_id == ctx.member.id,
            LogoffDay.local_date == day,
        )
    )
    if row is None and create:
        row = LogoffDay(
            team_id=ctx.team.id, member_id=ctx.member.id, local_date=day, outcome="open", snoozes=0
        )
        ctx.session.add(row)
    return row


def _local(ctx: Context, instant: datetime | None) -> datetime | None:
    return instant.astimezone(ctx.zone) if instant is not None else None


def _when(ctx: Context, instant: datetime | None) -> str:
    """``today 17:30``, ``tomorrow 17:30`` or ``Mon 9 Mar 17:30`` in the member's zone."""
    local = _local(ctx, instant)
    if local is None:
        return "nothing scheduled"
    days = (local.date() - ctx.local_today).days
    label = {0: "today", 1: "tomorrow"}.get(days, f"{local:%a} {local.day} {local:%b}")
    return f"{label} {local:%H:%M}"


def _check_quiet(ctx: Context, at: time, what: str) -> None:
    if not daily_time_decision(at, member_rules(ctx.member, ctx.team)).sent:
        start, end = ctx.member.quiet_start, ctx.member.quiet_end
        raise UserError(
            f"{format_clock(at)} is inside your quiet hours ({start}–{end}), when I send no "
            f"DMs, so the {what} would never arrive. Pick a time between {end} and {start}, "
            "or change them with `quiet HH:MM-HH:MM`."
        )


def _target_today(ctx: Context, settings: LogoffSettings | None, day: LogoffDay | None) -> str:
    if settings is None or settings.mode == "off":
        return ""
    if settings.mode == "fixed":
        return settings.at or ""
    if day is not None and day.started_at is not None and settings.hours:
        start = day.started_at.astimezone(ctx.zone)
        hard = time.fromisoformat(settings.hard_stop or format_clock(DEFAULT_HARD_STOP))
        return format_clock(hours_target(start, settings.hours, hard).time())
    return settings.hard_stop or format_clock(DEFAULT_HARD_STOP)


# --- the public API ----------------------------------------------------------------------------


async def set_logoff(ctx: Context, at: time) -> list[Effect]:
    """Fixed log-off reminder at ``at`` (member-local) on workdays, with the wind-down
    heads-up; replaces integration mode. Raises ``UserError`` when ``at`` is inside the
    member's quiet hours. Returns the confirmation to show."""
    at = at.replace(second=0, microsecond=0)
    _check_quiet(ctx, at, "reminder")
    settings = await _settings(ctx, create=True)
    assert settings is not None
    was_hours = settings.mode == "hours"
    settings.mode, settings.at = "fixed", format_clock(at)
    ctx.member.work_end = settings.at  # the log-off time ends the working window
    await _apply(ctx, settings)
    remind = await get_schedule(ctx, kind=REMIND)
    heads = heads_up_time(at, settings.heads_up_minutes)
    lead = f" with a heads-up at {format_clock(heads)}" if heads else ""
    days = format_workdays(ctx.member.workdays)
    text = (
        f"Log-off reminder set: {format_clock(at)} on workdays ({days}){lead}, "
        f"{ctx.zone.key} time. Next: {_when(ctx, remind.next_due_at if remind else None)}."
    )
    if was_hours:
        text += " This replaces integration mode (`hours`): no more reminders after `start`."
    return [reply(text)]


async def set_hours(ctx: Context, hours: float, *, hard_stop: time | None = None) -> list[Effect]:
    """Integration mode: remind ``hours`` after ``start``, never later than the hard stop
    (``hard_stop``, else the current one, else 19:00). Returns the confirmation."""
    hours = parse_hours(f"{float(hours):g}")  # same range and rounding as typed input
    settings = await _settings(ctx, create=True)
    assert settings is not None
    stop = hard_stop or (
        time.fromisoformat(settings.hard_stop) if settings.hard_stop else DEFAULT_HARD_STOP
    )
    stop = stop.replace(second=0, microsecond=0)
    _check_quiet(ctx, stop, "hard-stop reminder")
    settings.mode, settings.hours, settings.hard_stop = "hours", hours, format_clock(stop)
    ctx.member.work_end = settings.hard_stop
    await _apply(ctx, settings)
    text = (
        f"Integration mode: after `/crossfade start` I'll remind you when {format_hours(hours)} "
        f"are up, and at {format_clock(stop)} at the latest (your hard stop, {ctx.zone.key})."
    )
    day = await _day(ctx, ctx.local_today)
    if day is not None and day.started_at is not None:
        hours_row = await get_schedule(ctx, kind=HOURS)
        due = hours_row.next_due_at if hours_row else None
        started = _local(ctx, day.started_at)
        text += f" Today you started at {started:%H:%M}: reminder {_when(ctx, due)}."
    return [reply(text)]


async def set_end_of_day(ctx: Context, end: time) -> list[Effect]:
    """The end of the working window: the hard stop in integration mode, else the fixed
    log-off reminder (``workday 09:00-17:30``)."""
    settings = await _settings(ctx)
    if settings is not None and settings.mode == "hours":
        return await set_hours(ctx, settings.hours or 8.0, hard_stop=end)
    return await set_logoff(ctx, end)


async def logoff_days(ctx: Context, since: date) -> list[LogoffDayView]:
    """The member's log-off days from ``since`` (member-local) to today, oldest first; days
    with neither a reminder nor an answer are absent."""
    today = ctx.local_today
    rows = await ctx.session.scalars(
        select(LogoffDay).where(
            LogoffDay.team_id == ctx.team.id,
            LogoffDay.member_id == ctx.member.id,
            LogoffDay.local_date >= since,
        )
    )
    views: dict[date, LogoffDayView] = {}
    for row in rows:
        outcome = row.outcome
        if outcome == "open":
            outcome = "open" if row.local_date >= today else "no_answer"
        views[row.local_date] = LogoffDayView(
            day=row.local_date,
            target=time.fromisoformat(row.target) if row.target else None,
            outcome=outcome,  # type: ignore[arg-type]
            snoozes=row.snoozes,
            logged_off_at=_clock_of(ctx, row.logged_off_at),
            started_at=_clock_of(ctx, row.started_at),
        )
    # Days a reminder went out without any answer have no row: the outbox is the log.
    start = datetime.combine(since, time(0), ctx.zone) - timedelta(days=1)
    sent = await ctx.session.execute(
        select(OutboxRow.due_at).where(
            OutboxRow.team_id == ctx.team.id,
            OutboxRow.member_id == ctx.member.id,
            OutboxRow.kind.in_(REMINDER_KINDS),
            OutboxRow.status == "sent",
            OutboxRow.due_at >= start,
        )
    )
    for (due_at,) in sent:
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


def _clock_of(ctx: Context, instant: datetime | None) -> time | None:
    local = _local(ctx, instant)
    return local.time().replace(second=0, microsecond=0) if local is not None else None


async def _apply(ctx: Context, settings: LogoffSettings) -> None:
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
    day = await _day(ctx, ctx.local_today)
    if day is not None and day.started_at is not None and day.outcome == "open":
        await _schedule_hours(ctx, settings, day.started_at)


async def _schedule_hours(ctx: Context, settings: LogoffSettings, started: datetime) -> datetime:
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
        return [await _show(ctx)]
    if cmd.sub == "off":
        settings = await _settings(ctx)
        if settings is None or settings.mode == "off":
            return [reply("You have no log-off reminder. Set one with `logoff 17:30`.")]
        settings.mode = "off"
        await _apply(ctx, settings)
        return [reply("Log-off reminders are off. `logoff 17:30` (or `hours 8`) turns them on.")]
    if cmd.sub == "headsup":
        return await _heads_up(ctx, 0 if cmd.said(OFF) else cmd.value(HEADS_UP_MINUTES))
    if cmd.sub == "on":
        return await set_logoff(ctx, parse_clock(ctx.team.default_logoff or "17:30"))
    return await set_logoff(ctx, cmd.value(LOGOFF_AT))


async def _heads_up(ctx: Context, minutes: int) -> list[Effect]:
    settings = await _settings(ctx, create=True)
    assert settings is not None
    settings.heads_up_minutes = minutes
    await _apply(ctx, settings)
    if settings.mode == "off":
        return [reply("Saved. Turn the reminder on with `logoff 17:30` to get the heads-up.")]
    if not minutes:
        return [reply("No more wind-down heads-up; just the reminder itself.")]
    return [reply(f"Wind-down heads-up: {minutes} minutes before your log-off reminder.")]


async def _show(ctx: Context) -> Reply:
    settings = await _settings(ctx)
    day = await _day(ctx, ctx.local_today)
    lines: list[str] = []
    if settings is None or settings.mode == "off":
        lines.append(
            f"You have no log-off reminder. `logoff {ctx.team.default_logoff or '17:30'}` sets "
            "one for workdays; `hours 8` reminds you 8 hours after `start` instead."
        )
    else:
        remind = await get_schedule(ctx, kind=REMIND)
        heads = (
            f", heads-up {settings.heads_up_minutes} min before"
            if settings.heads_up_minutes
            else ""
        )
        days = format_workdays(ctx.member.workdays)
        if settings.mode == "fixed":
            lines.append(f"Log-off reminder: {settings.at} on workdays ({days}){heads}.")
        else:
            lines.append(
                f"Integration mode: a reminder {format_hours(settings.hours or 8)} after "
                f"`start`, at {settings.hard_stop} at the latest ({days}){heads}."
            )
        nexts = [remind.next_due_at] if remind and remind.next_due_at else []
        for kind in (HOURS, SNOOZE_KIND):
            row = await get_schedule(ctx, kind=kind)
            if row is not None:
                nexts.extend(_one_off_next(ctx, row, lines))
        if nexts:
            lines.append(f"Next reminder: {_when(ctx, min(nexts))} ({ctx.zone.key}).")
        else:
            lines.append(f"Next reminder: none scheduled — {_why_none(ctx, remind)}")
        if ctx.member.holidays:
            lines.append(f"No reminders on public holidays ({ctx.member.holidays}).")
    if day is not None:
        lines.append(_day_line(ctx, day))
    text = "\n".join(lines)
    return Reply(Message(lines[0], (Text(text),)))


def _one_off_next(ctx: Context, row: Schedule, lines: list[str]) -> list[datetime]:
    """A snooze's or the hours reminder's next time, as the engine will send it (moved out
    of quiet hours); a line saying why one was dropped today."""
    rules = member_rules(ctx.member, ctx.team)
    if row.next_due_at is not None:
        firing = DmFiring(row.next_due_at, one_off=True)
        decision = decide(firing, rules, now=row.next_due_at)
        moved = decision.at if decision.verdict is Verdict.MOVE else None
        return [moved or row.next_due_at]
    stopped = row.stopped or ""
    due = _local(ctx, row.last_due_at)
    if stopped.startswith("dropped:") and due is not None and due.date() == ctx.local_today:
        what = "snoozed reminder" if row.kind == SNOOZE_KIND else "reminder"
        why = explain(Decision(Verdict.DROP, Reason(stopped.removeprefix("dropped:"))), rules)
        lines.append(f"Not sent today: your {what} at {due:%H:%M} — {why}.")
    return []


def _why_none(ctx: Context, remind: Schedule | None) -> str:
    member = ctx.member
    if member.dm_blocked or (remind is not None and remind.stopped == "dm_blocked"):
        return "I couldn't reach you by DM. Allow DMs from the app, then set the time again."
    at = remind.rule.at if remind is not None and isinstance(remind.rule, DailyLocal) else None
    if at is not None and not daily_time_decision(at, member_rules(member, ctx.team)).sent:
        return (
            f"{format_clock(at)} is inside your quiet hours ({member.quiet_start}–"
            f"{member.quiet_end}). Change one of them."
        )
    return "check `workdays` and `away`."


def _day_line(ctx: Context, day: LogoffDay) -> str:
    at = _local(ctx, day.logged_off_at)
    if day.outcome == "on_time" and at:
        return f"Today: logged off at {at:%H:%M}, on time."
    if day.outcome == "late" and at:
        return f"Today: logged off at {at:%H:%M}, later than planned."
    if day.outcome == "working_late":
        return "Today: working late." + (f" Logged off at {at:%H:%M}." if at else "")
    started = _local(ctx, day.started_at)
    return f"Today: started at {started:%H:%M}." if started else "Today: not logged off yet."


@flow.command(
    "done",
    summary="“I'm logging off now” — records that you kept your boundary today",
    syntax=(Usage(help="say you're logging off now; today's reminders stop"),),
    section="Reminders",
    aliases=("logged-off", "bye"),
)
async def done(ctx: Context, cmd: Call) -> list[Effect]:
    settings = await _settings(ctx)
    target = _target_today(ctx, settings, await _day(ctx, ctx.local_today))
    end = parse_clock(target or ctx.team.default_logoff or "17:30")
    hours = settings.hours if settings is not None and settings.mode == "hours" else None
    day, _ = working_day(ctx.local_now, end, hours)
    text = await _log_off(ctx, day)
    return [reply(text), *await _after_log_off(ctx, day)]


async def _after_log_off(ctx: Context, day: date) -> list[Effect]:
    """After logging off: the by-choice tap if the day ran late, and the Slack snooze of a
    connected person."""
    from bot.features.disconnect import late_choice, slack_connect

    row = await _day(ctx, day)
    effects: list[Effect] = []
    if row is not None and row.outcome in ("late", "working_late"):
        effects += await late_choice.tap(ctx, day)
    return effects + await slack_connect.on_log_off(ctx)


@flow.command(
    "start",
    summary="integration mode: start today's workday clock (see `hours`)",
    syntax=(Usage(help="start today's clock in hours mode (see `hours`)"),),
    section="Reminders",
)
async def start(ctx: Context, cmd: Call) -> list[Effect]:
    settings = await _settings(ctx)
    if settings is not None and settings.mode == "fixed":
        from bot.features.disconnect import workday

        return await workday.early_start(ctx, settings.at)
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
    day = await _day(ctx, ctx.local_today, create=True)
    assert day is not None
    if day.outcome != "open":
        raise UserError(
            "You've already logged off today — enjoy the rest of it. The clock starts again "
            "tomorrow with `start`."
        )
    if day.started_at is not None:
        hours_row = await get_schedule(ctx, kind=HOURS)
        due = hours_row.next_due_at if hours_row else None
        when = _when(ctx, due) if due else f"at your hard stop, {settings.hard_stop}"
        since = _local(ctx, day.started_at)
        return [reply(f"Your clock has been running since {since:%H:%M}. Reminder: {when}.")]
    hard = time.fromisoformat(settings.hard_stop or format_clock(DEFAULT_HARD_STOP))
    if ctx.local_now.time() >= hard:
        raise UserError(
            f"It's past your hard stop ({format_clock(hard)}), so there's no workday left to "
            "time — time to log off instead! (`done` records it.)"
        )
    day.started_at = ctx.now
    target = await _schedule_hours(ctx, settings, ctx.now)
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
        return [await _show(ctx)]
    if cmd.said(OFF):
        settings = await _settings(ctx)
        if settings is None or settings.mode != "hours":
            return [reply("Integration mode is already off.")]
        settings.mode = "off"
        await _apply(ctx, settings)
        return [
            reply(
                "Integration mode off: no hours-based reminders. `logoff 17:30` sets a fixed one."
            )
        ]
    return await set_hours(ctx, cmd.value(HOURS_N), hard_stop=cmd.get(HARD_STOP))


# --- answers -----------------------------------------------------------------------------------


def _button_day(ctx: Context, value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


async def _stale(ctx: Context, value: str) -> list[Effect] | None:
    day = _button_day(ctx, value)
    if day is None:
        return [reply("That button is no longer valid; nothing was changed.")]
    if day != ctx.local_today:
        return [
            reply(
                f"That reminder was for {format_day(day, ctx.local_today)}, so nothing was "
                "changed. "
                "Use `done` to log off today."
            )
        ]
    return None


def _answered(ctx: Context, text: str) -> list[Effect]:
    """Replace the reminder's buttons with the answer (repeat presses see the same)."""
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, Message(text, (Text(text),)))]
    return [reply(text)]


@flow.action(DONE)
async def press_done(ctx: Context, value: str) -> list[Effect]:
    stale = await _stale(ctx, value)
    if stale is not None:
        return stale
    answered = _answered(ctx, await _log_off(ctx, ctx.local_today))
    return answered + await _after_log_off(ctx, ctx.local_today)


async def _log_off(ctx: Context, today: date) -> str:
    day = await _day(ctx, today, create=True)
    assert day is not None
    when = "today" if today == ctx.local_today else "yesterday"
    if day.logged_off_at is not None:
        at = _local(ctx, day.logged_off_at)
        return f"Already noted: you logged off at {at:%H:%M} {when}. {farewell(ctx.local_now)}"
    settings = await _settings(ctx)
    target_text = day.target or _target_today(ctx, settings, day)
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


@flow.action(SNOOZE_ACTION)
async def press_snooze(ctx: Context, value: str) -> list[Effect]:
    stale = await _stale(ctx, value)
    if stale is not None:
        return stale
    settings = await _settings(ctx)
    if settings is None or settings.mode == "off":
        # An old reminder pressed after `logoff off`: no reminder to bring back.
        return _answered(
            ctx,
            "Your log-off reminders are off, so there's nothing to snooze. `logoff 17:30` "
            "turns them on again.",
        )
    day = await _day(ctx, ctx.local_today, create=True)
    assert day is not None
    if day.outcome != "open":
        return [reply("Today is already recorded, so there's nothing to snooze.")]
    if day.snoozes >= MAX_SNOOZES:
        return [
            reply(
                f"That's {MAX_SNOOZES} snoozes already. Press *I'm logging off* or *Working "
                "late today* — I won't nag more today."
            )
        ]
    at = ctx.now + SNOOZE
    rules = member_rules(ctx.member, ctx.team)
    decision = decide(DmFiring(at, one_off=True), rules, now=at)
    if decision.verdict is Verdict.DROP:
        day.snoozes += 1
        await skip_today(ctx, family=FAMILY)
        return _answered(
            ctx,
            "Snoozed — but 15 minutes from now is inside your quiet hours, so that's the last "
            "reminder today. Log off soon!",
        )
    day.snoozes += 1
    if day.target is None:
        settings = await _settings(ctx)
        day.target = _target_today(ctx, settings, day) or None
    await set_schedule(ctx, kind=SNOOZE_KIND, rule=Once(at), data={"snoozes": day.snoozes})
    if decision.verdict is Verdict.MOVE and decision.at is not None:
        return _answered(
            ctx,
            f"Snoozed — {at.astimezone(ctx.zone):%H:%M} is inside your quiet hours, so I'll "
            f"remind you at {decision.at.astimezone(ctx.zone):%H:%M}, when they end.",
        )
    return _answered(ctx, f"Snoozed until {at.astimezone(ctx.zone):%H:%M}.")


@flow.action(LATE)
async def press_late(ctx: Context, value: str) -> list[Effect]:
    stale = await _stale(ctx, value)
    if stale is not None:
        return stale
    day = await _day(ctx, ctx.local_today, create=True)
    assert day is not None
    if day.outcome == "working_late":
        return [reply("Already noted: working late today.")]
    if day.logged_off_at is not None:
        return [reply("You already logged off today — nothing to change.")]
    settings = await _settings(ctx)
    day.target = day.target or _target_today(ctx, settings, day) or None
    day.outcome = "working_late"
    await skip_today(ctx, family=FAMILY)
    from bot.features.disconnect import late_choice, slack_connect

    # an automatic pause at the log-off time is lifted: they are still at work
    unpaused = await slack_connect.on_early_start(ctx, "Your Slack is un-paused for now.")

    answered = _answered(
        ctx,
        "Noted: working late today. No more reminders today — take a real break, and send "
        "`done` when you stop.",
    )
    return answered + unpaused + await late_choice.tap(ctx, ctx.local_today)


# --- what the engine sends ---------------------------------------------------------------------


def _reminder_buttons(day: str, extra: Button | None = None) -> Buttons:
    buttons = (
        Button("I'm logging off", DONE, day, "primary"),
        Button("Snooze 15 min", SNOOZE_ACTION, day),
        Button("Working late today", LATE, day),
    )
    return Buttons((*buttons, extra) if extra is not None else buttons)


@flow.job(HEADS_UP)
@flow.job(HOURS_HEADS_UP)
async def heads_up_job(ctx: Context, due: Due) -> list[Effect]:
    target = due.data.get("target", "")
    text = (
        f"Wind-down: your log-off is at {target}. Time to wrap up — note where you stopped "
        "and the first thing for tomorrow."
    )
    day = due.local_date.isoformat()
    buttons = Buttons((Button("I'm logging off", DONE, day),))
    return [SendDirect(ctx.user_ref, Message(text, (Text(text), buttons)))]


@flow.job(REMIND)
@flow.job(HOURS)
@flow.job(SNOOZE_KIND)
async def reminder_job(ctx: Context, due: Due) -> list[Effect]:
    local = due.local_due
    if due.kind == HOURS:
        started = datetime.fromisoformat(due.data["started"]).astimezone(local.tzinfo)
        text = (
            f"You've worked {format_hours(float(due.data.get('hours', 8)))} since "
            f"{started:%H:%M} — time to log off."
        )
    elif due.kind == SNOOZE_KIND:
        text = f"It's {local:%H:%M} — snoozed reminder: time to log off."
    elif due.data.get("mode") == "hours":
        text = f"It's {local:%H:%M}, your hard stop — time to log off."
    else:
        text = f"It's {local:%H:%M} — time to log off. Your evening is yours."
    from bot.features.disconnect.slack_connect import auto_log_off, offer_button

    if due.kind in (REMIND, HOURS) and (paused := await auto_log_off(ctx)):
        text = f"{text}\n{paused}"
    buttons = _reminder_buttons(due.local_date.isoformat(), await offer_button(ctx))
    message = Message(text, (Text(text), buttons))
    return [SendDirect(ctx.user_ref, message)]
