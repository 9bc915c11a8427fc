"""``crossfade run`` in Discord mode and in both-at-once mode against the local fakes:
/healthz, /readyz and /metrics on PORT; SIGTERM mid-delivery exits 0 within 10 s and loses
nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.slack.fake_slack import FakeSlack
from tests.ops.support import (
    clean_env,
    free_port,
    http_get,
    interrupted_then_resumed,
    seed_direct_messages,
    start_bot,
    stop_bot,
    wait_ready,
)

POSTS = r"/channels/\d+/messages"


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
    tmp_path: Path, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    guild, _channel = fake.add_guild("Ops")
    users = [fake.add_user(f"person{i}") for i in range(60)]
    for user in users:
        fake.join(guild, user)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await seed_direct_messages(url, platform="discord", workspace=guild, users=users)
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def slow(delay: float) -> None:
        fake.post_delay = delay

    async def serving() -> None:
        assert await http_get(f"{base}/healthz") == (200, "ok")
        assert await wait_ready(base) == "database: ok\nmigrations: ok\ndiscord: ok\n"
        status, metrics = await http_get(f"{base}/metrics")
        assert status == 200 and "crossfade_deliveries_sent" in metrics

    log = await interrupted_then_resumed(
        tmp_path,
        url,
        _env(fake, url, port),
        total=len(users),
        slow=slow,
        delay=0.5,
        started=lambda: _wait_posts(fake, 3),
        resumed=serving,
    )
    assert "discord: gateway at ws://127.0.0.1:" in log
    channels = [call.path for call in fake.calls_to("POST", POSTS)]
    assert len(set(channels)) == len(users) == len(channels)


async def test_both_platforms_share_one_port_for_health(
    tmp_path: Path, fake_discord: FakeDiscord, fake_slack: FakeSlack
) -> None:
    fake, slack = fake_discord, fake_slack
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
