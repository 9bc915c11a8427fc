"""Conversations as declared state machines: a typed state in the conversation row, steps
that return what comes next, and one answer to every press that no longer belongs."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select

from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.context import Context, reply
from bot.kernel.conversation import (
    MOVED_ON,
    Conversation,
    End,
    Live,
    Next,
    Outcome,
    Press,
    Stale,
    Stay,
    parse_press,
)
from bot.kernel.effects import Effect
from bot.kernel.grammar import ParsedCommand
from bot.kernel.registry import Flow, Router
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Conversation as Row
from bot.kernel.ui import Button, Buttons, Message, Text
from tests.support.harness import Harness, button, text_of

QUESTIONS = ("colour", "size", "when")
CHOICES = ("a", "b", "c")

# --- a three-question survey, declared once ----------------------------------------------

demo = Flow("demo")


@dataclass(frozen=True)
class Survey:
    step: int
    answers: Mapping[str, str]


async def _moved_on(ctx: Context, stale: Stale[Survey]) -> list[Effect]:
    why = "not ours" if stale.press is None else f"session {stale.press.session} is over"
    text = f"That survey has moved on ({why})."
    if stale.current is None:
        return [reply(text)]
    resume = Button("Continue my survey", "survey:resume", stale.current.session)
    return [reply(text, Buttons((resume,)))]


def _fits(ctx: Context, state: Survey) -> bool:
    return 0 <= state.step < len(QUESTIONS)


survey = Conversation(demo, "survey", state=Survey, fits=_fits, moved_on=_moved_on)


def question(session: str, step: int) -> Message:
    text = f"Question {step + 1}: {QUESTIONS[step]}?"
    choices = tuple(Button(c, "survey:answer", f"{session}.{step}.{c}") for c in CHOICES)
    return Message(
        text, (Text(text), Buttons(choices), Buttons((Button("Cancel", "survey:cancel", session),)))
    )


@demo.command("survey", summary="a three-question survey")
async def start(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    live = await survey.start(ctx, Survey(0, {}))
    return [reply(question(live.session, 0).text, *question(live.session, 0).blocks[1:])]


@survey.action("survey:answer", step=True, arg=True)
async def answer(ctx: Context, live: Live[Survey], press: Press) -> Outcome[Survey]:
    state = live.state
    if press.step < state.step:  # a double click, or an earlier question's button
        return Stay([reply(f"Already answered; you're on question {state.step + 1}.")])
    if press.arg not in CHOICES or press.step > state.step:
        return MOVED_ON
    answers = {**state.answers, QUESTIONS[state.step]: press.arg}
    if state.step + 1 == len(QUESTIONS):
        return End([reply(f"Thanks: {', '.join(answers.values())}.")])
    return Next(
        Survey(state.step + 1, answers), [reply(question(live.session, state.step + 1).text)]
    )


@survey.action("survey:cancel")
async def cancel(ctx: Context, live: Live[Survey], press: Press) -> Outcome[Survey]:
    return End([reply("Survey cancelled.")])


@survey.action("survey:resume")
async def resume(ctx: Context, live: Live[Survey], press: Press) -> Outcome[Survey]:
    return Stay([reply(question(live.session, live.state.step).text)])


@survey.action("survey:broken")
async def broken(ctx: Context, live: Live[Survey], press: Press) -> Outcome[Survey]:
    return Next(live.state, [])


# --- a conversation whose state is kept elsewhere: only even tickets are open --------------


async def _open_ticket(ctx: Context, press: Press) -> int | None:
    number = int(press.session) if press.session.isdigit() else None
    return number if number is not None and number % 2 == 0 else None


async def _ticket_closed(ctx: Context, stale: Stale[int]) -> list[Effect]:
    return [reply("That ticket is closed; nothing was changed.")]


ticket = Conversation(demo, "ticket", find=_open_ticket, moved_on=_ticket_closed)


@ticket.action("ticket:close")
async def close(ctx: Context, live: Live[int], press: Press) -> Outcome[int]:
    return End([reply(f"Ticket {live.state} closed.")])


@ticket.action("ticket:reopen")
async def reopen(ctx: Context, live: Live[int], press: Press) -> Outcome[int]:
    return Next(live.state, [])


@ticket.form("ticket:note")
async def note(ctx: Context, live: Live[int], press: Press, values: dict[str, str]) -> Outcome[int]:
    return Stay([reply(f"Noted on {live.state}: {values.get('note', '')}")])


def make(db: Database, clock: FakeClock) -> Harness:
    return Harness(Bot(db=db, clock=clock, router=Router([demo])))


@pytest.fixture
def h(db: Database, clock: FakeClock) -> Harness:
    return make(db, clock)


def answer_of(effects: list[Effect], choice: str) -> Button:
    return next(b for m in _messages(effects) for b in m.buttons if b.value.endswith(f".{choice}"))


def _messages(effects: list[Effect]) -> list[Message]:
    return [m for e in effects if (m := getattr(e, "message", None)) is not None]


def press_for(session: str, step: int, choice: str) -> Button:
    return Button(choice, "survey:answer", f"{session}.{step}.{choice}")


async def stored(db: Database) -> list[dict[str, object]]:
    async with db.uow() as uow:
        return [dict(r.state) for r in await uow.session.scalars(select(Row))]


async def session_of(h: Harness, user: str) -> str:
    effects = await h.command(user, "/crossfade survey")
    return answer_of(effects, "a").value.split(".")[0]


# --- the walk through -------------------------------------------------------------------


async def test_each_step_saves_a_typed_state_and_the_end_deletes_the_row(
    h: Harness, db: Database
) -> None:
    session = await session_of(h, "ann")
    assert await stored(db) == [{"sid": session, "step": 0, "answers": {}}]
    assert "Question 2" in text_of(await h.press("ann", press_for(session, 0, "b")))
    assert await stored(db) == [{"sid": session, "step": 1, "answers": {"colour": "b"}}]
    await h.press("ann", press_for(session, 1, "c"))
    done = await h.press("ann", press_for(session, 2, "a"))
    assert "Thanks: b, c, a." in text_of(done)
    assert await stored(db) == []


async def test_a_press_from_a_finished_conversation_gets_the_one_moved_on_answer(
    h: Harness, db: Database
) -> None:
    session = await session_of(h, "ann")
    for step, choice in enumerate("abc"):
        await h.press("ann", press_for(session, step, choice))
    for stale in (press_for(session, 0, "a"), Button("Cancel", "survey:cancel", session)):
        text = text_of(await h.press("ann", stale))
        assert f"That survey has moved on (session {session} is over)." == text.splitlines()[0]
    assert await stored(db) == []


async def test_a_replaced_session_is_stale_and_the_answer_offers_the_current_one(
    h: Harness, db: Database
) -> None:
    first = await session_of(h, "ann")
    second = await session_of(h, "ann")  # started again: the first one's buttons are stale
    assert first != second
    effects = await h.press("ann", press_for(first, 0, "a"))
    assert "moved on" in text_of(effects)
    resume = button(effects, "Continue my survey")
    assert resume.value == second
    assert "Question 1" in text_of(await h.press("ann", resume))
    assert await stored(db) == [{"sid": second, "step": 0, "answers": {}}]


async def test_garbled_and_forged_values_are_not_ours(h: Harness, db: Database) -> None:
    session = await session_of(h, "ann")
    for value in ("", ".", f"{session}", f"{session}.x.a", f"{session}.0.a.b", f"{session}.-1.a"):
        text = text_of(await h.press("ann", Button("x", "survey:answer", value)))
        assert "moved on (not ours)" in text, value
    # the handler may refuse too: an answer the question does not have
    assert "moved on" in text_of(await h.press("ann", press_for(session, 0, "z")))
    assert await stored(db) == [{"sid": session, "step": 0, "answers": {}}]


async def test_a_foreign_press_changes_nothing_of_either_person(h: Harness, db: Database) -> None:
    anns = await session_of(h, "ann")
    effects = await h.press("bob", press_for(anns, 0, "a"))
    assert "moved on" in text_of(effects) and "Continue" not in text_of(effects)
    bobs = await session_of(h, "bob")
    effects = await h.press("bob", press_for(anns, 0, "a"))  # bob has his own now
    assert button(effects, "Continue my survey").value == bobs
    states = sorted(map(str, await stored(db)))
    assert states == sorted(
        [str({"sid": anns, "step": 0, "answers": {}}), str({"sid": bobs, "step": 0, "answers": {}})]
    )


async def test_a_double_click_counts_once(h: Harness, db: Database) -> None:
    session = await session_of(h, "ann")
    first = press_for(session, 0, "a")
    await h.press("ann", first)
    again = await h.press("ann", first)
    assert "Already answered; you're on question 2." in text_of(again)
    assert await stored(db) == [{"sid": session, "step": 1, "answers": {"colour": "a"}}]
    # the finishing button pressed twice: the second press finds the conversation over
    await h.press("ann", press_for(session, 1, "a"))
    last = press_for(session, 2, "a")
    assert "Thanks" in text_of(await h.press("ann", last))
    assert "moved on" in text_of(await h.press("ann", last))


async def test_a_state_that_no_longer_fits_is_not_live(h: Harness, db: Database) -> None:
    session = await session_of(h, "ann")
    async with db.uow() as uow:
        row = await uow.session.scalar(select(Row))
        assert row is not None
        row.state = {"sid": session, "step": 7, "answers": {}}  # past the last question
        await uow.commit()
    assert "moved on" in text_of(await h.press("ann", press_for(session, 7, "a")))
    async with db.uow() as uow:
        row = await uow.session.scalar(select(Row))
        assert row is not None
        row.state = {"sid": session, "step": "1", "answers": {}}  # a damaged row
        await uow.commit()
    assert "moved on" in text_of(await h.press("ann", press_for(session, 1, "a")))


async def test_conversation_survives_a_restart_mid_flow(
    tmp_path: Path, sqlite_template: Path, clock: FakeClock
) -> None:
    """A second process on the same database continues, and the first one's buttons work."""
    path = tmp_path / "restart.db"
    shutil.copy(sqlite_template, path)
    first = Database(f"sqlite+aiosqlite:///{path}")
    h1 = make(first, clock)
    session = await session_of(h1, "ann")
    shown = await h1.press("ann", press_for(session, 0, "b"))
    await first.dispose()  # the process is gone

    second = Database(f"sqlite+aiosqlite:///{path}")
    try:
        h2 = make(second, clock)
        assert "Question 2" in text_of(shown)
        await h2.press("ann", press_for(session, 1, "c"))
        assert "Thanks: b, c, a." in text_of(await h2.press("ann", press_for(session, 2, "a")))
    finally:
        await second.dispose()


