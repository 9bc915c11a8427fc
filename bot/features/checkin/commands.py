"""The daily check-in: five button questions and an optional one-line note, private.

``checkin`` starts one now; ``checkin at HH:MM`` schedules a DM on the person's workdays
(:mod:`bot.features.checkin.daily`); ``checkin off`` stops it. ``me`` shows the private
dashboard (:mod:`bot.features.checkin.dashboard`). The answers to the questions are in
:mod:`bot.features.checkin.answers`.
"""

from __future__ import annotations

from bot.domain.parsing import format_clock
from bot.features.checkin import dashboard, records
from bot.features.checkin.daily import ensure_purge, set_daily, stop_schedule
from bot.features.checkin.flow import flow
from bot.features.checkin.questions import answers_line, first_question, question_message
from bot.features.checkin.store import CheckIns
from bot.kernel.arguments import OFF, Word, clock
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.slots import DASHBOARD_LINES
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Message, Text

__all__ = ["checkin_command", "flow", "me", "start"]


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


DAILY_AT = clock()


@flow.command(
    "checkin",
    summary="a 30-second private check-in now; `checkin at HH:MM` sends one daily",
    syntax=(
        Usage(help="answer today's check-in now: four taps and an optional note"),
        Usage(Word("at"), DAILY_AT, help="get the check-in by DM every workday at this time"),
        Usage(OFF, help="stop the daily check-in (past check-ins stay until you `forget`)"),
        Usage(Word("now", "today"), hidden=True),
        Usage(DAILY_AT, hidden=True),  # `checkin 17:00`
    ),
    section="Check-ins",
    aliases=("check-in",),
    featured=True,
)
async def checkin_command(ctx: Context, cmd: Call) -> list[Effect]:
    at = cmd.get(DAILY_AT)
    if at is not None:
        return await set_daily(ctx, format_clock(at))
    if cmd.said(OFF):
        return await stop_schedule(ctx)
    return await start(ctx)


@flow.command(
    "me",
    summary="your private dashboard: streak, your week, 7/30-day trends and a chart",
    syntax=(
        Usage(help="your last 7 days: streak, mood, energy, hours and a chart"),
        Usage(Word("30", "month"), help="the same for the last 30 days", more=True),
        Usage(Word("7", "week"), hidden=True, more=True),
    ),
    section="Check-ins",
    aliases=("dashboard", "stats"),
    featured=True,
)
async def me(ctx: Context, cmd: Call) -> list[Effect]:
    days = 30 if cmd.said("30") else 7
    message = await dashboard.dashboard_message(ctx, days=days)
    for line in ctx.provided(DASHBOARD_LINES):
        share = await line(ctx)
        if share:
            message = Message(message.text, (*message.blocks, Text(share)))
    return [Reply(message)]
