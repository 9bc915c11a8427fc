"""The daily check-in: five button questions and an optional one-line note, private.

``checkin`` starts one now; ``checkin at HH:MM`` schedules a DM on the person's workdays
(:mod:`bot.features.checkin.daily`); ``checkin off`` stops it. ``me`` shows the private
dashboard (:mod:`bot.features.checkin.dashboard`). The answers to the questions are in
:mod:`bot.features.checkin.answers`.
"""

from __future__ import annotations

from bot.features.checkin import dashboard, records
from bot.features.checkin.daily import ensure_purge, set_daily, stop_schedule
from bot.features.checkin.flow import flow
from bot.features.checkin.questions import answers_line, first_question, question_message
from bot.features.checkin.store import CheckIns
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.grammar import ParsedCommand
from bot.kernel.slots import DASHBOARD_LINES
from bot.kernel.ui import Message, Text

__all__ = ["checkin_command", "flow", "me", "start"]

OFF = ("off", "stop", "none", "disable")


async def start(ctx: Context) -> list[Effect]:
    today = ctx.local_today
    row = await ctx.store(CheckIns).on(ctx.member, today)
    intro = "Your 30-second check-in. Only you will ever see the answers."
    if records.is_complete(row):
        intro = (
            f"You've already checked in today — answering again updates it ({answers_line(row)})."
        )
    elif row is not None and records.answered(row):
        # Pick up where they left off.
        code = next(c for c, column in records.QUESTIONS if getattr(row, column) is None)
        return [Reply(question_message(today, code, row, intro="Let's finish today's check-in."))]
    await ensure_purge(ctx)
    return [Reply(first_question(today, row, intro=intro))]


@flow.command(
    "checkin",
    summary="a 30-second private check-in now; `checkin at HH:MM` sends one daily",
    usage=("checkin", "checkin at HH:MM", "checkin off"),
    section="Check-ins",
    aliases=("check-in",),
)
async def checkin_command(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    args = [a.lower() for a in cmd.args]
    if not args or args in (["now"], ["today"]):
        return await start(ctx)
    if args[0] in OFF and len(args) == 1:
        return await stop_schedule(ctx)
    if args[0] == "at" and len(args) == 2:
        return await set_daily(ctx, args[1])
    if len(args) == 1 and any(ch.isdigit() for ch in args[0]):
        return await set_daily(ctx, args[0])
    raise UserError(
        "Try `checkin` for a check-in now, `checkin at 17:00` for a daily one on your "
        "workdays, or `checkin off` to stop it."
    )


@flow.command(
    "me",
    summary="your private dashboard: streak, your week, 7/30-day trends and a chart",
    usage=("me", "me 30"),
    section="Check-ins",
    aliases=("dashboard", "stats"),
)
async def me(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    arg = cmd.arg(0).lower()
    if arg in ("", "7", "week"):
        days = 7
    elif arg in ("30", "month"):
        days = 30
    else:
        raise UserError("`me` shows the last 7 days; `me 30` the last 30.")
    message = await dashboard.dashboard_message(ctx, days=days)
    for line in ctx.provided(DASHBOARD_LINES):
        share = await line(ctx)
        if share:
            message = Message(message.text, (*message.blocks, Text(share)))
    return [Reply(message)]