@pytest.mark.postgres
async def test_two_instances_pressing_the_last_button_at_once_finish_it_once(
    postgres_db: Database, clock: FakeClock
) -> None:
    one = make(postgres_db, clock)
    other_db = Database(postgres_db.url)
    two = make(other_db, clock)
    try:
        session = await session_of(one, "ann")
        await one.press("ann", press_for(session, 0, "a"))
        await one.press("ann", press_for(session, 1, "a"))
        last = press_for(session, 2, "a")
        texts = [
            text_of(e) for e in await asyncio.gather(one.press("ann", last), two.press("ann", last))
        ]
        assert sum("Thanks" in t for t in texts) == 1, texts
        assert sum("moved on" in t for t in texts) == 1, texts
    finally:
        await other_db.dispose()


# --- a conversation whose state is kept elsewhere ----------------------------------------


async def test_found_state_decides_what_is_live(h: Harness, db: Database) -> None:
    assert "Ticket 4 closed." in text_of(await h.press("ann", Button("x", "ticket:close", "4")))
    for value in ("5", "", "4.1", "four"):
        text = text_of(await h.press("ann", Button("x", "ticket:close", value)))
        assert text.splitlines() == ["That ticket is closed; nothing was changed."] * 2, value
    noted = await h.submit("ann", "ticket:note|6", {"note": "hello"})
    assert "Noted on 6: hello" in text_of(noted)
    assert await stored(db) == []


