"""The daily check-in: five button questions and an optional one-line note, private.

State lives in the ``checkins`` row of the day, never in memory: every button carries the
*local date* it belongs to and the question it answers (``checkin:a|20260302|m|4``), so any
instance can handle any press, an answer after midnight to yesterday's DM still lands on
yesterday, and pressing a button twice just writes the same answer again.

``checkin`` starts one now; ``checkin at HH:MM`` schedules a DM on the person's workdays
(the scheduling engine skips away days, holidays and quiet hours); ``checkin off`` stops
it. ``me`` (the private dashboard) lives in :mod:`bot.features.checkin.dashboard`.
"""

from __future__ import annotations

import logging
from datetime import date, time, timedelta
from typing import Any

from bot.domain.parsing import InputError, format_clock, format_workdays, parse_clock
from bot.features.checkin import dashboard, records
from bot.features.checkin.insights import ENERGY_LABELS, HOURS_LABELS, streaks
from bot.features.checkin.models import CheckIn
from bot.features.checkin.records import day_label, nudge_lines
from bot.kernel.arguments import OFF, Word, clock
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, FormErrors, OpenForm, Reply, SendDirect, Update
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.storage.repositories import Teams
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Button, Buttons, Form, FormField, Message, Text, action_id

__all__ = ["NOTE_MAX", "first_question", "flow", "parse_day"]

log = logging.getLogger(__name__)

flow = Flow("checkin")

NOTE_MAX = 200
KIND = "checkin"

# code → (column, question, ((label, stored value), …))
_QUESTIONS: dict[str, tuple[str, str, tuple[tuple[str, Any], ...]]] = {
    "m": (
        "mood",
        "How was your mood today?",
        (("1 😣", 1), ("2 🙁", 2), ("3 😐", 3), ("4 🙂", 4), ("5 😄", 5)),
    ),
    "e": ("energy", "How's your energy?", (("Low", "low"), ("OK", "ok"), ("High", "high"))),
    "h": (
        "hours",
        "How many hours did you work?",
        tuple((label, code) for code, label in HOURS_LABELS.items()),
    ),
    "b": ("took_break", "Did you take a real break?", (("Yes", True), ("No", False))),
    "d": (
        "downtime",
        "Any downtime or self-care today?",
        (("Yes", True), ("No", False)),
    ),
}
_ORDER = [code for code, _ in records.QUESTIONS]


# --- dates in action ids ----------------------------------------------------------------


def day_code(day: date) -> str:
    return f"{day:%Y%m%d}"


def parse_day(text: str) -> date:
    """``20260302`` → the date; anything else is a stale or forged button."""
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise UserError("That check-in button is no longer valid. `/crossfade checkin` starts one.")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise UserError("That check-in button is no longer valid.") from None


def _check_open(ctx: Context, day: date) -> None:
    """A day's check-in can be answered that day and the day after (a late evening DM
    answered after midnight); older ones have expired quietly."""
    today = ctx.local_today
    if day < today - timedelta(days=1):
        raise UserError(
            f"The check-in for {day_label(day)} has closed, so nothing was changed. "
            "`/crossfade checkin` starts today's."
        )
    if day > today + timedelta(days=1):
        raise UserError("That check-in button is no longer valid. `/crossfade checkin` starts one.")


# --- messages ---------------------------------------------------------------------------


def _value_text(code: str, value: Any) -> str:
    if code == "m":
        return f"mood {value}"
    if code == "e":
        return f"energy {ENERGY_LABELS.get(value, value)}"
    if code == "h":
        return f"{HOURS_LABELS.get(value, value)} h"
    if code == "b":
        return "break " + ("yes" if value else "no")
    return "downtime " + ("yes" if value else "no")


def answers_line(row: CheckIn | None) -> str:
    if row is None:
        return ""
    parts = []
    for code, column in records.QUESTIONS:
        value = getattr(row, column)
        if value is not None:
            parts.append(_value_text(code, value))
    return " · ".join(parts)


def question_message(day: date, code: str, row: CheckIn | None, *, intro: str = "") -> Message:
    """The question ``code`` for ``day``; the current answer (if any) is highlighted."""
    column, question, choices = _QUESTIONS[code]
    current = getattr(row, column) if row is not None else None
    step = _ORDER.index(code) + 1
    buttons = tuple(
        Button(
            label,
            "checkin:a",
            f"{day_code(day)}|{code}|{_encode(value)}",
            "primary" if current is not None and current == value else "default",
        )
        for label, value in choices
    )
    header = f"*Check-in · {day_label(day)}* ({step}/{len(_ORDER)})"
    blocks: list[Any] = []
    if intro:
        blocks.append(Text(intro))
    blocks.append(Text(f"{header}\n{question}"))
    so_far = answers_line(row)
    if so_far:
        blocks.append(Text(f"_So far: {so_far}_"))
    blocks.append(Buttons(buttons))
    return Message(f"Check-in for {day_label(day)}: {question}", tuple(blocks))


