"""``quiz``: balance or integration? One question at a time, with Back and Cancel.

The quiz in progress is a conversation (:mod:`bot.features.quiz.session`): its buttons carry
the session id and the question, and each handler below returns the next question, the end,
or the same question again; presses that no longer belong are answered in one place.
Finishing saves a ``QuizResult`` (the previous one stays as history) and shows the result
with its why, the tips for its flags and one button that sets the bot up to match
(:mod:`bot.features.quiz.setup`).
"""

from __future__ import annotations

from dataclasses import replace

from bot.features.quiz import setup as _setup  # noqa: F401  (registers the set-up buttons)
from bot.features.quiz.content import Content
from bot.features.quiz.flow import flow
from bot.features.quiz.models import QuizResult
from bot.features.quiz.scoring import Verdict, warnings_for
from bot.features.quiz.session import (
    QuizState,
    content_of,
    conversation,
    day_of,
    question_again,
    show,
)
from bot.features.quiz.store import QuizResults
from bot.features.quiz.team_view import result_changed, team_k
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
from bot.kernel.arguments import Word
from bot.kernel.context import Context
from bot.kernel.conversation import MOVED_ON, End, Live, Next, Outcome, Press, Stay
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Button, Buttons, Message, Text

__all__ = ["flow", "stored_verdict"]

CHANGED = "The quiz has changed since you started it, so it starts again from the top."


async def _begin(ctx: Context, *, lead: str = "") -> Message:
    """Start a new quiz session (replacing one in progress: its buttons go stale)."""
    content = content_of(ctx)
    live = await conversation.start(ctx, QuizState(step=0, answers={}, fp=content.fingerprint))
    current = await ctx.store(QuizResults).current(ctx.member)
    if current is not None and not lead:
        lead = (
            f"You took the quiz on {day_of(ctx, current)} ({content.title(current.result)}). "
            "Finishing it again replaces that result; Cancel keeps it."
        )
    return question_message(content, session=live.session, step=0, lead=lead)


async def _start_or_offer(ctx: Context) -> list[Effect]:
    """A new quiz, or — when one is in progress — the choice to continue or start over."""
    loaded = await conversation.load(ctx)
    live = loaded.live
    if live is None:
        return [Reply(await _begin(ctx, lead=CHANGED if loaded.kept else ""))]
    step, total = live.state.step, len(content_of(ctx).questions)
    text = (
        f"You're partway through the quiz (question {step + 1}/{total}). Continue where "
        "you left off, or start over?"
    )
    buttons = (
        Button("Continue", RESUME, live.session, "primary"),
        Button("Start over", RESTART, live.session),
        Button("Cancel", CANCEL, live.session),
    )
    return [Reply(Message(text, (Text(text), Buttons(buttons))))]


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
        return await _cancel_typed(ctx)
    if cmd.said("restart"):
        return [Reply(await _begin(ctx))]
    if cmd.said("result"):
        return await _show_result(ctx)
    if cmd.said("history"):
        return await _history(ctx)
    return await _start_or_offer(ctx)  # `quiz` alone, or `quiz start`


