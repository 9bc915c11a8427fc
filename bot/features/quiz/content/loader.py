"""Loading the quiz's content files (questions and results, tips), validated at load.

Each file is looked up in ``CROSSFADE_CONTENT_DIR`` first (a team's edited or translated
copy) and falls back to the built-in one beside this module. Anything wrong raises
:class:`~bot.content.ContentError` naming the file, the line, the place and the problem.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.content.errors import ContentError
from bot.content.loader import require_directory, resolve_file
from bot.content.yamlfile import parse_yaml, read_model
from bot.features.quiz.content.checks import check_quiz, check_tips, reachable_totals
from bot.features.quiz.content.schema import Answer, Question, QuizFile, ResultKind, Tip, TipsFile

__all__ = ["BUILTIN_DIR", "QUIZ_FILE", "TIPS_FILE", "Content", "get_content", "load_content"]

BUILTIN_DIR = Path(__file__).parent
QUIZ_FILE = "quiz.yaml"
TIPS_FILE = "tips.yaml"


@dataclass(frozen=True)
class Content:
    """The validated quiz and tips, with the look-ups the flows need."""

    quiz: QuizFile
    tips: tuple[Tip, ...]
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.quiz.questions

    def answer(self, question: Question, answer_id: str) -> Answer | None:
        return next((a for a in question.answers if a.id == answer_id), None)

    def tip(self, tip_id: str) -> Tip | None:
        """A tip by id (check-in nudges use ``know_your_limits``, ``prioritize_self_care`` …)."""
        return next((t for t in self.tips if t.id == tip_id), None)

    def title(self, result: str) -> str:
        """The title of a result (``Balance``), as the content words it."""
        text = self.quiz.results.get(result)  # type: ignore[call-overload]
        return text.title if text is not None else result.title()

    def tips_for(
        self, *, result: ResultKind, flags: Iterable[str], limit: int = 3
    ) -> tuple[Tip, ...]:
        """The tips that fit a result and its flags, most fitting first: a tip matching
        more of the person's flags beats one that only matches the result; ties keep file
        order. At most ``limit``, so the advice stays short enough to act on."""
        raised = set(flags)
        ranked = sorted(
            (
                (2 * len(raised & set(tip.flags)) + (result in tip.results), index, tip)
                for index, tip in enumerate(self.tips)
            ),
            key=lambda item: (-item[0], item[1]),
        )
        return tuple(tip for weight, _, tip in ranked if weight > 0)[:limit]

    @property
    def total_range(self) -> tuple[int, int]:
        totals = reachable_totals(self.quiz)
        return min(totals), max(totals)

    @property
    def fingerprint(self) -> str:
        """Changes when questions or answers are added, removed or re-ordered, so that a quiz
        in progress started on older content can be detected and restarted."""
        shape = "|".join(f"{q.id}:{','.join(a.id for a in q.answers)}" for q in self.quiz.questions)
        return hashlib.sha256(shape.encode()).hexdigest()[:12]


def load_content(directory: str | Path | None = None) -> Content:
    """Read, validate and cross-check the quiz and tips files.

    Raises :class:`ContentError` whose message names every problem found (file, line,
    place, what is wrong); a directory that does not exist is itself an error, so that a
    typo in ``CROSSFADE_CONTENT_DIR`` is not silently replaced by the built-in files.
    """
    require_directory(directory)
    quiz_path = resolve_file(QUIZ_FILE, directory, builtin=BUILTIN_DIR)
    tips_path = resolve_file(TIPS_FILE, directory, builtin=BUILTIN_DIR)

    quiz_parsed = parse_yaml(quiz_path)
    quiz = read_model(quiz_parsed, QuizFile)
    problems = check_quiz(quiz, quiz_parsed)
    if problems:
        raise ContentError(problems)

    tips_parsed = parse_yaml(tips_path)
    tips = read_model(tips_parsed, TipsFile)
    problems = check_tips(tips, tips_parsed, quiz=quiz)
    if problems:
        raise ContentError(problems)

    return Content(quiz=quiz, tips=tips.tips, files={"quiz": quiz_path, "tips": tips_path})


@lru_cache(maxsize=8)
def _cached(directory: str) -> Content:
    return load_content(directory or None)


def get_content(directory: str | Path | None = None) -> Content:
    """The content for ``directory`` (``""``/``None`` = built-in), loaded once per process.

    Content is configuration, read at start-up; edits take effect on the next start.
    """
    return _cached(str(directory or ""))
