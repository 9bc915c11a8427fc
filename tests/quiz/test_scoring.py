"""Scoring: full answer sheets reach each result; the hard rules hold for every sheet."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from bot.features.quiz.content import Content, load_content
from bot.features.quiz.scoring import (
    CLOCK_IN_ROLE,
    RUMINATES,
    Choice,
    Verdict,
    result_for_total,
    score_quiz,
)
from bot.features.quiz.views import verdict_for
from tests.quiz.support import NEUTRAL

CONTENT = load_content()
TH = CONTENT.quiz.thresholds


def sheet(**answers: str) -> dict[str, str]:
    """A full answer sheet: the given answers, every other question its neutral answer."""
    neutral = dict(NEUTRAL)
    assert set(neutral) == {q.id for q in CONTENT.questions}
    assert set(answers) <= set(neutral), answers
    return {**neutral, **answers}


def all_sheets(content: Content) -> Iterator[tuple[Choice, ...]]:
    per_question = [
        [Choice(q.id, a.id, a.score, frozenset(a.flags), a.why) for a in q.answers]
        for q in content.questions
    ]
    return itertools.product(*per_question)


def score(choices: tuple[Choice, ...]) -> Verdict:
    return score_quiz(
        choices, balance_at_most=TH.balance_at_most, integration_at_least=TH.integration_at_least
    )


# --- each result from a full sheet -----------------------------------------------------


def test_a_nine_to_five_office_worker_gets_balance() -> None:
    verdict = verdict_for(
        CONTENT,
        sheet(
            measured="hours",
            where="workplace",
            schedule="regular",
            rigid="reassuring",
            dinner="leave_it",
        ),
    )
    assert verdict.result == "balance"
    assert verdict.total <= TH.balance_at_most
    # the two or three answers that decided it, in words, most decisive first
    assert 2 <= len(verdict.reasons) <= 3
    assert all(c.score < 0 for c in verdict.reasons)
    assert verdict.reasons[0].why.startswith("Your job is measured by hours")
    assert verdict.warnings == ()  # clock-in role but Balance: nothing to warn about


def test_an_outcome_based_home_worker_with_a_family_gets_integration() -> None:
    verdict = verdict_for(
        CONTENT,
        sheet(
            measured="outcomes",
            where="home",
            daytime="most_days",
            rigid="confining",
            switch_off="easily",
        ),
    )
    assert verdict.result == "integration"
    assert {c.question for c in verdict.reasons} <= {"measured", "daytime", "rigid"}
    assert len(verdict.reasons) == 3
    assert {"outcome_based", "works_from_home", "needs_flexibility"} <= verdict.flags
    assert verdict.warnings == ()


def test_pulls_both_ways_give_crossfade_with_one_reason_each_way() -> None:
    verdict = verdict_for(
        CONTENT, sheet(measured="outcomes", daytime="most_days", schedule="regular")
    )
    assert verdict.result == "crossfade"
    signs = {c.score > 0 for c in verdict.reasons[:2]}
    assert signs == {True, False}


def test_an_all_neutral_sheet_is_crossfade_and_still_explained() -> None:
    verdict = verdict_for(CONTENT, sheet())
    assert verdict.result == "crossfade"
    assert verdict.total == 0
    assert len(verdict.reasons) >= 2


# --- hard rules ------------------------------------------------------------------------


def test_a_clock_in_role_is_never_told_integration_fits() -> None:
    """Every combination of the other nine answers, with the clock-in answer fixed."""
    seen = 0
    capped = 0
    for choices in all_sheets(CONTENT):
        if not any(CLOCK_IN_ROLE in c.flags for c in choices):
            continue
        seen += 1
        verdict = score(choices)
        assert verdict.result != "integration", choices
        if verdict.result != "balance":
            assert CLOCK_IN_ROLE in verdict.warnings, choices
        if verdict.by_total == "integration":
            capped += 1
            assert verdict.capped
            assert CLOCK_IN_ROLE in verdict.reasons[0].flags  # it decided, so it is said first
    assert seen == 3**7 * 4 * 4  # the other nine questions, every combination
    assert capped > 0  # the rule actually had something to override


def test_rumination_always_carries_the_warning() -> None:
    seen = 0
    for choices in all_sheets(CONTENT):
        if not any(RUMINATES in c.flags for c in choices):
            continue
        seen += 1
        verdict = score(choices)
        assert RUMINATES in verdict.warnings, choices
    assert seen > 0


def test_every_result_is_reachable_and_the_total_decides_otherwise() -> None:
    results = set()
    for choices in all_sheets(CONTENT):
        verdict = score(choices)
        results.add(verdict.result)
        assert verdict.total == sum(c.score for c in choices)
        if not verdict.capped:
            assert verdict.result == result_for_total(
                verdict.total,
                balance_at_most=TH.balance_at_most,
                integration_at_least=TH.integration_at_least,
            )
        assert 1 <= len(verdict.reasons) <= 3
    assert results == {"balance", "crossfade", "integration"}


# --- the rules hold whatever a team writes in its content file -------------------------

flag_sets = st.frozensets(st.sampled_from([CLOCK_IN_ROLE, RUMINATES, "side_business", "x"]))
choice = st.builds(
    Choice,
    question=st.text(min_size=1, max_size=3),
    answer=st.text(min_size=1, max_size=3),
    score=st.integers(-3, 3),
    flags=flag_sets,
    why=st.text(max_size=5),
)


@given(
    choices=st.lists(choice, min_size=1, max_size=12),
    low=st.integers(-20, 5),
    gap=st.integers(2, 20),
)
def test_hard_rules_hold_for_any_content_and_any_answers(
    choices: list[Choice], low: int, gap: int
) -> None:
    verdict = score_quiz(choices, balance_at_most=low, integration_at_least=low + gap)
    flags = {f for c in choices for f in c.flags}
    if CLOCK_IN_ROLE in flags:
        assert verdict.result != "integration"
        assert verdict.result == "balance" or CLOCK_IN_ROLE in verdict.warnings
    if RUMINATES in flags:
        assert RUMINATES in verdict.warnings
    assert set(verdict.warnings) <= {CLOCK_IN_ROLE, RUMINATES}
    assert len(verdict.reasons) <= 3
    assert all(r in choices for r in verdict.reasons)
    assert verdict.flags == flags


def test_tips_fit_the_flags_and_stay_short() -> None:
    verdict = verdict_for(CONTENT, sheet(side_work="big", stress="empty", downtime="hardly_any"))
    tips = CONTENT.tips_for(result=verdict.result, flags=verdict.flags)
    ids = [t.id for t in tips]
    assert "know_your_limits" in ids  # a side business on top of a full-time job
    assert "prioritize_self_care" in ids  # running on empty, no downtime
    assert len(tips) <= 3
    # every result has at least one tip even when no flag was raised
    for result in ("balance", "crossfade", "integration"):
        assert CONTENT.tips_for(result=result, flags=())  # type: ignore[arg-type]
