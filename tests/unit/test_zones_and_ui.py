from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.zones import resolve_zone
from bot.kernel.ui import (
    Button,
    Buttons,
    Divider,
    Field,
    Fields,
    Image,
    Message,
    Option,
    Select,
    Text,
    action_id,
    message_from_json,
    message_to_json,
    split_action_id,
)


def test_zone_resolution() -> None:
    assert resolve_zone("Europe/Berlin").zone == "Europe/Berlin"
    assert resolve_zone("europe/berlin").zone == "Europe/Berlin"
    assert resolve_zone("Kathmandu").zone == "Asia/Kathmandu"
    assert resolve_zone("new york").zone == "America/New_York"
    assert resolve_zone("utc").zone == "UTC"


def test_unknown_zone_gets_close_suggestions() -> None:
    match = resolve_zone("Europe/Berln")
    assert match.zone is None
    assert match.suggestions[0] == "Europe/Berlin"
    mars = resolve_zone("Mars/Olympus")
    assert mars.zone is None and mars.suggestions


def test_action_id_round_trip_and_limit() -> None:
    assert split_action_id(action_id("quiz:answer", "s1:q3:a2")) == ("quiz:answer", "s1:q3:a2")
    assert split_action_id("help") == ("help", "")
    with pytest.raises(ValueError, match="over 100 characters"):
        action_id("x", "y" * 200)


words = st.text(max_size=40)
blocks = st.one_of(
    st.builds(Text, words),
    st.builds(
        Buttons,
        st.lists(st.builds(Button, words, words, words), max_size=5).map(tuple),
    ),
    st.builds(
        Select, words, words, st.lists(st.builds(Option, words, words), max_size=5).map(tuple)
    ),
    st.builds(Image, st.binary(max_size=64), words, st.just("chart.png")),
    st.builds(Fields, st.lists(st.builds(Field, words, words), max_size=4).map(tuple)),
    st.just(Divider()),
)


@given(st.builds(Message, words, st.lists(blocks, max_size=6).map(tuple)))
def test_messages_survive_json(message: Message) -> None:
    assert message_from_json(message_to_json(message)) == message
