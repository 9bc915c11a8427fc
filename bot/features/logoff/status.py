"""What ``logoff`` (and ``hours`` alone) show: the reminder as it stands, when the next one
comes — as the engine will send it — and why none comes when none does; and the reminder's
lines in ``settings``."""

from __future__ import annotations

from datetime import datetime

from bot.domain.dm_decision import (
    Decision,
    DmFiring,
    Reason,
    Verdict,
    daily_time_decision,
    decide,
    explain,
)
from bot.domain.parsing import format_clock, format_workdays
from bot.features.logoff.flow import flow
from bot.features.logoff.rules import format_hours
from bot.features.logoff.setup import HOURS, REMIND, SNOOZE_KIND
from bot.features.logoff.store import Logoffs
from bot.features.logoff.views import day_line, local, when
from bot.kernel.context import Context
from bot.kernel.effects import Reply
from bot.kernel.slots import MY_SETTINGS
from bot.kernel.ui import Field, Message, Text
from bot.scheduling import DailyLocal, Schedule, get_schedule, member_rules

__all__ = ["reminder_settings", "status"]


async def status(ctx: Context) -> Reply:
    """The member's log-off reminder, its next time, and today's outcome so far."""
    settings = await ctx.store(Logoffs).settings(ctx.member)
    day = await ctx.store(Logoffs).day(ctx.member, ctx.local_today)
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
            lines.append(f"Next reminder: {when(ctx, min(nexts))} ({ctx.zone.key}).")
        else:
            lines.append(f"Next reminder: none scheduled — {_why_none(ctx, remind)}")
        if ctx.member.holidays:
            lines.append(f"No reminders on public holidays ({ctx.member.holidays}).")
    if day is not None:
        lines.append(day_line(ctx, day))
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
    due = local(ctx, row.last_due_at)
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


@flow.provides(MY_SETTINGS, order=20)
async def reminder_settings(ctx: Context) -> list[Field]:
    """The person's log-off reminder and hours mode, as they stand."""
    row = await ctx.store(Logoffs).settings(ctx.member)
    logoff = "off"
    hours = "off"
    if row is not None and row.mode == "fixed":
        logoff = f"{row.at} on workdays"
    elif row is not None and row.mode == "hours":
        logoff = f"hard stop {row.hard_stop}"
        hours = f"on: a reminder {format_hours(row.hours or 8)} after `start`"
    return [Field("Log-off reminder", logoff), Field("Hours mode", hours)]