def first_question(day: date, row: CheckIn | None, *, intro: str = "") -> Message:
    return question_message(day, _ORDER[0], row, intro=intro)


def _encode(value: Any) -> str:
    if value is True:
        return "y"
    if value is False:
        return "n"
    return str(value)


def _decode(code: str, raw: str) -> Any:
    for _, value in _QUESTIONS[code][2]:
        if _encode(value) == raw:
            return value
    raise UserError("That answer button is no longer valid. `/crossfade checkin` starts again.")


async def done_message(ctx: Context, day: date, row: CheckIn) -> Message:
    calendar = records.calendar_for(ctx)
    streak = streaks(await records.all_dates(ctx), calendar=calendar, today=ctx.local_today)
    unit = "workday" if streak.current == 1 else "workdays"
    blocks: list[Any] = [
        Text(f"*Saved — check-in for {day_label(day)}* ✓\n{answers_line(row)}"),
        Text(
            f"Streak: {streak.current} {unit} in a row (best {streak.best}). "
            "Only you can see this. `/crossfade me` shows your week."
        ),
    ]
    if row.note:
        blocks.append(Text(f"_Note: {row.note}_"))
    for line in await nudge_lines(ctx, today=ctx.local_today):
        blocks.append(Text(line))
    note_label = "Edit the note" if row.note else "Add a private note"
    blocks.append(
        Buttons(
            (
                Button(note_label, "checkin:note", day_code(day)),
                Button("Change answers", "checkin:redo", day_code(day)),
            )
        )
    )
    return Message(f"Check-in saved for {day_label(day)}", tuple(blocks))


def _show(ctx: Context, message: Message) -> list[Effect]:
    """Replace the message that was pressed where the platform can, else answer anew."""
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, message)]
    return [Reply(message)]


# --- starting ---------------------------------------------------------------------------


async def start(ctx: Context) -> list[Effect]:
    today = ctx.local_today
    row = await records.find(ctx, today)
    intro = "Your 30-second check-in. Only you will ever see the answers."
    if records.is_complete(row):
        intro = (
            f"You've already checked in today — answering again updates it ({answers_line(row)})."
        )
    elif row is not None and records.answered(row):
        # Pick up where they left off.
        code = next(c for c, column in records.QUESTIONS if getattr(row, column) is None)
        return [Reply(question_message(today, code, row, intro="Let's finish today's check-in."))]
    await ensure_team_purge(ctx)
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


# --- answering --------------------------------------------------------------------------


@flow.action("checkin:a")
async def answer(ctx: Context, value: str) -> list[Effect]:
    parts = value.split("|")
    if len(parts) != 3 or parts[1] not in _QUESTIONS:
        raise UserError("That check-in button is no longer valid. `/crossfade checkin` starts one.")
    day = parse_day(parts[0])
    _check_open(ctx, day)
    code = parts[1]
    chosen = _decode(code, parts[2])
    row = await records.get_or_create(ctx, day)
    setattr(row, _QUESTIONS[code][0], chosen)
    position = _ORDER.index(code)
    if position + 1 < len(_ORDER):
        return _show(ctx, question_message(day, _ORDER[position + 1], row))
    await ctx.session.flush()
    await records.purge_member(ctx)
    return _show(ctx, await done_message(ctx, day, row))


@flow.action("checkin:redo")
async def redo(ctx: Context, value: str) -> list[Effect]:
    day = parse_day(value)
    _check_open(ctx, day)
    row = await records.find(ctx, day)
    return _show(ctx, first_question(day, row, intro="Change any answer; the rest stay."))


@flow.action("checkin:note")
async def open_note(ctx: Context, value: str) -> list[Effect]:
    day = parse_day(value)
    _check_open(ctx, day)
    row = await records.find(ctx, day)
    return [OpenForm(note_form(day, row.note if row is not None else None))]


def note_form(day: date, current: str | None) -> Form:
    return Form(
        id=action_id("checkin:note", day_code(day)),
        title=f"Note · {day_label(day)}",
        fields=(
            FormField(
                "note",
                "One line, only you will see it",
                kind="text",
                required=False,
                max_length=NOTE_MAX,
                placeholder="What made today good or hard?",
                initial=current or "",
            ),
        ),
        submit_label="Save note",
    )


@flow.form("checkin:note")
async def save_note(ctx: Context, value: str, values: dict[str, str]) -> list[Effect]:
    day = parse_day(value)
    _check_open(ctx, day)
    # One line: pasted line breaks become spaces rather than an error.
    note = " ".join(values.get("note", "").split())
    if len(note) > NOTE_MAX:
        return [
            FormErrors({"note": f"Keep it to {NOTE_MAX} characters — this one is {len(note)}."})
        ]
    row = await records.get_or_create(ctx, day)
    row.note = note or None
    if not note:
        return [reply(f"Note for {day_label(day)} cleared.")]
    return [reply(f"Note saved for {day_label(day)} — only you can see it.")]


