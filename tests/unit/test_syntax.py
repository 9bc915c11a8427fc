"""The command grammar: each command's usages, declared once, read what people type, answer
bad input in the words of the command typed, and list themselves for help and platforms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bootstrap import build_router
from bot.domain.parsing import InputError
from bot.kernel.arguments import OFF, Opt, Word, clock, integer
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.events import Place
from bot.kernel.grammar import parse_command
from bot.kernel.settings import Settings
from bot.kernel.syntax import Call, Syntax, Usage

ROUTER = build_router()


@dataclass
class Situation:
    """What argument parsers may read of a handler's context."""

    is_admin: bool = False
    local_today: date = date(2026, 3, 2)
    settings: Settings = field(default_factory=Settings)
    place: Place = field(default_factory=lambda: Place.channel("C1", "general"))


def call(text: str, *, admin: bool = False) -> Call:
    line = parse_command(text)
    spec = ROUTER.find_command(line.name)
    assert spec is not None, text
    return spec.syntax.parse(spec.name, line, cast(Context, Situation(is_admin=admin)))


def refusal(text: str, *, admin: bool = False) -> str:
    with pytest.raises(UserError) as caught:
        call(text, admin=admin)
    return str(caught.value)


# --- a small grammar ----------------------------------------------------------------------

MINUTES = integer(1, 120, noun="a number of minutes", example="10")
AT = clock()
STOP = clock()
DEMO = Syntax(
    (
        Usage(AT, Opt(Word("until"), STOP), help="at a time"),
        Usage(OFF, help="off"),
        Usage(Word("headsup"), MINUTES, help="a heads-up"),
        Usage(help="show"),
    )
)


def demo(text: str) -> Call:
    return DEMO.parse("demo", parse_command(f"demo {text}"), cast(Context, Situation()))


def test_usage_lines_come_from_the_declaration() -> None:
    assert DEMO.lines("demo") == (
        ("demo HH:MM [until HH:MM]", "at a time"),
        ("demo off", "off"),
        ("demo headsup N", "a heads-up"),
        ("demo", "show"),
    )


def test_values_arrive_typed() -> None:
    assert demo("17:30").value(AT) == time(17, 30)
    assert demo("5 pm until 18:00").get(STOP) == time(18, 0)  # a time may take two words
    assert demo("headsup 10").value(MINUTES) == 10
    assert demo("").bare and demo("").get(AT) is None


@pytest.mark.parametrize("word", OFF.words)
def test_every_off_word_is_off(word: str) -> None:
    assert demo(word.upper()).said(OFF)


def test_errors_speak_of_the_command_typed() -> None:
    with pytest.raises(UserError, match=r"`demo headsup` needs a number of minutes, e\.g\. `demo"):
        demo("headsup")
    with pytest.raises(UserError, match="“25:00” isn't a time of day"):
        demo("25:00")
    with pytest.raises(UserError, match="I don't know what to do with “now”"):
        demo("headsup 10 now")


# --- the real commands --------------------------------------------------------------------


def test_the_usage_that_names_the_most_words_wins() -> None:
    assert set(call("hours 8 until 18:30").values.values()) == {8.0, time(18, 30)}
    assert call("hours 7h 30m stop 18:00").words == ("until",)
    assert call("hours stop").said(OFF)
    assert call("logoff headsup off").words == ("headsup", "off")
    assert call("checkin at 17:00").words == ("at",)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("quiz take", ("start",)),
        ("quiz retake", ("restart",)),
        ("quiz again", ("restart",)),
        ("quiz new", ("restart",)),
        ("quiz results", ("result",)),
        ("quiz mine", ("result",)),
        ("quiz show", ("result",)),
        ("quiz quit", ("cancel",)),
        ("quiz stop", ("cancel",)),
        ("pulse ls", ("list",)),
        ("pulse show 3", ("results",)),
        ("pulse end 3", ("close",)),
        ("pulse stop 3", ("close",)),
        ("pulse template", ("templates",)),
        ("pulse schedule delete 2", ("schedule", "off")),
        ("logoff wind-down 10", ("headsup",)),
        ("logoff heads-up no", ("headsup", "off")),
        ("logoff on", ("on",)),
        ("workday reset", ("off",)),
        ("workday default", ("off",)),
        ("checkin today", ("now",)),
        ("checkin disable", ("off",)),
        ("me month", ("30",)),
        ("me week", ("7",)),
        ("settings tz UTC", ("timezone",)),
        ("settings eap off", ("support", "off")),
        ("settings norm none", ("policy", "off")),
        ("connect auto on", ("auto",)),
    ],
)
def test_every_word_accepted_before_is_still_accepted(text: str, words: tuple[str, ...]) -> None:
    assert call(text, admin=True).words == words


