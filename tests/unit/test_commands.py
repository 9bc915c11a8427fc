from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.parsing import InputError
from bot.kernel.grammar import MAX_COMMAND_LENGTH, did_you_mean, parse_command


def test_empty_is_help() -> None:
    assert parse_command("").name == "help"
    assert parse_command("   ").name == "help"
    assert parse_command("/crossfade").name == "help"


def test_name_is_lowercased_and_prefix_is_optional() -> None:
    parsed = parse_command("/crossfade TimeZone Europe/Berlin")
    assert parsed.name == "timezone"
    assert parsed.args == ("Europe/Berlin",)
    assert parsed.rest == "Europe/Berlin"


def test_quoted_arguments_and_smart_quotes() -> None:
    parsed = parse_command('pulse ask "How was your week?" options "a b",c')
    assert parsed.args == ("ask", "How was your week?", "options", "a b,c")
    smart = parse_command("pulse ask “Is it sustainable?” yesno")
    assert smart.args == ("ask", "Is it sustainable?", "yesno")
    apostrophe = parse_command("pulse ask “Can’t disconnect?” yesno")
    assert apostrophe.name == "pulse"


def test_unbalanced_quote_is_a_friendly_error() -> None:
    with pytest.raises(InputError, match="quote is not closed"):
        parse_command('pulse ask "How was your week? scale')


def test_over_long_command() -> None:
    with pytest.raises(InputError, match="10,000 characters"):
        parse_command("x" * 10_000)
    assert parse_command("help " + "y" * (MAX_COMMAND_LENGTH - 10)).name == "help"


@given(st.text(max_size=300))
def test_parser_only_ever_raises_input_error(text: str) -> None:
    try:
        parsed = parse_command(text)
    except InputError:
        return
    assert parsed.name == parsed.name.lower()
    assert parsed.name and " " not in parsed.name


@given(
    st.lists(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs", "Cc"), blacklist_characters="\"'\\“”„‘’«»"
            ),
            min_size=1,
            max_size=20,
        ).filter(lambda s: s.strip() == s and " " not in s and s),
        min_size=1,
        max_size=5,
    )
)
def test_quoted_words_come_back_intact(words: list[str]) -> None:
    quoted = " ".join(f'"{w}"' for w in words)
    assert parse_command(f"cmd {quoted}").args == tuple(words)


def test_did_you_mean() -> None:
    commands = ["help", "timezone", "workdays", "quiet", "away", "settings"]
    assert did_you_mean("tmiezone", commands) == "timezone"
    assert did_you_mean("workday", commands) == "workdays"
    assert did_you_mean("zzz", commands) is None
