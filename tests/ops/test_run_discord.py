"""``crossfade run`` in Discord mode and in both-at-once mode against the local fakes:
/healthz, /readyz and /metrics on PORT; SIGTERM mid-delivery exits 0 within 10 s and loses
nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.slack.fake_slack import FakeSlack
from tests.ops.support import (
    clean_env,
    free_port,
    http_get,
    live_leases,
    outbox_counts,
    seed_direct_messages,
    start_bot,
    stop_bot,
    wait_ready,
)

POSTS = r"/channels/\d+/messages"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


def _env(fake: FakeDiscord, url: str, port: int, **more: str) -> dict[str, str]:
    return clean_env(
        DATABASE_URL=url,
        DISCORD_TOKEN=fake.token,
        DISCORD_API_URL=fake.api_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        PORT=str(port),
        CROSSFADE_TICK_SECONDS="0.2",
        **more,
    )


async def _wait_posts(fake: FakeDiscord, count: int, within: float = 20.0) -> None:
    for _ in range(int(within * 10)):
        if len(fake.calls_to("POST", POSTS)) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"fewer than {count} posts")


async def test_sigterm_mid_delivery_exits_0_and_loses_nothing(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    guild, _channel = fake.add_guild("Ops")
    users = [fake.add_user(f"person{i}") for i in range(60)]
    for user in users:
        fake.join(guild, user)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await seed_direct_messages(url, platform="discord", workspace=guild, users=users)
    port = free_port()
    fake.post_delay = 0.5
    bot = await start_bot(tmp_path, _env(fake, url, port))
    try:
        await _wait_posts(fake, 3)
    finally:
        log = await stop_bot(bot)
    assert "discord: gateway at ws://127.0.0.1:" in log
    first = await outbox_counts(url)
    assert first.get("sent", 0) >= 3 and first.get("pending", 0) > 0, first  # mid-delivery
    assert sum(first.values()) == len(users), first
    assert await live_leases(url) == []

    fake.post_delay = 0.0
    bot = await start_bot(tmp_path, _env(fake, url, port))
    try:
        base = f"http://127.0.0.1:{port}"
        assert await http_get(f"{base}/healthz") == (200, "ok")
        assert await wait_ready(base) == "database: ok\nmigrations: ok\ndiscord: ok\n"
        status, metrics = await http_get(f"{base}/metrics")
        assert status == 200 and "crossfade_deliveries_sent" in metrics
        for _ in range(200):
            if (await outbox_counts(url)).get("sent") == len(users):
                break
            await asyncio.sleep(0.1)
    finally:
        await stop_bot(bot)
    assert await outbox_counts(url) == {"sent": len(users)}
    channels = [call.path for call in fake.calls_to("POST", POSTS)]
    assert len(set(channels)) == len(users) == len(channels)


async def test_both_platforms_share_one_port_for_health(tmp_path: Path, fake: FakeDiscord) -> None:
    slack = FakeSlack()
    await slack.start()
    port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = _env(
        fake,
        url,
        port,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="8f14e45fceea167a5a36dedd4bea2543",
        SLACK_API_URL=slack.api_url,
    )
    bot = await start_bot(tmp_path, env)
    try:
        base = f"http://127.0.0.1:{port}"
        assert await http_get(f"{base}/healthz") == (200, "ok")
        body = await wait_ready(base)
        assert body == "database: ok\nmigrations: ok\nslack: ok\ndiscord: ok\n"
    finally:
        await stop_bot(bot)
        await slack.stop()