def test_every_command_that_turns_off_takes_every_off_word() -> None:
    commands = [
        spec
        for spec in ROUTER.commands.values()
        if any(u.parts[:1] and u.parts[0] in (OFF,) for u in spec.syntax.usages)
    ]
    assert {s.name for s in commands} >= {"quiet", "away", "logoff", "hours", "holidays"}
    for spec in commands:
        for word in OFF.words:
            assert call(f"{spec.name} {word}").said(OFF), (spec.name, word)


def test_missing_arguments_are_asked_for_in_context() -> None:
    assert refusal("pulse close") == ("`pulse close` needs a pulse number, e.g. `pulse close 3`.")
    assert "`checkin at` needs a time" in refusal("checkin at")
    assert "`hours 8 until` needs a time, e.g. `hours 8 until 17:30`" in refusal("hours 8 until")


def test_argument_errors_keep_the_parsers_words() -> None:
    assert "Quiet hours look like `quiet 20:00-08:00`" in refusal("quiet soon")
    assert "isn't a date I understand" in refusal("away someday")
    assert "A working window looks like `workday 09:00-17:30`" in refusal("workday later")
    assert "“x” isn't a pulse number" in refusal("pulse results x")
    assert "The heads-up is a number of minutes from 1 to 120" in refusal("logoff headsup 500")


def test_unknown_words_get_the_closest_and_the_choices() -> None:
    text = refusal("quiz reslt")
    assert text.startswith("I don't know `quiz reslt`. Did you mean `quiz result`?")
    assert "Try `quiz result`, `quiz history`, `quiz restart` or `quiz cancel`" in text
    assert "Try `checkin at HH:MM` or `checkin off`" in refusal("checkin sometimes")
    assert "Try `pulse ask`, `pulse list`, `pulse results`" in refusal("pulse vote")
    assert "Did you mean `pulse list`?" in refusal("pulse lst")


def test_extra_words_are_refused_where_a_usage_is_complete() -> None:
    assert "I don't know what to do with “OR 1=1”, so nothing was done" in refusal(
        "pulse results 1 OR 1=1"
    )
    assert call("me 30 days").said("30")  # `more`: words after it are let be
    assert call("help pulse ask").values


def test_commands_without_words_let_a_sentence_follow() -> None:
    assert call("done for today").bare
    assert call("bye everyone").bare


def test_admin_usages_refuse_others_before_reading_anything() -> None:
    only = "Only team admins can change team settings. `settings` shows them."
    assert refusal("settings k abc") == only
    assert refusal("settings nonsense") == only
    assert "minimum number of answers" in refusal("settings k abc", admin=True)
    assert "I don't know `settings nonsense`" in refusal("settings nonsense", admin=True)
    assert refusal("pulse schedule weekly fri 15:00 workload") == (
        "Only team admins can schedule or stop recurring pulses."
    )
    assert call("pulse schedule").words == ("schedule",)  # listing is for everyone


def test_quotes_and_the_raw_text_reach_the_pulse_question() -> None:
    asked = call('pulse ask "How was it?" yesno')
    piece: Any = next(iter(asked.values.values()))
    assert piece.tokens == ("How was it?", "yesno")
    assert piece.raw == '"How was it?" yesno'
    assert call('pulse "How was it?" yesno').values  # the "ask" may be left out


def test_completions_come_from_the_declared_arguments() -> None:
    settings = Settings()
    assert ROUTER.complete("settings", "timezone berl", settings)[0] == "timezone Europe/Berlin"
    assert ROUTER.complete("timezone", "new y", settings) == ["America/New_York"]
    scheduled = ROUTER.complete("pulse", "sched", settings)
    assert scheduled and all(s.startswith("schedule weekly fri 15:00 ") for s in scheduled)
    assert ROUTER.complete("quiet", "20", settings) == []


@settings(max_examples=300, deadline=None)
@given(
    command=st.sampled_from(sorted(ROUTER.commands)),
    words=st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["off", "at", "until", "headsup", "schedule", "weekly", "k", "²"]),
            st.from_regex(r"[0-9#:.\-]{1,8}", fullmatch=True),
        ),
        max_size=6,
    ),
    admin=st.booleans(),
)
def test_any_words_are_read_or_refused_in_a_sentence(
    command: str, words: list[str], admin: bool
) -> None:
    try:
        line = parse_command(" ".join([command, *words]))
    except InputError:
        return
    spec = ROUTER.find_command(line.name)
    assert spec is not None
    try:
        spec.syntax.parse(spec.name, line, cast(Context, Situation(is_admin=admin)))
    except UserError as error:
        assert str(error).strip()