async def test_next_needs_a_row() -> None:
    """A conversation that finds its state elsewhere has no row to save a next state in."""
    nobody = cast(Context, object())  # the ticket's find never looks at the context
    with pytest.raises(TypeError, match="keeps no row"):
        await demo.actions["ticket:reopen"](nobody, "4")


# --- declaring ------------------------------------------------------------------------------


def test_bad_declarations_fail_at_construction() -> None:
    flow = Flow("bad")

    async def never(ctx: Context, stale: Stale[Any]) -> list[Effect]:
        return []

    @dataclass(frozen=True)
    class WithSid:
        sid: str

    async def find(ctx: Context, press: Press) -> object:
        return None

    for kwargs, message in (
        ({}, "give `state`"),
        ({"state": Survey, "find": find}, "give `state`"),
        ({"state": dict}, "must be a dataclass"),
        ({"state": WithSid}, "session's key"),
        ({"find": find, "fits": lambda ctx, s: True}, "`fits`"),
    ):
        with pytest.raises(TypeError, match=message):
            Conversation(flow, "bad", moved_on=never, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="1 to 32"):
        Conversation(flow, "x" * 33, state=Survey, moved_on=never)


def test_a_press_is_parsed_from_what_the_button_carries() -> None:
    assert parse_press("s1") == Press("s1")
    assert parse_press("s1.3", step=True) == Press("s1", 3)
    assert parse_press("s1.3.yes", step=True, arg=True) == Press("s1", 3, "yes")
    assert parse_press("42.1730", arg=True) == Press("42", -1, "1730")
    for value, step, arg in (
        ("", False, False),
        ("s1.3", False, False),
        (".3", True, False),
        ("s1.x", True, False),
        ("s1.1001", True, False),
        ("s1.²", True, False),
        ("s1.3", True, True),
    ):
        assert parse_press(value, step=step, arg=arg) is None, value
