"""The pure rules: validation, the one-line parser, deadlines, k, percentages, voter keys,
trends. Properties with hypothesis where the logic allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.anonymity import MIN_K, effective_k
from bot.domain.parsing import InputError
from bot.domain.text import look_alike_key, strip_invisible
from bot.features.pulse.anonymity import answers_needed, needed_sentence, new_secret, voter_key
from bot.features.pulse.spec import (
    build_spec,
    parse_ask,
    parse_deadline,
    parse_options,
    validate_deadline,
)
from bot.features.pulse.tally import Tally, percent_texts, percentages
from bot.features.pulse.trends import WeekResult, trend_rows

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
BERLIN = ZoneInfo("Europe/Berlin")


# --- percentages ------------------------------------------------------------------------------


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=10))
def test_percentages_are_fair_to_equal_and_different_counts(counts: list[int]) -> None:
    result = percentages(counts)
    total = sum(counts)
    if total == 0:
        assert result == [0] * len(counts)
        return
    for count, pct in zip(counts, result, strict=True):
        assert abs(pct - count * 100 / total) <= 0.5
        if count == 0:
            assert pct == 0
    for a, pa in zip(counts, result, strict=True):
        for b, pb in zip(counts, result, strict=True):
            if a == b:
                assert pa == pb  # equal counts, equal percentages
            if a > b:
                assert pa >= pb


def test_percentages_examples() -> None:
    assert percentages([1, 1, 1]) == [33, 33, 33]
    assert percent_texts([1, 1, 1]) == ["33%", "33%", "33%"]
    assert percentages([2, 1]) == [67, 33]
    assert percentages([3, 1]) == [75, 25]
    # Whole numbers would show 200 and 201 as 50% each: one decimal tells them apart.
    assert percent_texts([200, 201]) == ["49.9%", "50.1%"]


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=5, max_size=5))
def test_a_scale_mean_lies_between_1_and_5(counts: list[int]) -> None:
    tally = Tally(("1", "2", "3", "4", "5"), tuple(counts))
    mean = tally.mean()
    if sum(counts) == 0:
        assert mean is None
    else:
        assert mean is not None and 1 <= mean <= 5


def test_tally_lines_and_refusals() -> None:
    assert Tally(("Yes", "No"), (3, 1)).lines() == ["Yes — 3 (75%)", "No — 1 (25%)"]
    with pytest.raises(ValueError):
        Tally(("Yes", "No"), (1,))
    with pytest.raises(ValueError):
        Tally(("Yes",), (-1,))


# --- k -----------------------------------------------------------------------------------------


@given(st.integers(min_value=-5, max_value=50), st.integers(min_value=-5, max_value=50))
def test_k_is_never_below_three_and_never_below_either_threshold(a: int, b: int) -> None:
    k = effective_k(a, b)
    assert k >= MIN_K and k >= a and k >= b


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100))
def test_answers_needed_is_what_is_missing_to_k(responses: int, k: int) -> None:
    needed = answers_needed(responses, k)
    assert needed >= 0
    assert (needed == 0) == (responses >= effective_k(k))
    if needed:
        assert responses + needed == effective_k(k)


def test_needed_sentence_grammar() -> None:
    assert needed_sentence(4, 5) == "1 more answer was needed"
    assert needed_sentence(2, 5) == "3 more answers were needed"
    assert needed_sentence(1, 1) == "2 more answers were needed"  # k is at least 3


# --- voter keys --------------------------------------------------------------------------------


def test_voter_keys_differ_per_poll_team_user_and_secret() -> None:
    secret = new_secret()
    base = voter_key(secret, team_id=1, poll_id=1, user_id="U1")
    assert len(base) == 64 and base == voter_key(secret, team_id=1, poll_id=1, user_id="U1")
    assert base != voter_key(secret, team_id=1, poll_id=2, user_id="U1")
    assert base != voter_key(secret, team_id=2, poll_id=1, user_id="U1")
    assert base != voter_key(secret, team_id=1, poll_id=1, user_id="U2")
    assert base != voter_key(new_secret(), team_id=1, poll_id=1, user_id="U1")
    assert "U1" not in base
    # the separator keeps (1, 12, "3") and (11, 2, "3") apart
    assert voter_key(secret, team_id=1, poll_id=12, user_id="3") != voter_key(
        secret, team_id=11, poll_id=2, user_id="3"
    )


# --- questions and options ----------------------------------------------------------------------


@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_characters=",\x00", blacklist_categories=("Cs",)),
            min_size=1,
            max_size=20,
        )
        # Invisible characters are stripped and look-alikes refused (see bot.domain.text).
        .filter(lambda s: s.strip() and " ".join(s.split()) == s and strip_invisible(s) == s),
        min_size=2,
        max_size=10,
        unique_by=look_alike_key,
    )
)
def test_comma_separated_options_round_trip(options: list[str]) -> None:
    parsed = parse_options(", ".join(options))
    assert parsed == tuple(options)
    assert build_spec("Q?", "options", parsed).options == tuple(options)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["Pizza,", "Sushi,", "Fish", "and", "chips"], ("Pizza", "Sushi", "Fish and chips")),
        (["Pizza", "Sushi", "Fish and chips"], ("Pizza", "Sushi", "Fish and chips")),
        (["a,b,c"], ("a", "b", "c")),
        (["Far too much, About right"], ("Far too much", "About right")),
    ],
)
def test_options_from_words(tokens: list[str], expected: tuple[str, ...]) -> None:
    assert parse_options(tokens) == expected


def test_question_whitespace_is_folded_and_limits_hold() -> None:
    assert build_spec("  How   was\tit? ", "yesno").question == "How was it?"
    with pytest.raises(InputError, match="300"):
        build_spec("x" * 301, "yesno")
    assert build_spec("x" * 300, "yesno").question == "x" * 300
    with pytest.raises(InputError, match="75"):
        build_spec("Q?", "options", ("a" * 76, "b"))
    with pytest.raises(InputError, match="at most 10"):
        build_spec("Q?", "options", tuple(str(i) for i in range(11)))
    assert len(build_spec("Q?", "options", tuple(str(i) for i in range(10))).options) == 10


@pytest.mark.parametrize(
    ("tokens", "quoted", "question", "kind", "options", "closes"),
    [
        (["Q?"], True, "Q?", "scale", (), ""),
        (["Q?", "yesno", "closes", "2d"], True, "Q?", "yesno", (), "2d"),
        (
            ["Q?", "options", "a,b", "closes", "fri", "15:00"],
            True,
            "Q?",
            "options",
            ("a", "b"),
            "fri 15:00",
        ),
        (["How", "are", "you?", "scale"], False, "How are you?", "scale", (), ""),
        (["Is", "the", "scale", "ok?", "yesno"], False, "Is the scale ok?", "yesno", (), ""),
        (["Closes", "soon?", "yesno"], False, "Closes soon?", "yesno", (), ""),
    ],
)
def test_parse_ask(
    tokens: list[str],
    quoted: bool,
    question: str,
    kind: str,
    options: tuple[str, ...],
    closes: str,
) -> None:
    request = parse_ask(tokens, quoted=quoted)
    assert (request.question, request.kind, request.options, request.closes) == (
        question,
        kind,
        options,
        closes,
    )


# --- deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", NOW + timedelta(days=2)),
        ("in 36h", NOW + timedelta(hours=36)),
        ("90m", NOW + timedelta(minutes=90)),
        ("1d12h", NOW + timedelta(days=1, hours=12)),
        ("fri 15:00", datetime(2026, 3, 6, 14, 0, tzinfo=UTC)),  # CET, UTC+1
        ("friday", datetime(2026, 3, 6, 16, 0, tzinfo=UTC)),  # the default 17:00 local
        ("mon", datetime(2026, 3, 9, 16, 0, tzinfo=UTC)),  # "mon" on a Monday: next week
        ("tomorrow 9:30", datetime(2026, 3, 3, 8, 30, tzinfo=UTC)),
        ("today 18:00", datetime(2026, 3, 2, 17, 0, tzinfo=UTC)),
        ("2026-03-31 12:00", datetime(2026, 3, 31, 10, 0, tzinfo=UTC)),  # CEST by then
        ("", NOW + timedelta(days=2)),
    ],
)
def test_deadlines(text: str, expected: datetime) -> None:
    assert parse_deadline(text, now=NOW, zone=BERLIN) == expected


@pytest.mark.parametrize("text", ["whenever", "2026-02-30", "fri 25:00", "soonish 3"])
def test_unreadable_deadlines(text: str) -> None:
    with pytest.raises(InputError):
        parse_deadline(text, now=NOW, zone=BERLIN)


@given(st.integers(min_value=-10_000, max_value=60 * 24 * 40))
def test_deadline_window_is_five_minutes_to_thirty_days(minutes: int) -> None:
    closes = NOW + timedelta(minutes=minutes)
    if 5 <= minutes <= 30 * 24 * 60:
        assert validate_deadline(closes, now=NOW) == closes
    else:
        with pytest.raises(InputError):
            validate_deadline(closes, now=NOW)


# --- trends ------------------------------------------------------------------------------------


def _week(day: int, counts: tuple[int, ...], *, shown: bool = True) -> WeekResult:
    return WeekResult(
        template="workload",
        question="Is your workload sustainable?",
        kind="scale",
        asked_at=datetime(2026, 3, day, 15, 0, tzinfo=UTC),
        tally=Tally(("1", "2", "3", "4", "5"), counts),
        shown=shown,
    )


def test_trend_hides_weeks_below_k_and_never_merges_them() -> None:
    rows = trend_rows(
        [
            _week(6, (0, 1, 2, 2, 0)),
            _week(13, (1, 2, 0, 0, 0), shown=False),
            _week(20, (2, 3, 1, 0, 0)),
            _week(21, (9, 0, 0, 0, 0), shown=False),  # same week as the 20th, below k
        ],
        zone=ZoneInfo("UTC"),
    )
    (row,) = rows
    assert [p.week.isoformat() for p in row.points] == ["2026-03-02", "2026-03-16"]
    assert [p.answers for p in row.points] == [5, 6]  # the hidden poll of the 21st is not added
    assert row.hidden == 1
    assert row.points[0].text == "3.2 of 5"
    assert row.change == "Down 1.4 since the week of 2 Mar."


@given(
    st.lists(
        st.tuples(st.integers(min_value=2, max_value=27), st.booleans(), st.integers(0, 20)),
        max_size=12,
    )
)
def test_trend_points_only_ever_come_from_polls_that_reached_k(
    weeks: list[tuple[int, bool, int]],
) -> None:
    results = [_week(day, (n, 0, 0, 0, 0), shown=shown) for day, shown, n in weeks]
    shown_total = sum(n for _, shown, n in weeks if shown)
    rows = trend_rows(results, zone=ZoneInfo("UTC"))
    assert sum(p.answers for row in rows for p in row.points) == shown_total
