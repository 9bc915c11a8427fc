"""``crossfade run`` in Slack mode against the fake Slack: `.env.example` filled in serves
health and readiness; SIGTERM mid-delivery exits 0 within 10 s and loses nothing."""

from __future__ import annotations

import asyncio
import shutil
import signal
import time
from pathlib import Path

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.rig import fixture
from tests.ops.support import (
    ROOT,
    clean_env,
    free_port,
    http_get,
    interrupted_then_resumed,
    outbox_counts,
    seed_direct_messages,
    start_bot,
    stop_bot,
    wait_ready,
)

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"


def _slack_env_file(folder: Path, fake: FakeSlack, port: int) -> None:
    """``.env.example`` copied to ``folder/.env`` with the Slack values filled in."""
    shutil.copy(ROOT / ".env.example", folder / ".env")
    _fill(
        folder / ".env",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        PORT=str(port),
    )


def _delivery_env(fake: FakeSlack, url: str) -> dict[str, str]:
    """A Slack-mode bot on ``url`` that ticks fast."""
    return clean_env(
        DATABASE_URL=url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        PORT=str(free_port()),
        CROSSFADE_TICK_SECONDS="0.2",
    )


def _fill(env_file: Path, **values: str) -> None:
    lines = []
    for line in env_file.read_text().splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={values.pop(name)}" if name in values and "=" in line else line)
    env_file.write_text("\n".join(lines) + "\n")


async def test_env_example_with_slack_values_serves_health_and_readiness(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    _slack_env_file(tmp_path, fake_slack, port)
    bot = await start_bot(tmp_path, clean_env())
    try:
        base = f"http://127.0.0.1:{port}"
        assert await http_get(f"{base}/healthz") == (200, "ok")
        status, body = await http_get(f"{base}/readyz")
        assert (status, body) == (200, "database: ok\nmigrations: ok\nslack: ok\n")
        status, metrics = await http_get(f"{base}/metrics")
        assert status == 200 and "crossfade_deliveries_sent" in metrics
    finally:
        log = await stop_bot(bot)
    assert "slack: HTTP mode on PORT at /slack/events (single workspace)" in log
    assert f"http on port {port}: /healthz, /readyz, /metrics, /slack/install" in log


async def test_metrics_port_and_token_keep_metrics_off_the_public_port(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    port, metrics_port = free_port(), free_port()
    _slack_env_file(tmp_path, fake_slack, port)
    env = {**clean_env(), "METRICS_PORT": str(metrics_port), "METRICS_TOKEN": "scrape-me"}
    bot = await start_bot(tmp_path, env)
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        # Let the engine's first tick finish: this test is about /metrics, not about a SIGTERM
        # that lands inside the very first tick (the shutdown tests cover that path).
        await asyncio.sleep(0.5)
        assert await http_get(f"http://127.0.0.1:{port}/healthz") == (200, "ok")
        assert (await http_get(f"http://127.0.0.1:{port}/metrics"))[0] == 404
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        assert (await http_get(metrics))[0] == 401
        wrong = await http_get(metrics, headers={"Authorization": "Bearer nope"})
        assert wrong[0] == 401
        status, body = await http_get(metrics, headers={"Authorization": "Bearer scrape-me"})
        assert status == 200 and "crossfade_deliveries_sent" in body
    finally:
        await stop_bot(bot)


async def test_sigterm_mid_delivery_exits_0_and_loses_nothing(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    users = [f"U{i:03d}" for i in range(40)]
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await seed_direct_messages(url, platform="slack", workspace="T1", users=users)

    def slow(delay: float) -> None:
        fake_slack.post_delay = delay

    await interrupted_then_resumed(
        tmp_path,
        url,
        _delivery_env(fake_slack, url),
        total=len(users),
        slow=slow,
        delay=0.3,
        started=lambda: fake_slack.wait_for("chat.postMessage", 3, within=20),
    )
    posted = [call["channel"] for call in fake_slack.calls("chat.postMessage")]
    assert len(set(posted)) == len(users)
    assert len(posted) == len(users), "nothing sent twice"


async def test_a_second_signal_forces_exit(tmp_path: Path, fake_slack: FakeSlack) -> None:
    users = [f"U{i:03d}" for i in range(10)]
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await seed_direct_messages(url, platform="slack", workspace="T1", users=users)
    env = _delivery_env(fake_slack, url)
    fake_slack.post_delay = 6.0  # a send that holds the graceful stop for its whole grace
    bot = await start_bot(tmp_path, env)
    await fake_slack.wait_for("conversations.open", 1, within=20)
    await asyncio.sleep(0.5)
    bot.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.3)
    started = time.monotonic()
    bot.send_signal(signal.SIGTERM)
    await asyncio.wait_for(bot.wait(), 5)
    assert bot.returncode == 130 and time.monotonic() - started < 2
    counts = await outbox_counts(url)
    # A forced exit is not a clean stop: rows it held stay claimed/sending for the delivery
    # engine's recovery on the next start, and none is recorded as sent that was not.
    assert "sent" not in counts and sum(counts.values()) == len(users), counts


async def test_socket_mode_serves_health_and_commands(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-1-test",
        SLACK_API_URL=fake_slack.api_url,
        PORT=str(port),
    )
    bot = await start_bot(tmp_path, env)
    try:
        base = f"http://127.0.0.1:{port}"
        assert await wait_ready(base) == "database: ok\nmigrations: ok\nslack: ok\n"
        command = fixture("slash_command") | {"response_url": fake_slack.response_url("sock")}
        envelope = await fake_slack.socket_send("slash_commands", command)
        assert (await fake_slack.socket_ack(envelope))["envelope_id"] == envelope
        status, _ = await http_get(f"{base}/slack/events")
        assert status in (404, 405)  # Socket Mode: no events endpoint on PORT
    finally:
        log = await stop_bot(bot)
    assert "slack: Socket Mode" in log
