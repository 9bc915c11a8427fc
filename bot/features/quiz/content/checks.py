"""Checks that span fields or files: unique ids, declared flags, hard-rule flags present,
every result reachable and covered by a tip. Each problem points at its line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bot.content.errors import Problem
from bot.content.yamlfile import ParsedFile
from bot.features.quiz.content.schema import RESULT_KINDS, QuizFile, TipsFile
from bot.features.quiz.scoring import HARD_RULE_FLAGS, result_for_total

__all__ = ["check_quiz", "check_tips", "reachable_totals"]


def reachable_totals(quiz: QuizFile) -> set[int]:
    """Every total a full answer sheet can reach (a small dynamic programme)."""
    totals = {0}
    for question in quiz.questions:
        totals = {t + a.score for t in totals for a in question.answers}
    return totals


def _duplicates(ids: Iterable[str]) -> dict[str, int]:
    """id → index of its second appearance."""
    seen: set[str] = set()
    found: dict[str, int] = {}
    for index, item in enumerate(ids):
        if item in seen and item not in found:
            found[item] = index
        seen.add(item)
    return found


def check_quiz(quiz: QuizFile, parsed: ParsedFile) -> list[Problem]:
    problems = [
        *_ids_and_flags(quiz, parsed),
        *_warnings(quiz, parsed),
        *_hard_rules(quiz, parsed),
        *(
            parsed.problem(("results",), f"the result `{kind}` has no text")
            for kind in RESULT_KINDS
            if kind not in quiz.results
        ),
    ]
    # Reachability is worth computing only on a file that is otherwise sound.
    return [*problems, *_thresholds(quiz, parsed, sound=not problems)]


def _ids_and_flags(quiz: QuizFile, parsed: ParsedFile) -> Iterator[Problem]:
    """Question and answer ids are unique; every flag an answer raises is declared."""
    for qid, index in _duplicates(q.id for q in quiz.questions).items():
        yield parsed.problem(("questions", index, "id"), f"the question id `{qid}` is used twice")
    for qi, question in enumerate(quiz.questions):
        for aid, index in _duplicates(a.id for a in question.answers).items():
            yield parsed.problem(
                ("questions", qi, "answers", index, "id"),
                f"the answer id `{aid}` is used twice in this question",
            )
        for ai, answer in enumerate(question.answers):
            for fi, flag in enumerate(answer.flags):
                if flag not in quiz.flags:
                    yield parsed.problem(
                        ("questions", qi, "answers", ai, "flags", fi),
                        f"the flag `{flag}` is not declared under `flags:` "
                        f"(declared: {', '.join(sorted(quiz.flags))})",
                    )


def _warnings(quiz: QuizFile, parsed: ParsedFile) -> Iterator[Problem]:
    for flag in quiz.warnings:
        if flag not in quiz.flags:
            yield parsed.problem(
                ("warnings", flag), f"a warning for `{flag}`, which is not a declared flag"
            )


def _hard_rules(quiz: QuizFile, parsed: ParsedFile) -> Iterator[Problem]:
    """The flags the scoring's hard rules depend on are declared, raised and explained."""
    raised = {flag for q in quiz.questions for a in q.answers for flag in a.flags}
    for flag in HARD_RULE_FLAGS:
        if flag not in quiz.flags:
            yield parsed.problem(
                ("flags",), f"the flag `{flag}` must be declared: a hard rule depends on it"
            )
        elif flag not in raised:
            yield parsed.problem(
                ("questions",),
                f"no answer raises the flag `{flag}`, so its hard rule could never apply",
            )
        if flag not in quiz.warnings:
            yield parsed.problem(
                ("warnings",), f"a warning text for `{flag}` is required (a hard rule shows it)"
            )


def _thresholds(quiz: QuizFile, parsed: ParsedFile, *, sound: bool) -> Iterator[Problem]:
    """Crossfade lies between the thresholds, and every result can be reached."""
    low, high = quiz.thresholds.balance_at_most, quiz.thresholds.integration_at_least
    if high - low < 2:
        yield parsed.problem(
            ("thresholds",),
            "integration_at_least must be at least 2 above balance_at_most, or no total "
            "could give Crossfade",
        )
        return
    if not sound:
        return
    totals = reachable_totals(quiz)
    reached = {result_for_total(t, balance_at_most=low, integration_at_least=high) for t in totals}
    for kind in RESULT_KINDS:
        if kind not in reached:
            yield parsed.problem(
                ("thresholds",),
                f"no answer sheet can reach {kind.title()}: totals run from "
                f"{min(totals)} to {max(totals)}",
            )


def check_tips(tips: TipsFile, parsed: ParsedFile, *, quiz: QuizFile) -> list[Problem]:
    problems: list[Problem] = []
    for tid, index in _duplicates(t.id for t in tips.tips).items():
        problems.append(parsed.problem(("tips", index, "id"), f"the tip id `{tid}` is used twice"))
    for ti, tip in enumerate(tips.tips):
        if not tip.flags and not tip.results:
            problems.append(
                parsed.problem(
                    ("tips", ti),
                    "this tip lists no `flags` and no `results`, so it would never be shown",
                )
            )
        for fi, flag in enumerate(tip.flags):
            if flag not in quiz.flags:
                problems.append(
                    parsed.problem(
                        ("tips", ti, "flags", fi),
                        f"the flag `{flag}` is not declared in the quiz file's `flags:`",
                    )
                )
    covered = {kind for tip in tips.tips for kind in tip.results}
    for kind in RESULT_KINDS:
        if kind not in covered:
            problems.append(
                parsed.problem(
                    ("tips",), f"no tip lists `{kind}` under `results`, so that result has no tips"
                )
            )
    return problems
