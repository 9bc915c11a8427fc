"""The quiz through the core: one question at a time, back, cancel, resume, retake, stale
buttons, the result and its setup button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.bootstrap import build_router, make_bot
from bot.features.quiz.models import QuizResult
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.context import Context
from bot.kernel.effects import Effect, FormErrors, OpenForm, Reply, Update
from bot.kernel.events import MessageRef, Place
from bot.kernel.registry import Flow
from bot.kernel.settings import Settings
from bot.kernel.slots import LOGOFF_SETUP, LogoffSetup
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Conversation, Member
from bot.kernel.ui import Button, Message
from tests.quiz.support import (
    BALANCE,
    CROSSFADE,
    INTEGRATION,
    action_button,
    answer_button,
    take_quiz,
)
from tests.support.harness import Harness, button, messages, text_of


@pytest.fixture
def h(bot: Bot) -> Harness:
    return Harness(bot)


@dataclass(frozen=True)
class Saved:
    result: str
    is_current: bool
    answers: dict[str, str]


async def results_of(db: Database, user: str) -> list[Saved]:
    """The user's saved quiz results, oldest first."""
    async with db.uow() as uow:
        rows = await uow.session.execute(
            select(QuizResult.result, QuizResult.is_current, QuizResult.answers)
            .join(Member, Member.id == QuizResult.member_id)
            .where(Member.platform_user_id == user)
            .order_by(QuizResult.id)
        )
        return [Saved(r, bool(c), dict(a)) for r, c, a in rows]


@pytest.mark.parametrize(
    ("sheet", "title", "setup"),
    [
        (BALANCE, "Balance", "Set my daily log-off reminder"),
        (INTEGRATION, "Integration", "Remind me after a day's hours"),
        (CROSSFADE, "Crossfade", "Set my hard stop"),
    ],
)
async def test_a_full_answer_sheet_reaches_each_result(
    h: Harness, bot: Bot, sheet: dict[str, str], title: str, setup: str
) -> None:
    effects = await take_quiz(h, "ann", sheet)
    text = text_of(effects)
    assert f"Your result: {title}" in text
    assert "*Why*" in text and "Tips for you" in text
    button(effects, setup)  # the one setup button
    button(effects, "Retake the quiz")
    [row] = await results_of(bot.db, "ann")
    assert row.result == title.lower() and row.is_current
    assert row.answers == sheet
    # the conversation is over
    async with bot.db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Conversation)) == 0


async def test_one_question_at_a_time_with_progress_back_and_cancel(h: Harness) -> None:
    effects = await h.command("ann", "/crossfade quiz")
    first = text_of(effects)
    assert "*1/10* · How is your work mostly judged?" in first
    assert "Balance or integration?" in first  # the intro on the first question
    labels = [b.label for b in messages(effects)[0].buttons]
    assert "Back" not in labels and "Cancel" in labels  # nothing to go back to yet

    effects = await h.press("ann", answer_button(effects, "outcomes"))
    effects = await h.press("ann", answer_button(effects, "easily"))
    assert "*3/10* · Where do you do most of your work?" in text_of(effects)

    effects = await h.press("ann", button(effects, "Back"))
    text = text_of(effects)
    assert "*2/10* · When you stop working" in text
    # the earlier answer is marked, and answering again moves on
    chosen = [b for b in messages(effects)[0].buttons if b.style == "primary"]
    assert [b.label for b in chosen] == ["✓ Yes, it stays at work"]
    effects = await h.press("ann", answer_button(effects, "keeps_running"))
    assert "3/10" in text_of(effects)

    effects = await h.press("ann", button(effects, "Cancel"))
    assert "Quiz cancelled — nothing was saved." in text_of(effects)
    effects = await h.command("ann", "/crossfade quiz result")
    assert "You haven't taken the quiz yet" in text_of(effects)


async def test_a_pressed_question_is_updated_in_place(h: Harness) -> None:
    effects = await h.command("ann", "/crossfade quiz")
    ref = MessageRef(Place.dm(), "m1")
    effects = await h.press("ann", answer_button(effects, "hours"), ref=ref)
    assert isinstance(effects[0], Update) and effects[0].message_ref == ref
    assert "2/10" in effects[0].message.text


