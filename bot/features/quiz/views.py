"""What the quiz looks like: question, result and setup messages, built from content.

Pure functions of their arguments, so they are easy to test and any instance renders the
same message for the same state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.features.quiz.content import Content
from bot.features.quiz.content.schema import ResultKind, Tip
from bot.features.quiz.scoring import Choice, Verdict, is_exhausted, score_quiz
from bot.kernel.ui import Block, Button, Buttons, Divider, Message, Text, action_id

__all__ = [
    "ANSWER",
    "BACK",
    "CANCEL",
    "HOURS",
    "LOGOFF",
    "LOGOFF_FORM",
    "LOGOFF_OTHER",
    "RESTART",
    "RESUME",
    "SETUP",
    "START",
    "choices_for",
    "gauge",
    "question_message",
    "result_message",
    "verdict_for",
]

ANSWER = "quiz:answer"  # value: <session>.<step>.<answer id>
BACK = "quiz:back"  # value: <session>.<step>
CANCEL = "quiz:cancel"  # value: <session>
RESUME = "quiz:resume"  # value: <session>
RESTART = "quiz:restart"  # value: <session>
START = "quiz:start"
SETUP = "quiz:setup"  # value: <result id>
LOGOFF = "quiz:logoff"  # value: <result id>.<HHMM>
HOURS = "quiz:hours"  # value: <result id>.<hours>
LOGOFF_OTHER = "quiz:logoff_other"  # value: <result id>; opens the form below
LOGOFF_FORM = "quiz:logoff_form"  # form id value: <result id>

GAUGE_WIDTH = 15


def question_message(
    content: Content, *, session: str, step: int, chosen: str | None = None, lead: str = ""
) -> Message:
    """Question ``step`` (0-based) with its answers, progress, Back and Cancel.

    ``chosen`` marks the answer given earlier (after Back) so people see what they said.
    """
    questions = content.questions
    question = questions[step]
    progress = f"{step + 1}/{len(questions)}"
    blocks: list[Block] = []
    if lead:
        blocks.append(Text(lead))
    if step == 0 and not chosen:
        blocks.append(Text(f"*{content.quiz.title}*\n{content.quiz.intro}"))
    blocks.append(Text(f"*{progress}* · {question.text}"))
    blocks.append(
        Buttons(
            tuple(
                Button(
                    f"✓ {a.label}" if a.id == chosen else a.label,
                    ANSWER,
                    f"{session}.{step}.{a.id}",
                    "primary" if a.id == chosen else "default",
                )
                for a in question.answers
            )
        )
    )
    controls = [Button("Cancel", CANCEL, session)]
    if step > 0:
        controls.insert(0, Button("Back", BACK, f"{session}.{step}"))
    blocks.append(Buttons(tuple(controls)))
    return Message(f"Quiz {progress}: {question.text}", tuple(blocks))


def choices_for(content: Content, answers: Mapping[str, str]) -> list[Choice]:
    """The scoring view of an answer sheet (question id → answer id), in question order.
    Questions without a (known) answer are left out."""
    choices: list[Choice] = []
    for question in content.questions:
        answer = content.answer(question, answers.get(question.id, ""))
        if answer is not None:
            choices.append(
                Choice(question.id, answer.id, answer.score, frozenset(answer.flags), answer.why)
            )
    return choices


def verdict_for(content: Content, answers: Mapping[str, str]) -> Verdict:
    thresholds = content.quiz.thresholds
    return score_quiz(
        choices_for(content, answers),
        balance_at_most=thresholds.balance_at_most,
        integration_at_least=thresholds.integration_at_least,
    )


def gauge(content: Content, total: int) -> str:
    """A crossfader showing where the total sits between balance and integration."""
    low, high = content.total_range
    span = max(high - low, 1)
    position = round((min(max(total, low), high) - low) / span * (GAUGE_WIDTH - 1))
    track = "".join("●" if i == position else "━" for i in range(GAUGE_WIDTH))
    return f"`Balance {track} Integration`"


def _tip_text(tip: Tip) -> str:
    points = "\n".join(f"• {p}" for p in tip.points)
    return f"*{tip.title}* — {tip.summary}\n{points}"


def result_message(
    content: Content,
    verdict: Verdict,
    *,
    result_id: int,
    k: int,
    lead: str = "",
    support_link: str | None = None,
) -> Message:
    """The result with its why, the hard-rule warnings, the tips and one setup button."""
    kind: ResultKind = verdict.result
    text = content.quiz.results[kind]
    blocks: list[Block] = []
    if lead:
        blocks.append(Text(lead))
    # What matters most comes first: rest when the answers show exhaustion, then the hard
    # rules (integration is not for people who can't switch off), then the approach.
    if is_exhausted(verdict.flags):
        blocks.append(Text(recovery_text(support_link)))
    for flag in verdict.warnings:
        blocks.append(Text(f"⚠️ {content.quiz.warnings[flag]}"))
    blocks.append(Text(f"*Your result: {text.title}*\n{gauge(content, verdict.total)}"))
    blocks.append(Text(text.summary))
    if verdict.reasons:
        why = "\n".join(f"• {c.why}" for c in verdict.reasons)
        blocks.append(Text(f"*Why*\n{why}"))
    tips = content.tips_for(result=kind, flags=verdict.flags)
    if tips:
        blocks.append(Divider())
        blocks.append(Text("*Tips for you*"))
        blocks.extend(Text(_tip_text(tip)) for tip in tips)
    blocks.append(Divider())
    blocks.append(
        Buttons(
            (
                Button(text.setup_label, SETUP, str(result_id), "primary"),
                Button("Retake the quiz", START),
            )
        )
    )
    blocks.append(
        Text(
            "_Only you can see this. Your team sees only how many people got each result, and "
            f"only once at least {k} have taken the quiz._"
        )
    )
    return Message(f"Your quiz result: {text.title}", tuple(blocks))


def recovery_text(support_link: str | None) -> str:
    """Said first to someone whose answers show exhaustion."""
    text = (
        "*First, rest.* Your answers say you're worn out and have had hardly any time to "
        "recover. That comes before any way of working: keep your evenings and weekends free, "
        "sleep, and tell someone you trust how it's going."
    )
    if support_link:
        text += f" Support your team offers: {support_link}"
    return text


def setup_time_message(result_id: int, *, default: str, hard_stop: bool) -> Message:
    """Balance and Crossfade: pick the daily log-off (or hard-stop) time."""
    times = ["16:30", "17:00", "17:30", "18:00", "18:30"]
    if default not in times:
        times = [default, *times[:4]]
    what = "hard stop" if hard_stop else "log-off"
    question = f"What time is your daily {what}? I'll remind you then on your workdays."
    buttons = tuple(
        Button(
            t, LOGOFF, f"{result_id}.{t.replace(':', '')}", "primary" if t == default else "default"
        )
        for t in times
    )
    return Message(
        question,
        (
            Text(question),
            Buttons(buttons),
            Buttons((Button("Another time…", LOGOFF_OTHER, str(result_id)),)),
            Text("_Or type `/crossfade logoff HH:MM` any time._"),
        ),
    )


def setup_hours_message(result_id: int) -> Message:
    """Integration: how many hours make a full day."""
    question = (
        "How many hours make a full workday for you? After `/crossfade start`, I'll remind "
        "you when they're up — however the day was spread out."
    )
    buttons = tuple(Button(f"{h} hours", HOURS, f"{result_id}.{h}") for h in (6, 7, 8, 9, 10))
    return Message(question, (Text(question), Buttons(buttons)))


def form_id(result_id: int) -> str:
    return action_id(LOGOFF_FORM, str(result_id))


def history_lines(rows: Sequence[tuple[str, str, bool]]) -> str:
    """``(date, title, current)`` rows as bullet lines."""
    return "\n".join(
        f"• {day} — {title}{' (current)' if current else ''}" for day, title, current in rows
    )
