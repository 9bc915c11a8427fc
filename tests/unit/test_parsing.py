from __future__ import annotations

import contextlib
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.parsing import (
    InputError,
    format_clock,
    format_workdays,
    parse_away,
    parse_clock,
    parse_duration,
    parse_quiet,
    parse_workdays,
    workday_set,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:30", time(17, 30)),
        ("9:05", time(9, 5)),
        ("5pm", time(17)),
        ("12am", time(0)),
        ("5:30 PM", time(17, 30)),
        ("17h30", time(17, 30)),
        ("07.15", time(7, 15)),
    ],
)
def test_clock_accepts_common_forms(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "17:60", "13pm", "noon", "", "17", "-1:00", "1:2"])
def test_clock_rejects_with_a_sentence(text: str) -> None:
    with pytest.raises(InputError) as error:
        parse_clock(text)
    assert "17:30" in str(error.value) or "1–12" in str(error.value)


@given(st.integers(0, 23), st.integers(0, 59))
def test_clock_round_trips(hour: int, minute: int) -> None:
    assert parse_clock(format_clock(time(hour, minute))) == time(hour, minute)


@given(st.text(max_size=30))
def test_clock_never_raises_anything_but_input_error(text: str) -> None:
    with contextlib.suppress(InputError):  # anything else propagates and fails the test
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("45s", timedelta(seconds=45)),
        ("1w", timedelta(days=7)),
        ("2 h", timedelta(hours=2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0m", "m", "90", "1x", "h1", "-5m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_duration_maximum() -> None:
    with pytest.raises(InputError, match="at most 30 days"):
        parse_duration("31d", maximum=timedelta(days=30))


@pytest.mark.parametrize(
    ("text", "days", "shown"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}, "Mon–Fri"),
        ("mon,wed,fri", {0, 2, 4}, "Mon, Wed, Fri"),
        ("sun-thu", {6, 0, 1, 2, 3}, "Sun–Thu"),
        ("weekdays", {0, 1, 2, 3, 4}, "Mon–Fri"),
        ("Monday Tuesday", {0, 1}, "Mon, Tue"),
        ("fri-mon", {4, 5, 6, 0}, "Fri–Mon"),
        ("everyday", set(range(7)), "every day"),
    ],
)
def test_workdays(text: str, days: set[int], shown: str) -> None:
    mask = parse_workdays(text)
    assert workday_set(mask) == days
    assert format_workdays(mask) == shown


def test_unknown_day_suggests() -> None:
    with pytest.raises(InputError, match="funday.*sunday"):
        parse_workdays("funday")


@given(st.sets(st.integers(0, 6), min_size=1))
def test_workdays_round_trip_through_the_words_people_type(days: set[int]) -> None:
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    mask = parse_workdays(",".join(names[d] for d in sorted(days)))
    assert workday_set(mask) == days
    shown = format_workdays(mask).replace("–", "-").replace(" ", "").lower()
    if shown != "everyday":
        assert workday_set(parse_workdays(shown)) == days


def test_quiet_hours() -> None:
    assert parse_quiet("20:00-08:00") == (time(20), time(8))
    assert parse_quiet("22:30 to 6:45") == (time(22, 30), time(6, 45))
    with pytest.raises(InputError, match="25:00"):
        parse_quiet("25:00-08:00")
    with pytest.raises(InputError, match="differ"):
        parse_quiet("08:00-08:00")
    with pytest.raises(InputError):
        parse_quiet("evening")


TODAY = date(2026, 3, 2)


def test_away_ranges() -> None:
    assert parse_away("2026-12-20..2027-01-02", today=TODAY) == (
        date(2026, 12, 20),
        date(2027, 1, 2),
    )
    assert parse_away("2026-04-01", today=TODAY) == (date(2026, 4, 1), date(2026, 4, 1))
    with pytest.raises(InputError, match="before the start"):
        parse_away("2026-12-31..2026-01-01", today=TODAY)
    with pytest.raises(InputError, match="at most a year"):
        parse_away("2026-03-01..2027-06-01", today=TODAY)
    with pytest.raises(InputError, match="already past"):
        parse_away("2026-01-01..2026-01-05", today=TODAY)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_away("next week", today=TODAY)
