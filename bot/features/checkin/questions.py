"""How the check-in asks and answers: one question at a time, the saved summary, the note
form.

Every button carries the *local date* it belongs to and the question it answers
(``checkin:a|20260302|m|4``), so any instance can handle any press, an answer after midnight
to yesterday's DM still lands on yesterday, and pressing a button twice just writes the same
answer again.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.features.checkin import records
from bot.features.checkin.insights import ENERGY_LABELS, HOURS_LABELS, streaks
from bot.features.checkin.models import CheckIn
from bot.features.checkin.records import day_label, nudge_lines
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply, Update
from bot.kernel.errors import UserError
from bot.kernel.ui import Button, Buttons, Form, FormField, Message, Text, action_id

__all__ = [
    "BY_CODE",
    "NOTE_MAX",
    "ORDER",
    "answers_line",
    "check_open",
    "decode",
    "done_message",
    "first_question",
    "note_form",
    "parse_day",
    "question_message",
    "show",
]

NOTE_MAX = 200

# code → (column, question, ((label, stored value), …))
BY_CODE: dict[str, tuple[str, str, tuple[tuple[str, Any], ...]]] = {
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
ORDER = [code for code, _ in records.QUESTIONS]


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


def check_open(ctx: Context, day: date) -> None:
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
    column, question, choices = BY_CODE[code]
    current = getattr(row, column) if row is not None else None
    step = ORDER.index(code) + 1
    buttons = tuple(
        Button(
            label,
            "checkin:a",
            f"{day_code(day)}|{code}|{_encode(value)}",
            "primary" if current is not None and current == value else "default",
        )
        for label, value in choices
    )
    header = f"*Check-in · {day_label(day)}* ({step}/{len(ORDER)})"
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
    return question_message(day, ORDER[0], row, intro=intro)


def _encode(value: Any) -> str:
    if value is True:
        return "y"
    if value is False:
        return "n"
    return str(value)


def decode(code: str, raw: str) -> Any:
    for _, value in BY_CODE[code][2]:
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


def show(ctx: Context, message: Message) -> list[Effect]:
    """Replace the message that was pressed where the platform can, else answer anew."""
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, message)]
    return [Reply(message)]


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
