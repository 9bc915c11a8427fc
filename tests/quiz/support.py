"""Helpers for driving the quiz through the Harness."""

from __future__ import annotations

from bot.features.quiz.content import load_content
from bot.kernel.effects import Effect
from bot.kernel.ui import Button
from tests.support.harness import Harness, messages

CONTENT = load_content()
QUESTION_IDS = [q.id for q in CONTENT.questions]

NEUTRAL = {
    "measured": "mix",
    "switch_off": "after_a_while",
    "where": "hybrid",
    "daytime": "sometimes",
    "side_work": "none",
    "schedule": "mostly_regular",
    "dinner": "glance",
    "rigid": "either",
    "stress": "fine",
    "downtime": "plenty",
}
BALANCE = {
    **NEUTRAL,
    "measured": "hours",
    "where": "workplace",
    "schedule": "regular",
    "rigid": "reassuring",
}
INTEGRATION = {
    **NEUTRAL,
    "measured": "outcomes",
    "where": "home",
    "daytime": "most_days",
    "rigid": "confining",
    "switch_off": "easily",
}
CROSSFADE = dict(NEUTRAL)


def answer_button(effects: list[Effect], answer_id: str) -> Button:
    """The answer button whose value ends in ``.answer_id`` on the newest question shown."""
    for message in reversed(messages(effects)):
        for button in message.buttons:
            if button.action == "quiz:answer" and button.value.endswith(f".{answer_id}"):
                return button
    raise AssertionError(f"no answer {answer_id!r} in {[m.text for m in messages(effects)]}")


def action_button(effects: list[Effect], action: str) -> Button:
    for message in reversed(messages(effects)):
        for button in message.buttons:
            if button.action == action:
                return button
    raise AssertionError(f"no {action!r} button in {[m.text for m in messages(effects)]}")


async def take_quiz(h: Harness, user: str, sheet: dict[str, str]) -> list[Effect]:
    """Start the quiz and answer every question from ``sheet``; returns the last effects."""
    effects = await h.command(user, "/crossfade quiz")
    if any(b.action == "quiz:resume" for m in messages(effects) for b in m.buttons):
        effects = await h.press(user, action_button(effects, "quiz:restart"))
    for question_id in QUESTION_IDS:
        effects = await h.press(user, answer_button(effects, sheet[question_id]))
    return effects
