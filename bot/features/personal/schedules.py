"""What every schedule shares: the **Skip today** button, public holidays, and recomputing a
member's next due times when their rules change."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.bounds import small_int
from bot.domain.parsing import format_day
from bot.domain.schedule import holiday_name, parse_holidays
from bot.features.personal.store import MySchedules
from bot.kernel.arguments import OFF, arg
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Update
from bot.kernel.registry import Flow
from bot.kernel.slots import MY_SETTINGS
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Field, Message, Text
from bot.scheduling import recompute_for, skip_today
from bot.scheduling.dispatcher import SKIP_ACTION

__all__ = ["flow"]

flow = Flow("sched")

CALENDAR = arg(
    "CODE", parse_holidays, noun="a country or region code", example="DE-BY", option="code"
)
_FAMILY_NAMES = {"logoff": "log-off reminders", "checkin": "check-in"}


@flow.on_rules_changed
async def _recompute(ctx: Context) -> None:
    await recompute_for(ctx)


@flow.action(SKIP_ACTION)
async def press_skip(ctx: Context, value: str) -> list[Effect]:
    ident, _, day_text = value.partition("@")
    schedule_id = small_int(ident)
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        schedule_id = None
    if schedule_id is None:
        return [reply("That button is no longer valid; nothing was changed.")]
    schedule = await ctx.store(MySchedules).one(ctx.member, schedule_id)
    if schedule is None:
        return [reply("That reminder no longer exists; nothing was changed.")]
    if day != ctx.local_today:
        return [
            reply(
                f"That was for {format_day(day, ctx.local_today)}; today's reminders are unchanged."
            )
        ]
    await skip_today(ctx, family=schedule.family)
    what = _FAMILY_NAMES.get(schedule.family, "reminders like this one")
    text = f"Skipped for today: no more {what} until your next workday."
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, Message(text, (Text(f"⏭ {text}"),)))]
    return [reply(text)]


@flow.command(
    "holidays",
    summary="no reminders on public holidays of your country/region (e.g. DE-BY, US, GB-SCT)",
    syntax=(
        Usage(
            CALENDAR,
            help=(
                "no reminders on your country's or region's public holidays, e.g. US, DE-BY, GB-SCT"
            ),
        ),
        Usage(OFF, help="reminders on public holidays again"),
        Usage(help="show your holiday calendar and the next holiday"),
    ),
    section="Reminders",
)
async def holidays(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.bare:
        if not ctx.member.holidays:
            return [
                reply(
                    "Public holidays: not set, so reminders run on every workday. "
                    "`holidays DE-BY` (or `US`, `GB-SCT`, …) skips your region's holidays."
                )
            ]
        return [reply(f"Public holidays: {ctx.member.holidays}. {_upcoming(ctx)}")]
    if cmd.said(OFF):
        if not ctx.member.holidays:
            return [reply("Public holidays are already off.")]
        ctx.member.holidays = None
        await ctx.rules_changed()
        return [reply("Public holidays off: reminders run on every workday again.")]
    code = cmd.value(CALENDAR)
    if code == ctx.member.holidays:
        return [reply(f"Your public holidays are already {code}. {_upcoming(ctx)}")]
    ctx.member.holidays = code
    await ctx.rules_changed()
    return [
        reply(f"Public holidays set: {code}. No reminders or check-ins on them. {_upcoming(ctx)}")
    ]


def _upcoming(ctx: Context) -> str:
    code = ctx.member.holidays
    if not code:
        return ""
    today = ctx.local_today
    for offset in range(0, 370):
        day = today + timedelta(days=offset)
        name = holiday_name(code, day)
        if name:
            return f"Next: {name}, {format_day(day, today)}."
    return ""


@flow.provides(MY_SETTINGS, order=40)
async def holidays_setting(ctx: Context) -> list[Field]:
    return [Field("Public holidays", ctx.member.holidays or "not set")]
