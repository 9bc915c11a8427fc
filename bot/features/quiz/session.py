"""The quiz in progress: a conversation (kind ``quiz``) whose state is the question shown,
the answers so far and the content it was started on.

Every button carries the session id (and the question), so any instance can handle any
press, a restart loses nothing, and a press from a finished, cancelled or superseded quiz
gets the one "moved on" answer below and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.features.quiz.content import Content, get_content
from bot.features.quiz.flow import flow
from bot.features.quiz.models import QuizResult
from bot.features.quiz.store import QuizResults
from bot.features.quiz.views import RESUME, question_message
from bot.kernel.context import Context
from bot.kernel.conversation import Conversation, Stale
from bot.kernel.effects import Effect, Reply, Update
from bot.kernel.ui import Block, Button, Buttons, Message, Text

__all__ = [
    "KIND",
    "MOVED_ON_TEXT",
    "QuizState",
    "content_of",
    "conversation",
    "day_of",
    "question_again",
    "show",
]

KIND = "quiz"
MOVED_ON_TEXT = "This quiz has moved on, so that button changed nothing."


@dataclass(frozen=True)
class QuizState:
    """Where a quiz stands: the question shown (0-based), the answers so far (question id →
    answer id) and the fingerprint of the content it was started on."""

    step: int
    answers: Mapping[str, str]
    fp: str


def content_of(ctx: Context) -> Content:
    return get_content(ctx.settings.content_dir)


def day_of(ctx: Context, row: QuizResult) -> str:
    """The day a result was given, in the person's zone."""
    return f"{row.created_at.astimezone(ctx.zone):%a %d %b %Y}"


def show(ctx: Context, message: Message) -> Effect:
    """Replace the pressed message in place when the platform says which it was."""
    if ctx.message_ref is not None:
        return Update(ctx.message_ref, message)
    return Reply(message)


def _fits(ctx: Context, state: QuizState) -> bool:
    """A quiz started on content that was edited since (or a damaged row) starts again."""
    content = content_of(ctx)
    return state.fp == content.fingerprint and 0 <= state.step < len(content.questions)


async def _moved_on(ctx: Context, stale: Stale[QuizState]) -> list[Effect]:
    """Answer a press from a quiz that is no longer the one in progress."""
    content = content_of(ctx)
    session = stale.press.session if stale.press is not None else ""
    row = await ctx.store(QuizResults).by_session(ctx.member, session) if session else None
    live = stale.current
    if row is not None and row.is_current:
        detail = (
            f"You finished it on {day_of(ctx, row)}: your result is "
            f"{content.title(row.result)}. `/crossfade quiz result` shows it again."
        )
    elif row is not None:
        detail = f"You finished it on {day_of(ctx, row)} and have retaken the quiz since."
    elif live is not None:
        detail = "You have a newer quiz in progress."
    else:
        detail = "It was cancelled or replaced by a newer one. `/crossfade quiz` starts again."
    text = f"{MOVED_ON_TEXT} {detail}"
    blocks: list[Block] = [Text(text)]
    if live is not None:
        blocks.append(Buttons((Button("Continue my quiz", RESUME, live.session, "primary"),)))
    return [Reply(Message(text, tuple(blocks)))]


conversation = Conversation(flow, KIND, state=QuizState, fits=_fits, moved_on=_moved_on)


def question_again(content: Content, session: str, state: QuizState, *, lead: str = "") -> Message:
    """The question the quiz is on, with the answer given earlier marked (after Back)."""
    question = content.questions[state.step]
    return question_message(
        content,
        session=session,
        step=state.step,
        chosen=state.answers.get(question.id),
        lead=lead,
    )
