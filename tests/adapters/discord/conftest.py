"""The real discord.py client, wired to the core, against the local fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.client import CrossfadeClient
from adapters.discord.serve import create_client, run_client
from adapters.discord.sync import sync_commands
from bot.bootstrap import Services, build_engine, build_router, make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.events import TeamKey
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.repositories import Teams
from tests.adapters.discord.fake_discord import EPHEMERAL, FakeDiscord, Interaction, fixture

TIMEOUT = 10.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def discord_settings(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # discord.py keeps its endpoints as class attributes: restore them after each test.
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL="sqlite+aiosqlite:///:memory:",
        DISCORD_TOKEN="test-token",
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
    )


@pytest.fixture
async def services(
    db: Database, clock: FakeClock, discord_settings: Settings
) -> AsyncIterator[Services]:
    """The core with the real scheduling engine (driven step by step with ``run_due``)."""
    bot = make_bot(db=db, clock=clock, settings=discord_settings)
    engine = build_engine(bot)
    yield Services(settings=discord_settings, db=db, clock=clock, bot=bot, engine=engine)
    await engine.stop()


def text_of(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: content, embeds, component labels."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        parts.append(embed.get("description") or "")
        parts.extend(f"{f['name']}: {f['value']}" for f in embed.get("fields", []))
    for row in message.get("components", []):
        for item in row.get("components", []):
            parts.append(item.get("label") or item.get("placeholder") or "")
            parts.extend(o["label"] for o in item.get("options", []))
    return "\n".join(p for p in parts if p)


def components_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for row in message.get("components", []) for item in row.get("components", [])]


@dataclass
class DiscordHarness:
    """Drives the fake as people would: slash commands, clicks, choices and forms."""

    fake: FakeDiscord
    services: Services
    client_options: dict[str, Any] = field(default_factory=dict)
    client: CrossfadeClient | None = None
    task: asyncio.Task[None] | None = None
    guild: str = ""
    channel: str = ""
    people: dict[str, str] = field(default_factory=dict)
    expected_warnings: list[str] = field(default_factory=list)

    async def start(self) -> CrossfadeClient:
        options = {"identify_delay": 0.0, "guild_ready_timeout": 0.05} | self.client_options
        client = create_client(self.services, **options)
        self.client = client
        self.task = asyncio.create_task(run_client(client, self.services))
        await asyncio.wait_for(client.wait_until_ready(), TIMEOUT)
        await asyncio.sleep(0)  # let the shard-ready handlers begin …
        await client.crossfade.drain()  # … and finish (they reconcile guilds with teams)
        return client

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.task = self.client = None

    async def restart(self) -> CrossfadeClient:
        """A new process: nothing survives but the database and what Discord stored."""
        await self.stop()
        await self.fake.drop_connections()
        return await self.start()

    def person(self, name: str, *, admin: bool = False) -> str:
        if name not in self.people:
            self.people[name] = self.fake.add_user(name)
            self.fake.join(self.guild, self.people[name], admin=admin)
        return self.people[name]

    async def settle(self, record: Interaction) -> Interaction:
        """Wait for the bot's answer and everything it does after it. Every interaction in
        these tests must be answered within Discord's 3 seconds."""
        await asyncio.wait_for(record.answered.wait(), TIMEOUT)
        assert self.client is not None
        await self.client.crossfade.drain()
        assert not record.late, f"interaction {record.id} was answered after the deadline"
        return record

    async def wait_for(self, condition: Callable[[], bool], seconds: float = TIMEOUT) -> None:
        """Poll ``condition`` (for events that have no interaction to wait on), then let the
        bot finish what it is doing."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
            await asyncio.sleep(0.01)
        assert self.client is not None
        await self.client.crossfade.drain()

    async def wait_for_team(self, key: TeamKey, *, active: bool) -> None:
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while True:
            async with self.services.db.uow() as uow:
                team = await Teams(uow.session).get(key)
                if team is not None and team.active == active:
                    return
            assert asyncio.get_running_loop().time() < deadline, f"team never {active=}"
            await asyncio.sleep(0.02)

    async def run(self, name: str, text: str, *, dm: bool = False) -> Interaction:
        """``/crossfade <text>`` typed by ``name`` in #general (or in their DM)."""
        guild = None if dm else self.guild
        data = self.fake.command_data(text, guild_id=None)
        record = await self.fake.interact(2, self.people[name], data, guild_id=guild)
        return await self.settle(record)

    async def complete(self, name: str, text: str) -> list[str]:
        """Autocomplete: what Discord lists while ``name`` types ``text``'s option."""
        data = self.fake.command_data(text, guild_id=None, focused=True)
        record = await self.fake.interact(4, self.people[name], data, guild_id=self.guild)
        await self.settle(record)
        assert record.callback_type == 8
        return [c["value"] for c in record.choices]

    def public(self, channel_id: str | None = None) -> list[dict[str, Any]]:
        """Messages everyone in the channel sees (not ephemeral answers)."""
        messages = self.fake.channel_messages(channel_id or self.channel)
        return [m for m in messages if not is_ephemeral(m)]

    def message(self, message_id: str) -> dict[str, Any]:
        return self.fake.messages[message_id]

    def last(self, record: Interaction) -> dict[str, Any]:
        """The newest message the interaction created or edited."""
        assert record.message_ids, f"interaction {record.id} produced no message"
        return self.fake.messages[record.message_ids[-1]]

    def said(self, record: Interaction) -> str:
        return "\n".join(
            text_of(self.fake.messages[m]) for m in record.message_ids if m in self.fake.messages
        )

    async def click(self, name: str, message_id: str, label: str) -> Interaction:
        message = self.fake.messages[message_id]
        matches = [c for c in components_of(message) if c["type"] == 2 and c.get("label") == label]
        assert matches, f"no button {label!r} in {[c.get('label') for c in components_of(message)]}"
        data = fixture("interaction_component.json")["data"]
        data |= {"component_type": 2, "custom_id": matches[0]["custom_id"]}
        return await self._component(name, message, data)

    async def choose(self, name: str, message_id: str, option_label: str) -> Interaction:
        message = self.fake.messages[message_id]
        for item in components_of(message):
            for option in item.get("options", []) if item["type"] == 3 else []:
                if option["label"] == option_label:
                    data = fixture("interaction_select.json")["data"]
                    data |= {"custom_id": item["custom_id"], "values": [option["value"]]}
                    return await self._component(name, message, data)
        raise AssertionError(f"no option {option_label!r} in message {message_id}")

    async def _component(
        self, name: str, message: dict[str, Any], data: dict[str, Any]
    ) -> Interaction:
        guild = message.get("guild_id")
        record = await self.fake.interact(
            3,
            self.people[name],
            data,
            guild_id=guild,
            channel_id=message["channel_id"] if guild else None,
            message=message,
        )
        return await self.settle(record)

    async def submit(self, name: str, opened: Interaction, values: dict[str, str]) -> Interaction:
        """Fill in and submit the modal that ``opened`` showed."""
        assert opened.modal is not None, "that interaction opened no form"
        data = fixture("interaction_modal_submit.json")["data"]
        (template,) = data["components"]
        components = []
        for n, label in enumerate(opened.modal["components"], start=1):
            inner = label["component"]
            entry: dict[str, Any] = {
                "type": inner["type"],
                "id": 2 * n,
                "custom_id": inner["custom_id"],
            }
            value = values.get(inner["custom_id"], "")
            if inner["type"] == 3:
                entry["values"] = [value] if value else []
            else:
                entry["value"] = value
            components.append(template | {"id": 2 * n - 1, "component": entry})
        data |= {"custom_id": opened.modal["custom_id"], "components": components}
        record = await self.fake.interact(
            5, self.people[name], data, guild_id=opened.guild_id, channel_id=opened.channel_id
        )
        return await self.settle(record)


def is_ephemeral(message: dict[str, Any]) -> bool:
    return bool(message.get("flags", 0) & EPHEMERAL)


@pytest.fixture
async def dc(
    fake: FakeDiscord,
    services: Services,
    discord_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[DiscordHarness]:
    """A running bot in one guild. The test fails if the adapter logged a warning or an
    error it did not expect (a refused call, a failed interaction)."""
    harness = DiscordHarness(fake, services)
    harness.guild, harness.channel = fake.add_guild("Crossfade Testers")
    await sync_commands(discord_settings, None, build_router())
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
    problems = [
        r.getMessage()
        for r in caplog.records
        if (
            (
                (r.name.startswith(("adapters.discord", "discord.ui", "discord.app_commands")))
                and r.levelno >= logging.WARNING
            )
            or (r.name.startswith("discord.") and r.levelno >= logging.ERROR)
        )
        and not any(allowed in r.getMessage() for allowed in harness.expected_warnings)
    ]
    assert not problems, problems
