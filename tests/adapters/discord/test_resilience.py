"""Deadlines, restarts and shards: a slow core defers in time, a button or form from before a
restart works after it, several instances each run some shards."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.client import sharding_from
from adapters.discord.serve import create_client, run_client
from bot.kernel.effects import Effect, Reply
from bot.kernel.events import Event, TeamKey
from bot.kernel.services import Services
from bot.kernel.settings import Settings
from bot.kernel.ui import Message, Text
from tests.adapters.discord.conftest import (
    TIMEOUT,
    DiscordHarness,
    components_of,
    is_ephemeral,
    text_of,
)
from tests.adapters.discord.fake_discord import FakeDiscord

SECOND = re.compile(r"\b2\s*/\s*\d+")
DEFERRED_MESSAGE = 5
DEFERRED_UPDATE = 6
UPDATE_MESSAGE = 7


def _slow(dc: DiscordHarness, monkeypatch: pytest.MonkeyPatch, seconds: float = 0.4) -> None:
    """The core now takes longer than the adapter waits before deferring."""
    bot = dc.services.bot
    real = bot.handle

    async def slow(event: Event) -> list[Effect]:
        await asyncio.sleep(seconds)
        return await real(event)

    monkeypatch.setattr(bot, "handle", slow)
    assert dc.client is not None
    dc.client.crossfade.defer_after = 0.05


def _answers(message: dict[str, Any]) -> list[str]:
    return [c["label"] for c in components_of(message) if c["custom_id"].startswith("quiz:answer")]


async def test_a_slow_command_is_deferred_then_answered(
    dc: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    dc.person("ana")
    _slow(dc, monkeypatch)
    record = await dc.run("ana", "help")
    assert record.callback_type == DEFERRED_MESSAGE and not record.late
    assert record.callbacks[0]["data"]["flags"] & 64  # "thinking…" only for her
    message = dc.fake.messages[record.original_id or ""]
    assert "/crossfade quiz" in text_of(message)  # the loading message became the answer
    assert is_ephemeral(message)


async def test_a_slow_click_is_acknowledged_then_the_message_updated(
    dc: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    dc.person("ana")
    question = dc.last(await dc.run("ana", "quiz"))
    shown = text_of(question)
    _slow(dc, monkeypatch)
    record = await dc.click("ana", question["id"], _answers(question)[0])
    assert record.callback_type == DEFERRED_UPDATE and not record.late
    updated = dc.message(question["id"])
    assert updated["edited_timestamp"] is not None
    assert SECOND.search(text_of(updated)) and text_of(updated) != shown  # the next one, in place


async def test_a_public_answer_after_a_private_deferral_is_public(
    dc: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    dc.person("ana")

    async def announce(event: Event) -> list[Effect]:
        await asyncio.sleep(0.3)
        return [Reply(Message("Everyone: hello", (Text("Everyone: hello"),)), private=False)]

    monkeypatch.setattr(dc.services.bot, "handle", announce)
    assert dc.client is not None
    dc.client.crossfade.defer_after = 0.05
    record = await dc.run("ana", "help")
    assert record.callback_type == DEFERRED_MESSAGE
    assert record.original_id not in dc.fake.messages  # the private "thinking…" is gone
    (public,) = [m for m in dc.public() if "Everyone" in text_of(m)]
    assert not is_ephemeral(public)


async def test_a_button_sent_before_a_restart_works_after_it(dc: DiscordHarness) -> None:
    dc.person("ana")
    question = dc.last(await dc.run("ana", "quiz"))
    shown = text_of(question)
    before = dc.client
    await dc.restart()
    assert dc.client is not before
    record = await dc.click("ana", question["id"], _answers(question)[0])
    assert record.callback_type == UPDATE_MESSAGE and not record.late
    assert SECOND.search(text_of(dc.message(question["id"]))) and shown != text_of(dc.last(record))
    assert len(dc.fake.identifies) == 2  # a new session, not a resumed one


async def test_a_form_opened_before_a_restart_is_submitted_after_it(dc: DiscordHarness) -> None:
    dc.person("lead", admin=True)
    opened = await dc.run("lead", "pulse")
    assert opened.modal is not None
    await dc.restart()
    values = {"question": "Able to disconnect?", "kind": "yesno", "closes": "2d"}
    await dc.submit("lead", opened, values)
    assert any("disconnect" in text_of(m) for m in dc.public())


async def test_an_out_of_date_command_gets_a_clear_answer(dc: DiscordHarness) -> None:
    dc.expected_warnings.append("stale command")
    dc.person("ana")
    data = dc.fake.command_data("help", guild_id=None)
    data["options"][0]["name"] = "vanished"
    record = await dc.fake.interact(2, dc.people["ana"], data, guild_id=dc.guild)
    await dc.settle(record)
    assert "changed" in dc.said(record)


async def test_export_arrives_as_a_file_in_the_dm(dc: DiscordHarness) -> None:
    dc.person("ana")
    await dc.run("ana", "export")
    dm = dc.fake.dm_channels[dc.people["ana"]]
    (sent,) = dc.fake.channel_messages(dm)
    assert [a["filename"].endswith(".json") for a in sent["attachments"]] == [True]


async def test_guilds_changed_while_offline_are_reconciled_at_ready(dc: DiscordHarness) -> None:
    dc.person("ana")
    await dc.run("ana", "help")
    await dc.stop()
    removed = dict(dc.fake.guilds.pop(dc.guild))  # kicked while no instance was connected
    await dc.fake.drop_connections()
    await dc.start()
    await dc.wait_for_team(TeamKey("discord", dc.guild), active=False)
    await dc.stop()
    dc.fake.guilds[dc.guild] = removed  # … and added back while offline
    await dc.fake.drop_connections()
    await dc.start()
    await dc.wait_for_team(TeamKey("discord", dc.guild), active=True)


# --- shards ------------------------------------------------------------------------------


def _guild_on_shard(fake: FakeDiscord, shard: int, count: int) -> tuple[str, str]:
    while True:
        ident = fake.ids.next()
        if (int(ident) >> 22) % count == shard:
            return fake.add_guild(f"Guild on shard {shard}", guild_id=ident)


@pytest.fixture
async def sharded(
    fake: FakeDiscord, services: Services, discord_settings: Settings
) -> AsyncIterator[tuple[FakeDiscord, Services, list[tuple[str, str]]]]:
    from adapters.discord.sync import sync_commands
    from bot.bootstrap import build_router

    guilds = [_guild_on_shard(fake, 0, 2), _guild_on_shard(fake, 1, 2)]
    await sync_commands(discord_settings, None, build_router())
    yield fake, services, guilds


async def _answer(fake: FakeDiscord, guild: str, user: str) -> bool:
    record = await fake.interact(2, user, fake.command_data("help", guild_id=None), guild_id=guild)
    await asyncio.wait_for(record.answered.wait(), TIMEOUT)
    return record.callback_type == 4 and not record.late


async def _running(services: Services, settings: Settings) -> tuple[Any, asyncio.Task[None]]:
    instance = services.__class__(**{**services.__dict__, "settings": settings})
    client = create_client(instance, identify_delay=0.0, guild_ready_timeout=0.05)
    task = asyncio.create_task(run_client(client, instance))
    await asyncio.wait_for(client.wait_until_ready(), TIMEOUT)
    await asyncio.sleep(0)
    await client.crossfade.drain()
    return client, task


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_one_instance_runs_every_shard(
    sharded: tuple[FakeDiscord, Services, list[tuple[str, str]]],
) -> None:
    fake, services, guilds = sharded
    fake.recommended_shards = 2  # no count configured: Discord's recommendation is used
    client, task = await _running(services, services.settings)
    try:
        assert sorted(i["shard"][0] for i in fake.identifies) == [0, 1]
        assert all(i["shard"][1] == 2 for i in fake.identifies)
        for guild, _channel in guilds:
            user = fake.add_user("member")
            fake.join(guild, user)
            assert await _answer(fake, guild, user)
    finally:
        await _stop(task)


async def test_two_instances_each_run_some_shards(
    sharded: tuple[FakeDiscord, Services, list[tuple[str, str]]],
) -> None:
    fake, services, guilds = sharded
    base = services.settings
    first = base.model_copy(update={"discord_shard_ids": "0", "discord_shard_count": 2})
    second = base.model_copy(update={"discord_shard_ids": "1", "discord_shard_count": 2})
    assert sharding_from(first).ids == (0,) and sharding_from(second).ids == (1,)
    one, task_one = await _running(services, first)
    two, task_two = await _running(services, second)
    try:
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
        assert {g.id for g in one.guilds} == {int(guilds[0][0])}
        assert {g.id for g in two.guilds} == {int(guilds[1][0])}
        for guild, _channel in guilds:
            user = fake.add_user("member")
            fake.join(guild, user)
            assert await _answer(fake, guild, user)
    finally:
        await _stop(task_one)
        await _stop(task_two)


def test_shard_settings_are_checked() -> None:
    def settings(ids: str, count: int | None) -> Settings:
        return Settings(  # type: ignore[call-arg]
            _env_file=None, DISCORD_SHARD_IDS=ids, DISCORD_SHARD_COUNT=count
        )

    assert sharding_from(settings("0-2,5", 8)).ids == (0, 1, 2, 5)
    assert sharding_from(settings("", None)).count is None
    with pytest.raises(ValueError, match="DISCORD_SHARD_COUNT"):
        sharding_from(settings("0,1", None))
    with pytest.raises(ValueError, match="outside"):
        sharding_from(settings("3", 2))


async def test_a_button_of_an_unknown_kind_gets_an_answer(dc: DiscordHarness) -> None:
    dc.person("ana")
    message = dc.last(await dc.run("ana", "quiz"))
    message["components"][0]["components"][0]["custom_id"] = "click_me"  # an old id scheme
    record = await dc.click(
        "ana", message["id"], message["components"][0]["components"][0]["label"]
    )
    assert "no longer in use" in dc.said(record)
