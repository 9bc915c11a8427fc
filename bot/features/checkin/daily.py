"""The daily check-in DM and what comes with it: the weekly summary (daily at log-off time,
speaking on the last workday of the week) and the team's nightly retention purge.

``checkin at HH:MM`` schedules the DM on the person's workdays (the scheduling engine skips
away days, holidays and quiet hours); ``checkin off`` stops it. Other features set it through
:data:`~bot.kernel.slots.CHECKIN_SETUP` (the working window's "move it", the quiet-hours
warning's "move my check-in").
"""

from __future__ import annotations

from datetime import time

from bot.domain.dm_decision import daily_time_decision
from bot.domain.parsing import InputError, format_clock, format_workdays, parse_clock
from bot.domain.zones import safe_zone
from bot.features.checkin.flow import flow
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect
from bot.kernel.errors import UserError
from bot.kernel.slots import CHECKIN_SETUP, CHECKIN_TIME_CHECKS, LOGOFF_TIME, MY_SETTINGS
from bot.kernel.ui import Field
from bot.scheduling import (
    DailyLocal,
    WeeklyLocal,
    cancel_schedule,
    get_schedule,
    member_rules,
    set_schedule,
)

__all__ = [
    "KIND",
    "PURGE_KIND",
    "SUMMARY_KIND",
    "daily_time",
    "ensure_purge",
    "logoff_time",
    "schedule_weekly_summary",
    "set_daily",
    "set_daily_at",
    "stop_schedule",
]

KIND = "checkin"
SUMMARY_KIND = "checkin-summary"
PURGE_KIND = "checkin-purge"
PURGE_AT = time(3, 0)


def _inside_quiet(ctx: Context, at: time) -> bool:
    return not daily_time_decision(at, member_rules(ctx.member, ctx.team)).sent


async def set_daily(ctx: Context, text: str) -> list[Effect]:
    """``checkin at HH:MM``: the daily check-in at the time ``text`` names."""
    try:
        at = parse_clock(text)
    except InputError as error:
        raise UserError(str(error)) from None
    return await set_daily_at(ctx, at)


@flow.provides(CHECKIN_SETUP)
async def set_daily_at(ctx: Context, at: time) -> list[Effect]:
    """The daily check-in at ``at`` (member-local) on workdays, with the weekly summary;
    refused inside quiet hours, and asked about first where another feature objects."""
    if _inside_quiet(ctx, at):
        raise UserError(
            f"{format_clock(at)} is inside your quiet hours ({ctx.member.quiet_start}–"
            f"{ctx.member.quiet_end}), when I never DM you. Pick another time, or change "
            "them with `quiet HH:MM-HH:MM`."
        )
    for check in ctx.provided(CHECKIN_TIME_CHECKS):
        question = check(ctx, at)
        if question is not None:
            return [question]
    await set_schedule(ctx, kind=KIND, rule=DailyLocal(at), member=ctx.member)
    await schedule_weekly_summary(ctx)
    await ensure_purge(ctx)
    days = format_workdays(ctx.member.workdays)
    return [
        reply(
            f"Daily check-in set: {format_clock(at)} your time ({ctx.zone.key}), {days}. "
            "Not on away days or holidays, and never inside your quiet hours. A weekly "
            "summary with a chart comes on the last workday of the week at log-off time. "
            "`checkin off` stops both."
        )
    ]


async def stop_schedule(ctx: Context) -> list[Effect]:
    """``checkin off``: no more daily check-ins, nor weekly summaries."""
    current = await get_schedule(ctx, kind=KIND, member=ctx.member)
    await cancel_schedule(ctx, kind=KIND, member=ctx.member)
    await cancel_schedule(ctx, kind=SUMMARY_KIND, member=ctx.member)
    if current is None:
        return [reply("You have no daily check-in scheduled. `checkin at 17:00` sets one.")]
    return [
        reply(
            "Daily check-ins stopped (and the weekly summary with them). Your past check-ins "
            "stay until you delete them (`forget`); `checkin` still works any time."
        )
    ]


async def daily_time(ctx: Context) -> time | None:
    """The time of the person's daily check-in, ``None`` when they have none."""
    schedule = await get_schedule(ctx, kind=KIND, member=ctx.member)
    at = getattr(schedule.rule, "at", None) if schedule is not None else None
    return at if isinstance(at, time) else None


@flow.provides(MY_SETTINGS, order=30)
async def daily_setting(ctx: Context) -> list[Field]:
    at = await daily_time(ctx)
    return [Field("Daily check-in", format_clock(at) if at is not None else "off")]


async def logoff_time(ctx: Context) -> time:
    """The person's log-off time (fixed mode: the reminder; integration mode: the hard stop),
    else the team's default."""
    for own in ctx.provided(LOGOFF_TIME):
        at = await own(ctx)
        if at is not None:
            return at
    for text in (ctx.team.default_logoff, "17:30"):
        if text:
            try:
                return parse_clock(text)
            except ValueError:
                continue
    return time(17, 30)


async def schedule_weekly_summary(ctx: Context) -> None:
    """A daily member-local schedule at log-off time; the job only speaks on the last
    workday of the week, so away days, holidays and quiet hours are honoured for free."""
    at = await logoff_time(ctx)
    await set_schedule(
        ctx,
        kind=SUMMARY_KIND,
        rule=DailyLocal(at),
        member=ctx.member,
        # its own "Skip today" would read oddly on a summary
        data={"no_skip": True},
    )


async def ensure_purge(ctx: Context) -> None:
    """The team's retention purge: every night at 03:00 in the team's zone. Seven weekly
    schedules (one per weekday) rather than a self-renewing one-off, so a night missed
    while the bot was down never ends the chain."""
    if await get_schedule(ctx, kind=PURGE_KIND, ref="6", team_level=True) is not None:
        return
    zone = safe_zone(ctx.team.default_timezone).key
    for weekday in range(7):
        await set_schedule(
            ctx,
            kind=PURGE_KIND,
            ref=str(weekday),
            rule=WeeklyLocal(weekday, PURGE_AT, zone),
            team_level=True,
        )
