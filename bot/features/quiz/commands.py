"""``quiz``: balance or integration? One question at a time, with Back and Cancel.

The quiz in progress is a ``Conversation`` row (kind ``quiz``) holding a session id, the
step and the answers so far; every button carries the session id and the step, so any
instance can handle any press, a restart loses nothing, and a press from a finished,
cancelled or superseded quiz is recognised and changes nothing. Finishing saves a
``QuizResult`` (the previous one stays as history) and shows the result with its why, the
tips for its flags and one button that sets the bot up to match.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from bot.content import Content, get_content
from bot.domain.bounds import small_int
from bot.features.quiz import setup as quiz_setup
from bot.features.quiz.models import QuizResult
from bot.features.quiz.scoring import Verdict, warnings_for
from bot.features.quiz.store import QuizResults
from bot.features.quiz.views import (
    ANSWER,
    BACK,
    CANCEL,
    RESTART,
    RESUME,
    START,
    history_lines,
    question_message,
    result_message,
    verdict_for,
)
from bot.features.team.commands import effective_k
from bot.kernel.arguments import Word
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply, Update
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.storage.models import Conversation
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Block, Button, Buttons, Message, Text

__all__ = ["KIND", "flow"]

flow = Flow("quiz")
quiz_setup.register(flow)

KIND = "quiz"
MOVED_ON = "This quiz has moved on, so that button changed nothing."


def content_of(ctx: Context) -> Content:
    return get_content(ctx.settings.content_dir)


def _show(ctx: Context, message: Message) -> Effect:
    """Replace the pressed message in place when the platform says which it was."""
    if ctx.message_ref is not None:
        return Update(ctx.message_ref, message)
    return Reply(message)


def _valid_state(state: Any, content: Content) -> dict[str, Any] | None:
    """The conversation's state if it still fits the content, else ``None`` (the content was
    edited since the quiz started, or the row is damaged)."""
    if not isinstance(state, dict):
        return None
    step, answers, session = state.get("step"), state.get("answers"), state.get("sid")
    if (
        state.get("fp") != content.fingerprint
        or not isinstance(session, str)
        or not isinstance(step, int)
        or not 0 <= step < len(content.questions)
        or not isinstance(answers, dict)
    ):
        return None
    return state


async def _live(ctx: Context, session: str) -> tuple[Conversation, dict[str, Any]] | None:
    """The quiz in progress if the button belongs to it."""
    conversation = await ctx.conversations.get(ctx.member, KIND)
    if conversation is None:
        return None
    state = _valid_state(conversation.state, content_of(ctx))
    if state is None or state["sid"] != session:
        return None
    return conversation, state


async def _begin(ctx: Context, *, lead: str = "") -> Message:
    """Start a new quiz session (replacing one in progress: its buttons go stale)."""
    content = content_of(ctx)
    session = secrets.token_hex(4)
    await ctx.conversations.start(
        ctx.member,
        KIND,
        {"sid": session, "step": 0, "answers": {}, "fp": content.fingerprint},
    )
    current = await QuizResults(ctx.session, ctx.team).current(ctx.member)
    if current is not None and not lead:
        lead = (
            f"You took the quiz on {_day(ctx, current)} ({_title(content, current.result)}). "
            "Finishing it again replaces that result; Cancel keeps it."
        )
    return question_message(content, session=session, step=0, lead=lead)


async def _start_or_offer(ctx: Context) -> list[Effect]:
    """A new quiz, or — when one is in progress — the choice to continue or start over."""
    content = content_of(ctx)
    conversation = await ctx.conversations.get(ctx.member, KIND)
    if conversation is not None:
        state = _valid_state(conversation.state, content)
        if state is None:
            lead = "The quiz has changed since you started it, so it starts again from the top."
            return [Reply(await _begin(ctx, lead=lead))]
        step, total, session = state["step"], len(content.questions), state["sid"]
        text = (
            f"You're partway through the quiz (question {step + 1}/{total}). Continue where "
            "you left off, or start over?"
        )
        buttons = (
            Button("Continue", RESUME, session, "primary"),
            Button("Start over", RESTART, session),
            Button("Cancel", CANCEL, session),
        )
        return [Reply(Message(text, (Text(text), Buttons(buttons))))]
    return [Reply(await _begin(ctx))]


def _question_again(content: Content, state: dict[str, Any], *, lead: str = "") -> Message:
    step = state["step"]
    question = content.questions[step]
    return question_message(
        content,
        session=state["sid"],
        step=step,
        chosen=state["answers"].get(question.id),
        lead=lead,
    )


def _title(content: Content, result: str) -> str:
    text = content.quiz.results.get(result)  # type: ignore[call-overload]
    return text.title if text is not None else result.title()


def _day(ctx: Context, row: QuizResult) -> str:
    return f"{row.created_at.astimezone(ctx.zone):%a %d %b %Y}"


async def _moved_on(ctx: Context, session: str) -> list[Effect]:
    """Answer a press from a quiz that is no longer the one in progress."""
    content = content_of(ctx)
    results = QuizResults(ctx.session, ctx.team)
    row = await results.by_session(ctx.member, session) if session else None
    conversation = await ctx.conversations.get(ctx.member, KIND)
    live = _valid_state(conversation.state, content) if conversation is not None else None
    if row is not None and row.is_current:
        detail = (
            f"You finished it on {_day(ctx, row)}: your result is "
            f"{_title(content, row.result)}. `/crossfade quiz result` shows it again."
        )
    elif row is not None:
        detail = f"You finished it on {_day(ctx, row)} and have retaken the quiz since."
    elif live is not None:
        detail = "You have a newer quiz in progress."
    else:
        detail = "It was cancelled or replaced by a newer one. `/crossfade quiz` starts again."
    text = f"{MOVED_ON} {detail}"
    blocks: list[Block] = [Text(text)]
    if live is not None:
        blocks.append(Buttons((Button("Continue my quiz", RESUME, live["sid"], "primary"),)))
    return [Reply(Message(text, tuple(blocks)))]


def _parse(value: str, parts: int) -> tuple[str, int, str] | None:
    """``session.step[.answer]`` → its parts, or ``None`` when the value is not ours."""
    pieces = value.split(".")
    step = small_int(pieces[1], high=1000) if parts > 1 and len(pieces) > 1 else -1
    if len(pieces) != parts or not pieces[0] or step is None:
        return None
    return pieces[0], step, pieces[2] if parts > 2 else ""


# --- the command -----------------------------------------------------------------------


@flow.command(
    "quiz",
    summary="balance or integration? a short quiz, one question at a time; retake any time",
    syntax=(
        Usage(help="start the quiz (or carry on where you stopped)"),
        Usage(
            Word("result", "results", "me", "mine", "show"), help="show your latest result again"
        ),
        Usage(Word("history"), help="your past results"),
        Usage(Word("restart", "retake", "again", "new"), help="start over from the first question"),
        Usage(Word("cancel", "stop", "quit"), help="stop the quiz in progress"),
        Usage(Word("start", "take"), hidden=True),
    ),
    section="Start here",
    featured=True,
)
async def quiz(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.said("cancel"):
        conversation = await ctx.conversations.get(ctx.member, KIND)
        if conversation is None:
            raise UserError("You have no quiz in progress. `/crossfade quiz` starts one.")
        return await _cancel(ctx, conversation)
    if cmd.said("restart"):
        return [Reply(await _begin(ctx))]
    if cmd.said("result"):
        return await _show_result(ctx)
    if cmd.said("history"):
        return await _history(ctx)
    return await _start_or_offer(ctx)  # `quiz` alone, or `quiz start`


async def _show_result(ctx: Context) -> list[Effect]:
    row = await QuizResults(ctx.session, ctx.team).current(ctx.member)
    if row is None:
        raise UserError("You haven't taken the quiz yet. `/crossfade quiz` starts it.")
    content = content_of(ctx)
    verdict, lead = stored_verdict(content, row)
    lead = f"Your result from {_day(ctx, row)}. {lead}".strip()
    message = result_message(
        content,
        verdict,
        result_id=row.id,
        k=effective_k(ctx.team),
        lead=lead,
        support_link=ctx.team.support_link,
    )
    return [Reply(message)]


def stored_verdict(content: Content, row: QuizResult) -> tuple[Verdict, str]:
    """Re-explain a saved result with today's content. The saved outcome always wins: if
    the content was edited since and would now score differently, the result shown is
    still the one given, with its warnings, and the why is left out rather than invented."""
    fresh = verdict_for(content, {str(k): str(v) for k, v in row.answers.items()})
    if fresh.result == row.result and fresh.total == row.score:
        return fresh, ""
    result = row.result if row.result in ("balance", "integration", "crossfade") else "crossfade"
    flags = frozenset(row.flags)
    kept = replace(
        fresh,
        result=result,  # type: ignore[arg-type]
        total=row.score,
        flags=flags,
        warnings=warnings_for(result, flags),  # type: ignore[arg-type]
        reasons=(),
    )
    return kept, "The quiz has been edited since; this is the result as it was given then."


async def _history(ctx: Context) -> list[Effect]:
    rows = await QuizResults(ctx.session, ctx.team).history(ctx.member)
    if not rows:
        raise UserError("You haven't taken the quiz yet. `/crossfade quiz` starts it.")
    content = content_of(ctx)
    lines = history_lines([(_day(ctx, r), _title(content, r.result), r.is_current) for r in rows])
    text = f"*Your quiz results* (newest first, only you can see them)\n{lines}"
    return [Reply(Message("Your quiz results", (Text(text),)))]


# --- buttons ---------------------------------------------------------------------------


@flow.action(START)
async def start(ctx: Context, value: str) -> list[Effect]:
    return await _start_or_offer(ctx)


@flow.action(RESUME)
async def resume(ctx: Context, value: str) -> list[Effect]:
    live = await _live(ctx, value)
    if live is None:
        return await _moved_on(ctx, value)
    return [_show(ctx, _question_again(content_of(ctx), live[1]))]


@flow.action(RESTART)
async def restart(ctx: Context, value: str) -> list[Effect]:
    if await _live(ctx, value) is None:
        return await _moved_on(ctx, value)
    return [_show(ctx, await _begin(ctx))]


@flow.action(ANSWER)
async def answer(ctx: Context, value: str) -> list[Effect]:
    parsed = _parse(value, 3)
    if parsed is None:
        return await _moved_on(ctx, "")
    session, step, answer_id = parsed
    live = await _live(ctx, session)
    if live is None:
        return await _moved_on(ctx, session)
    conversation, state = live
    content = content_of(ctx)
    questions = content.questions
    current = state["step"]
    answers: dict[str, str] = dict(state["answers"])
    if step != current:
        if step < current and answers.get(questions[step].id) == answer_id:
            # The same answer pressed twice (a double click): already counted.
            return [_show(ctx, _question_again(content, state))]
        lead = (
            f"That button is from question {step + 1}; you're on question {current + 1} now. "
            "Use Back to change an earlier answer."
        )
        return [Reply(_question_again(content, state, lead=lead))]
    question = questions[step]
    chosen = content.answer(question, answer_id)
    if chosen is None:
        return await _moved_on(ctx, session)
    answers[question.id] = chosen.id
    if step + 1 < len(questions):
        state = {**state, "step": step + 1, "answers": answers}
        await ctx.conversations.save(conversation, state)
        return [_show(ctx, _question_again(content, state))]
    return await _finish(ctx, conversation, session=session, answers=answers)


async def _finish(
    ctx: Context, conversation: Conversation, *, session: str, answers: dict[str, str]
) -> list[Effect]:
    content = content_of(ctx)
    sheet = {q.id: answers[q.id] for q in content.questions if q.id in answers}
    verdict = verdict_for(content, sheet)
    row = await QuizResults(ctx.session, ctx.team).record(
        ctx.member,
        session=session,
        result=verdict.result,
        score=verdict.total,
        flags=verdict.flags,
        answers=sheet,
        at=ctx.now,
    )
    from bot.features.quiz import team_view as quiz_team

    await quiz_team.result_changed(ctx)
    # A versioned delete: if another instance finished the same quiz a moment ago, this
    # fails, the transaction retries, and the retry answers "moved on".
    await ctx.session.delete(conversation)
    message = result_message(
        content,
        verdict,
        result_id=row.id,
        k=effective_k(ctx.team),
        support_link=ctx.team.support_link,
    )
    return [_show(ctx, message)]


@flow.action(BACK)
async def back(ctx: Context, value: str) -> list[Effect]:
    parsed = _parse(value, 2)
    if parsed is None:
        return await _moved_on(ctx, "")
    session, step, _ = parsed
    live = await _live(ctx, session)
    if live is None:
        return await _moved_on(ctx, session)
    conversation, state = live
    content = content_of(ctx)
    current = state["step"]
    if step != current:
        if step == current + 1:
            # Back pressed twice on the same question: it already went back once.
            return [_show(ctx, _question_again(content, state))]
        lead = f"That button is from question {step + 1}; you're on question {current + 1}."
        return [Reply(_question_again(content, state, lead=lead))]
    if current == 0:
        return [_show(ctx, _question_again(content, state))]
    state = {**state, "step": current - 1}
    await ctx.conversations.save(conversation, state)
    return [_show(ctx, _question_again(content, state))]


@flow.action(CANCEL)
async def cancel(ctx: Context, value: str) -> list[Effect]:
    live = await _live(ctx, value)
    if live is None:
        return await _moved_on(ctx, value)
    return await _cancel(ctx, live[0])


async def _cancel(ctx: Context, conversation: Conversation) -> list[Effect]:
    await ctx.session.delete(conversation)
    current = await QuizResults(ctx.session, ctx.team).current(ctx.member)
    kept = (
        f" Your result from {_day(ctx, current)} "
        f"({_title(content_of(ctx), current.result)}) still stands."
        if current is not None
        else ""
    )
    text = f"Quiz cancelled — nothing was saved.{kept}"
    blocks = (Text(text), Buttons((Button("Take the quiz", START),)))
    return [_show(ctx, Message(text, blocks))]
