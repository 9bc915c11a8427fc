"""The one button under a quiz result that sets the bot up to match it.

* Balance → a fixed daily log-off reminder (asks the time).
* Crossfade → the same reminder as a hard stop, plus quiet hours.
* Integration → the hours-based reminder (asks how many hours) plus quiet hours.

The reminders themselves belong to the log-off flow (``bot.features.logoff.commands.set_logoff`` and
``set_hours``); they are looked up when the button is pressed, so this works whether or not
that flow is installed — without it, the button says what it will do and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time
from typing import Any

from bot.domain.bounds import small_int
from bot.domain.parsing import InputError, format_clock, parse_clock
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
from bot.kernel.effects import Effect, FormErrors, OpenForm, Reply
from bot.kernel.registry import Flow
from bot.kernel.ui import Form, FormField, Message

__all__ = ["DEFAULT_QUIET", "register"]

DEFAULT_QUIET = ("20:00", "08:00")
MIN_HOURS, MAX_HOURS = 1, 16
STALE_RESULT = (
    "This quiz has moved on: that result was replaced by a newer one, so nothing was "
    "changed. `/crossfade quiz result` shows your latest result and its button."
)


def _logoff_api(name: str) -> Callable[..., Awaitable[Any]] | None:
    """``bot.features.logoff.commands.<name>`` when the log-off flow provides it."""
    from bot.features.logoff import commands as logoff

    found = getattr(logoff, name, None)
    return found if callable(found) else None


async def _current_result(ctx: Context, value: str) -> QuizResult | None:
    """The result a setup button belongs to, if it is still the member's current one."""
    ident = small_int(value)
    if ident is None:
        return None
    row = await QuizResults(ctx.session, ctx.team).by_id(ctx.member, ident)
    return row if row is not None and row.is_current else None


def _as_effects(outcome: Any, fallback: str) -> list[Effect]:
    """The log-off flow may answer with effects, a message or nothing; show something."""
    if isinstance(outcome, list) and outcome:
        return outcome
    if isinstance(outcome, Message):
        return [Reply(outcome)]
    if isinstance(outcome, str) and outcome:
        return [reply(outcome)]
    return [reply(fallback)]


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
    clock = format_clock(at)
    quiet = await ensure_quiet_hours(ctx) if row.result == "crossfade" else ""
    set_logoff = _logoff_api("set_logoff")
    if set_logoff is None:
        text = (
            "Log-off reminders aren't available in this version yet, so no reminder was set. "
            f"Once they are, this button sets a reminder at {clock} your time ({ctx.zone.key}) "
            "on your workdays."
        )
        return [reply(f"{text} {quiet}".strip())]
    effects = _as_effects(
        await set_logoff(ctx, at), f"Done: I'll remind you to log off at {clock} on workdays."
    )
    return [*effects, reply(quiet)] if quiet else effects


async def apply_hours(ctx: Context, hours: int) -> list[Effect]:
    """Set the hours-based reminder and quiet hours (Integration)."""
    quiet = await ensure_quiet_hours(ctx)
    set_hours = _logoff_api("set_hours")
    if set_hours is None:
        text = (
            "Hours-based reminders aren't available in this version yet, so none was set. "
            f"Once they are, this button reminds you {hours} hours after `/crossfade start`."
        )
        return [reply(f"{text} {quiet}")]
    effects = _as_effects(
        await set_hours(ctx, hours),
        f"Done: after `/crossfade start`, I'll remind you when {hours} hours are up.",
    )
    return [*effects, reply(quiet)]


def register(flow: Flow) -> None:
    """Add the setup buttons and form to the quiz flow."""

    @flow.action(SETUP)
    async def setup(ctx: Context, value: str) -> list[Effect]:
        row = await _current_result(ctx, value)
        if row is None:
            return [reply(STALE_RESULT)]
        # Someone worn out gets a fixed end to the day, never an hours count that can stretch.
        if row.result == "integration" and not is_exhausted(row.flags or ()):
            return [Reply(setup_hours_message(row.id))]
        message = setup_time_message(
            row.id, default=ctx.team.default_logoff or "17:30", hard_stop=row.result != "balance"
        )
        return [Reply(message)]

    @flow.action(LOGOFF)
    async def pick_time(ctx: Context, value: str) -> list[Effect]:
        result_id, _, hhmm = value.partition(".")
        row = await _current_result(ctx, result_id)
        if row is None:
            return [reply(STALE_RESULT)]
        try:
            at = parse_clock(f"{hhmm[:2]}:{hhmm[2:]}")
        except InputError:
            return [reply(STALE_RESULT)]
        return await apply_logoff(ctx, row, at)

    @flow.action(LOGOFF_OTHER)
    async def other_time(ctx: Context, value: str) -> list[Effect]:
        row = await _current_result(ctx, value)
        if row is None:
            return [reply(STALE_RESULT)]
        what = "hard stop" if row.result == "crossfade" else "log-off time"
        field = FormField(
            "time",
            f"Daily {what} (HH:MM, your time)",
            placeholder="17:30",
            initial=ctx.team.default_logoff or "",
            max_length=8,
        )
        return [OpenForm(Form(form_id(row.id), f"Your {what}", (field,), "Set reminder"))]

    @flow.form(LOGOFF_FORM)
    async def submit_time(ctx: Context, value: str, values: dict[str, str]) -> list[Effect]:
        row = await _current_result(ctx, value)
        if row is None:
            return [reply(STALE_RESULT)]
        try:
            at = parse_clock(values.get("time", ""))
        except InputError as error:
            return [FormErrors({"time": str(error)})]
        return await apply_logoff(ctx, row, at)

    @flow.action(HOURS)
    async def pick_hours(ctx: Context, value: str) -> list[Effect]:
        result_id, _, hours = value.partition(".")
        row = await _current_result(ctx, result_id)
        number = small_int(hours, low=MIN_HOURS, high=MAX_HOURS)
        if row is None or number is None:
            return [reply(STALE_RESULT)]
        return await apply_hours(ctx, number)
