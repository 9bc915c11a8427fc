"""The real discord.py client against the fake: login, gateway, command sync and the first
commands, answered within Discord's deadline."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordHarness, is_ephemeral


async def test_connects_with_non_privileged_intents_and_one_shard(dc: DiscordHarness) -> None:
    (identify,) = dc.fake.identifies
    assert identify["token"] == "test-token"
    intents = identify["intents"]
    privileged = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
    assert intents & privileged == 0
    assert intents & (1 << 0) and intents & (1 << 12)  # guilds, direct messages
    assert identify["shard"] == [0, 1]
    paths = [c.path for c in dc.fake.calls]
    assert "/users/@me" in paths and "/oauth2/applications/@me" in paths
    assert "/gateway/bot" in paths  # the recommended shard count, asked once


async def test_help_is_an_ephemeral_answer_in_time(dc: DiscordHarness) -> None:
    dc.person("ana")
    record = await dc.run("ana", "help")
    assert record.callback_type == 4 and not record.late
    message = dc.last(record)
    assert is_ephemeral(message)
    assert "/crossfade quiz" in dc.said(record)
    assert record.callback_at is not None
    assert record.callback_at - record.dispatched_at < 3.0
