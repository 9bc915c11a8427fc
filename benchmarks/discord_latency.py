"""Discord interaction latency: the real discord.py client against the local fake Discord.

    .venv/bin/python benchmarks/discord_latency.py [--count 200] [--database URL]

For a slash command (`/crossfade help`) and a button press (a quiz answer, which updates
the message in place) it prints the median and p99 time from the fake sending
INTERACTION_CREATE on the gateway to it receiving the interaction callback — the figure
Discord's 3-second deadline applies to — and the share answered without a deferral.
Prints numbers; asserts nothing. The database defaults to a fresh temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.serve import create_client, run_client
from adapters.discord.sync import sync_commands
from bot.bootstrap import build
from bot.kernel.settings import Settings
from tests.adapters.discord.fake_discord import FakeDiscord, Interaction


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms   p99 {p99 * 1000:6.1f} ms"


def _latency(record: Interaction) -> float:
    assert record.callback_at is not None
    return record.callback_at - record.dispatched_at


async def main(count: int, database: str | None) -> None:
    logging.basicConfig(level=logging.WARNING)
    base_route, base_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    fake = FakeDiscord()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = database or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            DATABASE_URL=url,
            DISCORD_TOKEN="bench",
            DISCORD_API_URL=fake.api_url,
            DISCORD_GATEWAY_URL=fake.gateway_url,
        )
        services = await build(settings)
        guild, _channel = fake.add_guild("Bench")
        await sync_commands(settings, None)
        client = create_client(services, identify_delay=0.0, guild_ready_timeout=0.05)
        task = asyncio.create_task(run_client(client, services))
        try:
            await asyncio.wait_for(client.wait_until_ready(), 30)
            users = []
            for n in range(count):
                user = fake.add_user(f"user{n}")
                fake.join(guild, user)
                users.append(user)

            async def command(user: str, text: str) -> Interaction:
                data = fake.command_data(text, guild_id=None)
                record = await fake.interact(2, user, data, guild_id=guild)
                await asyncio.wait_for(record.answered.wait(), 30)
                await client.crossfade.drain()
                return record

            commands = [await command(u, "help") for u in users]
            questions = [await command(u, "quiz") for u in users]
            presses = []
            for user, record in zip(users, questions, strict=True):
                message = fake.messages[record.message_ids[-1]]
                button = next(
                    c
                    for row in message["components"]
                    for c in row["components"]
                    if c["custom_id"].startswith("quiz:answer")
                )
                data = {"component_type": 2, "custom_id": button["custom_id"]}
                press = await fake.interact(3, user, data, guild_id=guild, message=message)
                await asyncio.wait_for(press.answered.wait(), 30)
                await client.crossfade.drain()
                presses.append(press)
            kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(f"Discord interaction → callback, {count} of each, {kind}:")
            for label, records in (("slash command", commands), ("button press ", presses)):
                direct = sum(1 for r in records if r.callback_type in (4, 7)) / len(records)
                print(f"  {label}  {_ms([_latency(r) for r in records])}   direct {direct:.0%}")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await services.close()
            await fake.stop()
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base_route, base_gateway


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--database", help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    asyncio.run(main(args.count, args.database))