# --- scheduling -------------------------------------------------------------------------


def _engine() -> Any:
    """The scheduling engine (the log-off issue's), imported when first needed."""
    try:
        import bot.scheduling as engine
    except ImportError:
        raise UserError("Scheduled check-ins are not available in this installation.") from None
    return engine


def _inside_quiet(ctx: Context, at: time) -> bool:
    from bot.domain.dm_decision import daily_time_decision
    from bot.scheduling.api import member_rules

    return not daily_time_decision(at, member_rules(ctx.member, ctx.team)).sent


async def set_daily(ctx: Context, text: str) -> list[Effect]:
    try:
        at = parse_clock(text)
    except InputError as error:
        raise UserError(str(error)) from None
    if _inside_quiet(ctx, at):
        raise UserError(
            f"{format_clock(at)} is inside your quiet hours ({ctx.member.quiet_start}–"
            f"{ctx.member.quiet_end}), when I never DM you. Pick another time, or change "
            "them with `quiet HH:MM-HH:MM`."
        )
    from bot.features.disconnect import workday

    if workday.outside_window(ctx, at):
        if ctx.member.checkin_outside_ok != format_clock(at):
            return [workday.checkin_question(ctx, at)]
    else:
        ctx.member.checkin_outside_ok = None
    engine = _engine()
    await engine.set_schedule(ctx, kind=KIND, rule=engine.DailyLocal(at), member=ctx.member)
    await dashboard.schedule_weekly_summary(ctx)
    await ensure_team_purge(ctx)
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
    engine = _engine()
    current = await engine.get_schedule(ctx, kind=KIND, member=ctx.member)
    await engine.cancel_schedule(ctx, kind=KIND, member=ctx.member)
    await engine.cancel_schedule(ctx, kind=dashboard.SUMMARY_KIND, member=ctx.member)
    if current is None:
        return [reply("You have no daily check-in scheduled. `checkin at 17:00` sets one.")]
    return [
        reply(
            "Daily check-ins stopped (and the weekly summary with them). Your past check-ins "
            "stay until you delete them (`forget`); `checkin` still works any time."
        )
    ]


async def ensure_team_purge(ctx: Context) -> None:
    """Make sure the team's retention purge is scheduled (once a day)."""
    await dashboard.ensure_purge(ctx)


# --- jobs -------------------------------------------------------------------------------


@flow.job(KIND)
async def daily_checkin(ctx: Context, due: Any) -> list[Effect]:
    """The scheduled DM: today's first question, unless today is already checked in."""
    day = due.local_due.date()
    row = await records.find(ctx, day)
    if records.is_complete(row):
        return []
    intro = "Time for your 30-second check-in. Only you will ever see the answers."
    return [SendDirect(ctx.user_ref, first_question(day, row, intro=intro))]


@flow.job(dashboard.SUMMARY_KIND)
async def weekly_summary(ctx: Context, due: Any) -> list[Effect]:
    """Runs daily at log-off time; speaks only on the last workday of the person's week."""
    local_due = due.local_due
    if local_due.weekday() != dashboard.last_workday(ctx.member.workdays):
        return []
    # Follow a changed log-off time from next week on.
    if (await dashboard.logoff_time(ctx)) != local_due.time().replace(second=0, microsecond=0):
        await dashboard.schedule_weekly_summary(ctx)
    message = await dashboard.weekly_summary(ctx, today=local_due.date())
    return [] if message is None else [SendDirect(ctx.user_ref, message)]


@flow.job(dashboard.PURGE_KIND)
async def purge(ctx: Context, due: Any) -> list[Effect]:
    """The team's nightly retention purge (a team-level job: ``ctx.member`` is a stand-in)."""
    team = await Teams(ctx.session).by_id(ctx.team.id)
    if team is not None:
        removed = await records.purge_expired(ctx.session, team, today=due.local_due.date())
        if removed:
            log.info("purged %d check-ins past retention for team %s", removed, team.id)
    return []


# --- the dashboard ----------------------------------------------------------------------


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
    from bot.features.disconnect.late_choice import my_share

    share = await my_share(ctx)
    if share:
        message = Message(message.text, (*message.blocks, Text(share)))
    return [Reply(message)]


@flow.action("checkin:me")
async def me_button(ctx: Context, value: str) -> list[Effect]:
    days = 30 if value == "30" else 7
    return _show(ctx, await dashboard.dashboard_message(ctx, days=days))


@flow.action("checkin:start")
async def start_button(ctx: Context, value: str) -> list[Effect]:
    return await start(ctx)
