"""The real discord.py client against the fake: login, gateway, command sync and the first
commands, answered within Discord's deadline."""

from __future__ import annotations

import pytest

from adapters.discord.sync import sync_commands
from bot.bootstrap import build_router
from bot.kernel.services import Services
from bot.kernel.settings import Settings
from tests.adapters.discord.conftest import DiscordHarness, is_ephemeral
from tests.adapters.discord.fake_discord import FakeDiscord


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


async def test_a_dropped_gateway_connection_is_reestablished(dc: DiscordHarness) -> None:
    dc.person("ana")
    await dc.fake.drop_connections()
    await dc.wait_for(lambda: len(dc.fake.identifies) == 2 and 0 in dc.fake.sessions)
    record = await dc.run("ana", "help")
    assert record.callback_type == 4


async def test_commands_sync_globally_and_to_one_guild(
    dc: DiscordHarness, discord_settings: Settings
) -> None:
    (root,) = dc.fake.commands[None]  # the fixture published globally
    assert root["name"] == "crossfade"
    result = await sync_commands(discord_settings, int(dc.guild), build_router())
    assert dc.fake.calls_to("PUT", rf"/applications/\d+/guilds/{dc.guild}/commands")
    (guild_root,) = dc.fake.commands[dc.guild]
    assert guild_root["options"] == root["options"]
    assert "help" in result.commands and "timezone" in result.commands
    assert str(dc.guild) in str(result)


async def test_a_wrong_token_is_a_clear_startup_error(
    fake: FakeDiscord, services: Services
) -> None:
    from adapters.discord.serve import create_client, run_client
    from bot.kernel.errors import StartupError

    wrong = services.settings.model_copy(update={"discord_token": "not-the-token"})
    instance = Services(
        settings=wrong,
        db=services.db,
        clock=services.clock,
        bot=services.bot,
        engine=services.engine,
    )
    client = create_client(instance, identify_delay=0.0)
    with pytest.raises(StartupError, match="refused DISCORD_TOKEN"):
        await run_client(client, instance)
    assert not fake.identifies
