"""The one button under a quiz result that sets the bot up to match it.

* Balance → a fixed daily log-off reminder (asks the time).
* Crossfade → the same reminder as a hard stop, plus quiet hours.
* Integration → the hours-based reminder (asks how many hours) plus quiet hours.

A conversation whose state is the result itself: every button carries the result's id, and
a press counts only while that result is the person's current one (else it has moved on).
The reminders belong to the log-off feature, which provides ``LOGOFF_SETUP``.
"""

from __future__ import annotations

from datetime import time

from bot.domain.bounds import small_int
from bot.domain.parsing import InputError, parse_clock
from bot.features.quiz.flow import flow
from bot.features.quiz.models import QuizResult
from bot.features.quiz.scoring import is_exhausted
from bot.features.quiz.store import QuizResults
from bot.features.quiz.views import (
    HOURS,
    LOGOFF,
    LOGOFF_FORM,
    LOGOFF_OTHER,
    SETUP,
    form_id,
    setup_hours_message,
    setup_time_message,
)
from bot.kernel.context import Context, reply
from bot.kernel.conversation import MOVED_ON, Conversation, End, Live, Outcome, Press, Stale, Stay
from bot.kernel.effects import Effect, FormErrors, OpenForm, Reply
from bot.kernel.slots import LOGOFF_SETUP, LogoffSetup
from bot.kernel.ui import Form, FormField

__all__ = ["DEFAULT_QUIET", "STALE_RESULT", "setup"]

DEFAULT_QUIET = ("20:00", "08:00")
MIN_HOURS, MAX_HOURS = 1, 16
STALE_RESULT = (
    "This quiz has moved on: that result was replaced by a newer one, so nothing was "
    "changed. `/crossfade quiz result` shows your latest result and its button."
)

Turn = Outcome[QuizResult]


async def _current_result(ctx: Context, press: Press) -> QuizResult | None:
    """The result a set-up button belongs to, while it is the member's current one."""
    ident = small_int(press.session)
    if ident is None:
        return None
    row = await ctx.store(QuizResults).by_id(ctx.member, ident)
    return row if row is not None and row.is_current else None


async def _moved_on(ctx: Context, stale: Stale[QuizResult]) -> list[Effect]:
    return [reply(STALE_RESULT)]


setup = Conversation(flow, "quiz set-up", find=_current_result, moved_on=_moved_on)


def _logoff(ctx: Context) -> LogoffSetup:
    provided = ctx.provided(LOGOFF_SETUP)
    if not provided:
        raise LookupError("no feature provides the log-off set-up (LOGOFF_SETUP)")
    return provided[0]


async def ensure_quiet_hours(ctx: Context) -> str:
    """Switch quiet hours on (20:00–08:00) unless the person already has their own."""
    member = ctx.member
    if member.quiet_start and member.quiet_end:
        return f"Your quiet hours stay {member.quiet_start}–{member.quiet_end}: no DMs then."
    member.quiet_start, member.quiet_end = DEFAULT_QUIET
    await ctx.rules_changed()
    return f"Quiet hours on: no DMs from {DEFAULT_QUIET[0]} to {DEFAULT_QUIET[1]} your time."


async def apply_logoff(ctx: Context, row: QuizResult, at: time) -> list[Effect]:
    """Set the daily log-off reminder (and quiet hours for Crossfade)."""
    quiet = await ensure_quiet_hours(ctx) if row.result == "crossfade" else ""
    effects = await _logoff(ctx).fixed(ctx, at)
    return [*effects, reply(quiet)] if quiet else effects


async def apply_hours(ctx: Context, hours: int) -> list[Effect]:
    """Set the hours-based reminder and quiet hours (Integration)."""
    quiet = await ensure_quiet_hours(ctx)
    effects = await _logoff(ctx).hours(ctx, hours)
    return [*effects, reply(quiet)]


@setup.action(SETUP)  # value: <result id>
async def offer(ctx: Context, live: Live[QuizResult], press: Press) -> Turn:
    row = live.state
    # Someone worn out gets a fixed end to the day, never an hours count that can stretch.
    if row.result == "integration" and not is_exhausted(row.flags or ()):
        return Stay([Reply(setup_hours_message(row.id))])
    default = ctx.team.default_logoff or "17:30"
    message = setup_time_message(row.id, default=default, hard_stop=row.result != "balance")
    return Stay([Reply(message)])


@setup.action(LOGOFF, arg=True)  # value: <result id>.<HHMM>
async def pick_time(ctx: Context, live: Live[QuizResult], press: Press) -> Turn:
    try:
        at = parse_clock(f"{press.arg[:2]}:{press.arg[2:]}")
    except InputError:
        return MOVED_ON
    return End(await apply_logoff(ctx, live.state, at))


@setup.action(LOGOFF_OTHER)  # value: <result id>; opens the form
async def other_time(ctx: Context, live: Live[QuizResult], press: Press) -> Turn:
    row = live.state
    what = "hard stop" if row.result == "crossfade" else "log-off time"
    field = FormField(
        "time",
        f"Daily {what} (HH:MM, your time)",
        placeholder="17:30",
        initial=ctx.team.default_logoff or "",
        max_length=8,
    )
    return Stay([OpenForm(Form(form_id(row.id), f"Your {what}", (field,), "Set reminder"))])


@setup.form(LOGOFF_FORM)  # value: <result id>
async def submit_time(
    ctx: Context, live: Live[QuizResult], press: Press, values: dict[str, str]
) -> Turn:
    try:
        at = parse_clock(values.get("time", ""))
    except InputError as error:
        return Stay([FormErrors({"time": str(error)})])
    return End(await apply_logoff(ctx, live.state, at))


@setup.action(HOURS, arg=True)  # value: <result id>.<hours>
async def pick_hours(ctx: Context, live: Live[QuizResult], press: Press) -> Turn:
    hours = small_int(press.arg, low=MIN_HOURS, high=MAX_HOURS)
    if hours is None:
        return MOVED_ON
    return End(await apply_hours(ctx, hours))
