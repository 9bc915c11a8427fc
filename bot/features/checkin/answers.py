"""The check-in's buttons and note form: an answer to each question, "Change answers",
the private note, and the dashboard's own buttons."""

from __future__ import annotations

from bot.features.checkin import dashboard, records
from bot.features.checkin.commands import start
from bot.features.checkin.flow import flow
from bot.features.checkin.questions import (
    BY_CODE,
    NOTE_MAX,
    ORDER,
    check_open,
    decode,
    done_message,
    first_question,
    note_form,
    parse_day,
    question_message,
    show,
)
from bot.features.checkin.records import day_label
from bot.features.checkin.store import CheckIns
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, FormErrors, OpenForm
from bot.kernel.errors import UserError

__all__ = ["answer", "me_button", "open_note", "redo", "save_note", "start_button"]


@flow.action("checkin:a")
async def answer(ctx: Context, value: str) -> list[Effect]:
    parts = value.split("|")
    if len(parts) != 3 or parts[1] not in BY_CODE:
        raise UserError("That check-in button is no longer valid. `/crossfade checkin` starts one.")
    day = parse_day(parts[0])
    check_open(ctx, day)
    code = parts[1]
    chosen = decode(code, parts[2])
    row = await ctx.store(CheckIns).to_answer(ctx.member, day, zone=ctx.zone.key)
    setattr(row, BY_CODE[code][0], chosen)
    position = ORDER.index(code)
    if position + 1 < len(ORDER):
        return show(ctx, question_message(day, ORDER[position + 1], row))
    await ctx.uow.flush()
    await records.purge_member(ctx)
    return show(ctx, await done_message(ctx, day, row))


@flow.action("checkin:redo")
async def redo(ctx: Context, value: str) -> list[Effect]:
    day = parse_day(value)
    check_open(ctx, day)
    row = await ctx.store(CheckIns).on(ctx.member, day)
    return show(ctx, first_question(day, row, intro="Change any answer; the rest stay."))


@flow.action("checkin:note")
async def open_note(ctx: Context, value: str) -> list[Effect]:
    day = parse_day(value)
    check_open(ctx, day)
    row = await ctx.store(CheckIns).on(ctx.member, day)
    return [OpenForm(note_form(day, row.note if row is not None else None))]


@flow.form("checkin:note")
async def save_note(ctx: Context, value: str, values: dict[str, str]) -> list[Effect]:
    day = parse_day(value)
    check_open(ctx, day)
    # One line: pasted line breaks become spaces rather than an error.
    note = " ".join(values.get("note", "").split())
    if len(note) > NOTE_MAX:
        return [
            FormErrors({"note": f"Keep it to {NOTE_MAX} characters — this one is {len(note)}."})
        ]
    row = await ctx.store(CheckIns).to_answer(ctx.member, day, zone=ctx.zone.key)
    row.note = note or None
    if not note:
        return [reply(f"Note for {day_label(day)} cleared.")]
    return [reply(f"Note saved for {day_label(day)} — only you can see it.")]


@flow.action("checkin:me")
async def me_button(ctx: Context, value: str) -> list[Effect]:
    days = 30 if value == "30" else 7
    return show(ctx, await dashboard.dashboard_message(ctx, days=days))


@flow.action("checkin:start")
async def start_button(ctx: Context, value: str) -> list[Effect]:
    return await start(ctx)
