"""Fixtures: the fake Slack Web API, and the real Slack app served over HTTP against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from adapters.slack.app import SlackAdapter
from adapters.slack.server import start_http
from bot.bootstrap import Services, build_engine, make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.rig import SECRET, SlackRig

RigFactory = Callable[..., Any]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


def slack_settings(fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": "sqlite+aiosqlite:///:memory:",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "CROSSFADE_DEFAULT_TIMEZONE": "UTC",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_rig(
    db: Database, clock: FakeClock, fake: FakeSlack, **overrides: Any
) -> AsyncIterator[SlackRig]:
    settings = slack_settings(fake, **overrides)
    bot = make_bot(db=db, clock=clock, settings=settings)
    services = Services(settings=settings, db=db, clock=clock, bot=bot, engine=build_engine(bot))
    adapter = await SlackAdapter.open(services, home_delay=0.0)
    services.engine.add_notifier(adapter.notifier())
    runner, port = await start_http(adapter, host="127.0.0.1", port=0)
    http = aiohttp.ClientSession()
    try:
        yield SlackRig(fake, adapter, f"http://127.0.0.1:{port}", http, services.engine)
    finally:
        await http.close()
        await runner.cleanup()
        await adapter.close()
        await services.engine.stop()


@pytest.fixture
async def rig(db: Database, clock: FakeClock, fake_slack: FakeSlack) -> AsyncIterator[SlackRig]:
    """The single-workspace app (SLACK_BOT_TOKEN) on SQLite."""
    async with running_rig(db, clock, fake_slack) as running:
        yield running


@pytest.fixture
async def any_rig(
    any_db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> AsyncIterator[SlackRig]:
    """The single-workspace app on SQLite and on the real PostgreSQL."""
    async with running_rig(any_db, clock, fake_slack) as running:
        yield running