async def _show_result(ctx: Context) -> list[Effect]:
    row = await ctx.store(QuizResults).current(ctx.member)
    if row is None:
        raise UserError("You haven't taken the quiz yet. `/crossfade quiz` starts it.")
    content = content_of(ctx)
    verdict, lead = stored_verdict(content, row)
    lead = f"Your result from {day_of(ctx, row)}. {lead}".strip()
    message = result_message(
        content,
        verdict,
        result_id=row.id,
        k=team_k(ctx.team),
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
    rows = await ctx.store(QuizResults).history(ctx.member)
    if not rows:
        raise UserError("You haven't taken the quiz yet. `/crossfade quiz` starts it.")
    content = content_of(ctx)
    lines = history_lines([(day_of(ctx, r), content.title(r.result), r.is_current) for r in rows])
    text = f"*Your quiz results* (newest first, only you can see them)\n{lines}"
    return [Reply(Message("Your quiz results", (Text(text),)))]


async def _cancel_typed(ctx: Context) -> list[Effect]:
    if not (await conversation.load(ctx)).kept:
        raise UserError("You have no quiz in progress. `/crossfade quiz` starts one.")
    await conversation.end(ctx)
    return await _cancelled(ctx)


async def _cancelled(ctx: Context) -> list[Effect]:
    current = await ctx.store(QuizResults).current(ctx.member)
    kept = (
        f" Your result from {day_of(ctx, current)} "
        f"({content_of(ctx).title(current.result)}) still stands."
        if current is not None
        else ""
    )
    text = f"Quiz cancelled — nothing was saved.{kept}"
    blocks = (Text(text), Buttons((Button("Take the quiz", START),)))
    return [show(ctx, Message(text, blocks))]


# --- buttons ---------------------------------------------------------------------------


@flow.action(START)
async def start(ctx: Context, value: str) -> list[Effect]:
    return await _start_or_offer(ctx)


@conversation.action(RESUME)
async def resume(ctx: Context, live: Live[QuizState], press: Press) -> Outcome[QuizState]:
    return Stay([show(ctx, question_again(content_of(ctx), live.session, live.state))])


@conversation.action(RESTART)
async def restart(ctx: Context, live: Live[QuizState], press: Press) -> Outcome[QuizState]:
    return Stay([show(ctx, await _begin(ctx))])


@conversation.action(CANCEL)
async def cancel(ctx: Context, live: Live[QuizState], press: Press) -> Outcome[QuizState]:
    return End(await _cancelled(ctx))


@conversation.action(ANSWER, step=True, arg=True)  # value: <session>.<step>.<answer id>
async def answer(ctx: Context, live: Live[QuizState], press: Press) -> Outcome[QuizState]:
    content = content_of(ctx)
    state = live.state
    if press.step != state.step:
        return _answer_out_of_step(ctx, content, live, press)
    question = content.questions[state.step]
    chosen = content.answer(question, press.arg)
    if chosen is None:
        return MOVED_ON
    answers = {**state.answers, question.id: chosen.id}
    if state.step + 1 < len(content.questions):
        state = replace(state, step=state.step + 1, answers=answers)
        return Next(state, [show(ctx, question_again(content, live.session, state))])
    return End(await _finish(ctx, session=live.session, answers=answers))


def _answer_out_of_step(
    ctx: Context, content: Content, live: Live[QuizState], press: Press
) -> Outcome[QuizState]:
    """An answer from another question than the one shown now."""
    current = live.state.step
    earlier = content.questions[press.step] if press.step < current else None
    if earlier is not None and live.state.answers.get(earlier.id) == press.arg:
        # The same answer pressed twice (a double click): already counted.
        return Stay([show(ctx, question_again(content, live.session, live.state))])
    lead = (
        f"That button is from question {press.step + 1}; you're on question {current + 1} now. "
        "Use Back to change an earlier answer."
    )
    return Stay([Reply(question_again(content, live.session, live.state, lead=lead))])


async def _finish(ctx: Context, *, session: str, answers: dict[str, str]) -> list[Effect]:
    """Save the result (the conversation then ends: a versioned delete, so if another
    instance finished the same quiz a moment ago, this transaction retries and the retry
    answers "moved on")."""
    content = content_of(ctx)
    sheet = {q.id: answers[q.id] for q in content.questions if q.id in answers}
    verdict = verdict_for(content, sheet)
    row = await ctx.store(QuizResults).record(
        ctx.member,
        session=session,
        result=verdict.result,
        score=verdict.total,
        flags=verdict.flags,
        answers=sheet,
        at=ctx.now,
    )
    await result_changed(ctx)
    message = result_message(
        content,
        verdict,
        result_id=row.id,
        k=team_k(ctx.team),
        support_link=ctx.team.support_link,
    )
    return [show(ctx, message)]


@conversation.action(BACK, step=True)  # value: <session>.<step>
async def back(ctx: Context, live: Live[QuizState], press: Press) -> Outcome[QuizState]:
    content = content_of(ctx)
    state = live.state
    if press.step != state.step:
        if press.step == state.step + 1:
            # Back pressed twice on the same question: it already went back once.
            return Stay([show(ctx, question_again(content, live.session, state))])
        lead = (
            f"That button is from question {press.step + 1}; you're on question {state.step + 1}."
        )
        return Stay([Reply(question_again(content, live.session, state, lead=lead))])
    if state.step == 0:
        return Stay([show(ctx, question_again(content, live.session, state))])
    state = replace(state, step=state.step - 1)
    return Next(state, [show(ctx, question_again(content, live.session, state))])