async def test_resumable_after_a_restart(tmp_path: Path, sqlite_template: Path) -> None:
    """A second Bot on the same database file continues where the first left off, and the
    first one's buttons still work."""
    import shutil

    path = tmp_path / "restart.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{path}", _env_file=None)  # type: ignore[call-arg]
    clock = FakeClock()

    first = Database(settings.database_url)
    h1 = Harness(make_bot(db=first, clock=clock, settings=settings))
    effects = await h1.command("ann", "/crossfade quiz")
    for answer in ("outcomes", "easily", "home"):
        effects = await h1.press("ann", answer_button(effects, answer))
    old_question = effects
    await first.dispose()  # the process is gone

    second = Database(settings.database_url)
    h2 = Harness(make_bot(db=second, clock=clock, settings=settings))
    try:
        offer = await h2.command("ann", "/crossfade quiz")
        assert "partway through the quiz (question 4/10)" in text_of(offer)
        effects = await h2.press("ann", button(offer, "Continue"))
        assert "*4/10* · How often do you need to step out" in text_of(effects)
        # the button shown before the restart is just as good
        effects = await h2.press("ann", answer_button(old_question, "most_days"))
        assert "5/10" in text_of(effects)
        for question in ("side_work", "schedule", "dinner", "rigid", "stress", "downtime"):
            effects = await h2.press("ann", answer_button(effects, INTEGRATION[question]))
        assert "Your result: Integration" in text_of(effects)
    finally:
        await second.dispose()


async def test_start_over_from_the_offer(h: Harness) -> None:
    effects = await h.command("ann", "/crossfade quiz")
    stale = await h.press("ann", answer_button(effects, "hours"))
    offer = await h.command("ann", "/crossfade quiz")
    effects = await h.press("ann", button(offer, "Start over"))
    assert "1/10" in text_of(effects)
    # the first session's question-2 buttons have moved on
    moved = await h.press("ann", answer_button(stale, "easily"))
    assert "This quiz has moved on" in text_of(moved)
    assert "newer quiz in progress" in text_of(moved)
    button(moved, "Continue my quiz")


