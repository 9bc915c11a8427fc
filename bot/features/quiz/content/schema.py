"""The shapes of the quiz's content files (pydantic models), checked field by field at load.

Cross-references (flags named by answers and tips, unique ids, reachable results) are checked
in :mod:`bot.features.quiz.content.checks`, which can point at the exact place in the file.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "RESULT_KINDS",
    "Answer",
    "Question",
    "QuizFile",
    "ResultKind",
    "ResultText",
    "Thresholds",
    "Tip",
    "TipsFile",
]

ResultKind = Literal["balance", "integration", "crossfade"]
RESULT_KINDS: tuple[ResultKind, ...] = ("balance", "crossfade", "integration")

# Ids travel inside button values (``quiz:answer|<session>.<step>.<answer>``), so they are
# short and made of characters every platform keeps as they are.
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,23}$")]
# Slack caps button text at 75 characters, Discord at 80; answers leave room for the "✓ "
# that marks an earlier choice after Back.
ButtonLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=75)]
AnswerLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=72)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1500)]


class _Strict(BaseModel):
    # A misspelt key ("flgas") is an error, not something silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Answer(_Strict):
    """One button. ``score`` moves the result: negative toward balance, positive toward
    integration. ``why`` is the sentence shown when this answer helped decide the result."""

    id: Ident
    label: AnswerLabel
    score: int = Field(ge=-3, le=3)
    flags: tuple[Ident, ...] = ()
    why: Sentence


class Question(_Strict):
    id: Ident
    text: Sentence
    answers: tuple[Answer, ...] = Field(min_length=2, max_length=5)


class Thresholds(_Strict):
    """A total at or below ``balance_at_most`` is Balance; at or above ``integration_at_least``
    is Integration; anything between is Crossfade."""

    balance_at_most: int
    integration_at_least: int


class ResultText(_Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    summary: LongText
    setup_label: ButtonLabel


class QuizFile(_Strict):
    """``quiz.yaml``."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    intro: LongText
    flags: dict[Ident, Sentence] = Field(min_length=1)
    warnings: dict[Ident, LongText] = {}
    thresholds: Thresholds
    results: dict[ResultKind, ResultText]
    questions: tuple[Question, ...] = Field(min_length=8, max_length=12)


class Tip(_Strict):
    """Advice shown with a result when one of ``flags`` was raised or the result is one of
    ``results``; other features (check-in nudges) look tips up by ``id``."""

    id: Ident
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    summary: Sentence
    points: tuple[Sentence, ...] = Field(min_length=1, max_length=6)
    flags: tuple[Ident, ...] = ()
    results: tuple[ResultKind, ...] = ()


class TipsFile(_Strict):
    """``tips.yaml``."""

    tips: tuple[Tip, ...] = Field(min_length=1)