async def test_retake_replaces_the_result_and_keeps_history(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await take_quiz(h, "ann", BALANCE)
    clock.advance(timedelta(days=30))
    effects = await h.command("ann", "/crossfade quiz")
    assert "You took the quiz on Mon 02 Mar 2026 (Balance)" in text_of(effects)
    for answer in INTEGRATION.values():
        effects = await h.press("ann", answer_button(effects, answer))
    assert "Your result: Integration" in text_of(effects)
    rows = await results_of(bot.db, "ann")
    assert [(r.result, r.is_current) for r in rows] == [("balance", False), ("integration", True)]
    history = text_of(await h.command("ann", "/crossfade quiz history"))
    assert "Integration (current)" in history and "Balance" in history
    shown = text_of(await h.command("ann", "/crossfade quiz result"))
    assert "Your result: Integration" in shown


async def test_old_buttons_from_a_finished_quiz_change_nothing(h: Harness, bot: Bot) -> None:
    start = await h.command("ann", "/crossfade quiz")
    effects = start
    last_question = effects
    for answer in BALANCE.values():
        last_question = effects
        effects = await h.press("ann", answer_button(effects, answer))
    result = effects
    assert "Your result: Balance" in text_of(result)

    # the final answer pressed again (a double click), an early answer, Back and Cancel
    for stale in (
        answer_button(last_question, "plenty"),
        answer_button(last_question, "hardly_any"),
        answer_button(start, "outcomes"),
        action_button(last_question, "quiz:back"),
        action_button(start, "quiz:cancel"),
    ):
        effects = await h.press("ann", stale)
        text = text_of(effects)
        assert "This quiz has moved on" in text, stale
        assert "your result is Balance" in text
    [row] = await results_of(bot.db, "ann")
    assert row.result == "balance" and row.answers == BALANCE

    # after a retake the first quiz is superseded, and its setup button is stale too
    await take_quiz(h, "ann", INTEGRATION)
    effects = await h.press("ann", answer_button(last_question, "plenty"))
    assert "have retaken the quiz since" in text_of(effects)
    effects = await h.press("ann", button(result, "Set my daily log-off reminder"))
    assert "This quiz has moved on" in text_of(effects)
    assert [r.result for r in await results_of(bot.db, "ann")] == ["balance", "integration"]


async def step_of(bot: Bot) -> int:
    async with bot.db.uow() as uow:
        conversation = await uow.session.scalar(select(Conversation))
        assert conversation is not None
        return int(conversation.state["step"])


async def test_double_presses_are_harmless(h: Harness, bot: Bot) -> None:
    effects = await h.command("ann", "/crossfade quiz")
    first = answer_button(effects, "hours")
    effects = await h.press("ann", first)
    again = await h.press("ann", first)  # the same answer, pressed twice
    assert "*2/10*" in text_of(again) and "moved on" not in text_of(again)
    assert await step_of(bot) == 1

    back = action_button(effects, "quiz:back")
    effects = await h.press("ann", back)
    again = await h.press("ann", back)  # Back, pressed twice, goes back once
    assert "*1/10*" in text_of(effects) and "*1/10*" in text_of(again)
    assert await step_of(bot) == 0


async def test_an_answer_from_an_earlier_question_points_to_back(h: Harness) -> None:
    effects = await h.command("ann", "/crossfade quiz")
    q1 = effects
    effects = await h.press("ann", answer_button(effects, "hours"))
    effects = await h.press("ann", answer_button(q1, "outcomes"))
    text = text_of(effects)
    assert "That button is from question 1; you're on question 2 now" in text
    assert "2/10" in text


async def test_forged_and_garbled_values_change_nothing(h: Harness) -> None:
    await h.command("ann", "/crossfade quiz")
    for value in ("", "x", "abc.1", "abc.zz.hours", "a.b.c.d"):
        effects = await h.press("ann", Button("x", "quiz:answer", value))
        assert "This quiz has moved on" in text_of(effects)
    effects = await h.press("ann", Button("x", "quiz:setup", "999"))
    assert "moved on" in text_of(effects)


async def test_quiz_subcommands_answer_clearly(h: Harness) -> None:
    assert "You have no quiz in progress" in text_of(
        await h.command("ann", "/crossfade quiz cancel")
    )
    assert "You haven't taken the quiz yet" in text_of(
        await h.command("ann", "/crossfade quiz history")
    )
    text = text_of(await h.command("ann", "/crossfade quiz frobnicate"))
    assert "I don't know `quiz frobnicate`" in text and "quiz result" in text
    await h.command("ann", "/crossfade quiz")
    assert "Quiz cancelled" in text_of(await h.command("ann", "/crossfade quiz cancel"))
    help_text = text_of(await h.command("ann", "/crossfade help"))
    assert "/crossfade quiz" in help_text and "/crossfade team" in help_text


async def test_content_edited_midway_restarts_the_quiz(h: Harness, bot: Bot) -> None:
    effects = await h.command("ann", "/crossfade quiz")
    stale = await h.press("ann", answer_button(effects, "hours"))
    async with bot.db.uow() as uow:
        conversation = await uow.session.scalar(select(Conversation))
        assert conversation is not None
        conversation.state = {**conversation.state, "fp": "older-content"}
        await uow.commit()
    effects = await h.command("ann", "/crossfade quiz")
    assert "The quiz has changed since you started it" in text_of(effects)
    assert "1/10" in text_of(effects)
    assert "moved on" in text_of(await h.press("ann", answer_button(stale, "easily")))


# --- the result's warnings -------------------------------------------------------------


async def test_a_clock_in_role_with_integration_answers_is_warned(h: Harness) -> None:
    sheet = {**INTEGRATION, "measured": "hours", "schedule": "non_traditional", "side_work": "gigs"}
    effects = await take_quiz(h, "ann", sheet)
    text = text_of(effects)
    assert "Your result: Crossfade" in text
    assert "measured by hours at your post" in text  # the warning
    assert "Your job is measured by hours on the clock" in text  # and the reason that decided


async def test_rumination_is_warned_even_when_the_rest_leans_integration(h: Harness) -> None:
    sheet = {**INTEGRATION, "dinner": "reply_stuck", "schedule": "non_traditional"}
    effects = await take_quiz(h, "ann", sheet)
    text = text_of(effects)
    # The seed's rule leads: integration is not for people who can't switch off.
    warning = text.index("Integration is not for people who can't switch off")
    assert warning < text.index("*Your result:")


# --- the setup button ------------------------------------------------------------------


async def test_balance_setup_asks_the_time_and_sets_the_reminder(h: Harness) -> None:
    result = await take_quiz(h, "ann", BALANCE)
    ask = await h.press("ann", button(result, "Set my daily log-off reminder"))
    assert "What time is your daily log-off?" in text_of(ask)
    effects = await h.press("ann", button(ask, "17:30"))
    assert "Log-off reminder set: 17:30 on workdays" in text_of(effects)
    assert "Quiet hours" not in text_of(effects)  # Balance leaves quiet hours alone
    assert "17:30" in text_of(await h.command("ann", "/crossfade logoff"))


class FakeLogoff:
    """Stands in for the log-off feature's set-up: records what the quiz asked for."""

    def __init__(self) -> None:
        self.fixed_calls: list[time] = []
        self.hours_calls: list[float] = []
        self.flow = Flow("fake-logoff")
        self.flow.provide(LOGOFF_SETUP, LogoffSetup(self.fixed, self.hours), order=0)

    async def fixed(self, ctx: Context, at: time) -> list[Effect]:
        self.fixed_calls.append(at)
        return [Reply(Message(f"logoff {at:%H:%M}"))]

    async def hours(self, ctx: Context, hours: float) -> list[Effect]:
        self.hours_calls.append(hours)
        return [Reply(Message(f"after {hours:g} hours"))]


@pytest.fixture
def fake_logoff() -> FakeLogoff:
    return FakeLogoff()


@pytest.fixture
def faked(db: Database, clock: FakeClock, settings: Settings, fake_logoff: FakeLogoff) -> Harness:
    """The bot, with the log-off set-up the quiz reaches through the slot replaced."""
    router = build_router([fake_logoff.flow])
    return Harness(make_bot(db=db, clock=clock, settings=settings, router=router))


async def test_balance_setup_uses_the_logoff_setup_slot(
    faked: Harness, fake_logoff: FakeLogoff
) -> None:
    result = await take_quiz(faked, "ann", BALANCE)
    ask = await faked.press("ann", button(result, "Set my daily log-off reminder"))
    effects = await faked.press("ann", button(ask, "18:00"))
    assert fake_logoff.fixed_calls == [time(18, 0)] and "logoff 18:00" in text_of(effects)

    # another time, through the form: a bad time stays in the form, a good one is set
    opened = await faked.press("ann", button(ask, "Another time…"))
    [form] = [e.form for e in opened if isinstance(e, OpenForm)]
    errors = await faked.submit("ann", form.id, {"time": "25:99"})
    assert isinstance(errors[0], FormErrors) and "time" in errors[0].errors
    effects = await faked.submit("ann", form.id, {"time": "5:45pm"})
    assert fake_logoff.fixed_calls == [time(18, 0), time(17, 45)]


async def test_integration_setup_sets_hours_and_quiet_hours(
    faked: Harness, fake_logoff: FakeLogoff
) -> None:
    await faked.command("ann", "/crossfade quiet off")
    result = await take_quiz(faked, "ann", INTEGRATION)
    ask = await faked.press("ann", button(result, "Remind me after a day's hours"))
    effects = await faked.press("ann", button(ask, "8 hours"))
    text = text_of(effects)
    assert fake_logoff.hours_calls == [8]
    assert "after 8 hours" in text
    assert "Quiet hours on: no DMs from 20:00 to 08:00" in text
    assert "20:00–08:00" in text_of(await faked.command("ann", "/crossfade quiet"))


async def test_integration_setup_through_the_logoff_feature(h: Harness) -> None:
    result = await take_quiz(h, "ann", INTEGRATION)
    ask = await h.press("ann", button(result, "Remind me after a day's hours"))
    text = text_of(await h.press("ann", button(ask, "8 hours")))
    assert "Integration mode: after `/crossfade start` I'll remind you when 8 h are up" in text


async def test_crossfade_setup_is_a_hard_stop_and_keeps_own_quiet_hours(h: Harness) -> None:
    await h.command("ann", "/crossfade quiet 21:00-07:00")
    result = await take_quiz(h, "ann", CROSSFADE)
    ask = await h.press("ann", button(result, "Set my hard stop"))
    assert "daily hard stop" in text_of(ask)
    effects = await h.press("ann", button(ask, "17:00"))
    assert "Log-off reminder set: 17:00 on workdays" in text_of(effects)
    assert "Your quiet hours stay 21:00–07:00" in text_of(effects)


async def test_setup_buttons_with_garbled_values_change_nothing(h: Harness) -> None:
    result = await take_quiz(h, "ann", BALANCE)
    setup = button(result, "Set my daily log-off reminder")
    for action, value in (
        ("quiz:logoff", setup.value),  # no time
        ("quiz:logoff", f"{setup.value}.2599"),  # not a time
        ("quiz:hours", f"{setup.value}.99"),  # too many hours
        ("quiz:logoff_other", "x"),
    ):
        effects = await h.press("ann", Button("x", action, value))
        assert "This quiz has moved on: that result was replaced" in text_of(effects)
    assert "Log-off reminder" not in text_of(await h.command("ann", "/crossfade logoff"))


async def test_nobody_else_can_press_my_buttons(h: Harness, bot: Bot) -> None:
    """Buttons belong to the person who pressed them: another member's press acts on their
    own (absent) quiz and changes nothing of mine."""
    effects = await h.command("ann", "/crossfade quiz")
    effects = await h.press("bob", answer_button(effects, "hours"))
    assert "moved on" in text_of(effects)
    async with bot.db.uow() as uow:
        conversation = await uow.session.scalar(select(Conversation))
        assert conversation is not None and conversation.state["step"] == 0


async def test_a_saved_result_keeps_its_outcome_after_the_content_changes(
    h: Harness, bot: Bot
) -> None:
    await take_quiz(h, "ann", BALANCE)
    async with bot.db.uow() as uow:
        # as if the scores in the content file had been edited since
        await uow.session.execute(update(QuizResult).values(score=-99))
        await uow.commit()
    text = text_of(await h.command("ann", "/crossfade quiz result"))
    assert "Your result: Balance" in text
    assert "The quiz has been edited since" in text
    assert "*Why*" not in text  # not re-explained with reasons that no longer hold
    assert "Measured by hours" not in text
