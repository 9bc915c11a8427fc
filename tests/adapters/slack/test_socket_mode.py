"""Socket Mode (SLACK_APP_TOKEN): the same app over a websocket to the fake Slack."""

from __future__ import annotations

import asyncio
import contextlib

from adapters.slack.app import SlackAdapter
from adapters.slack.server import run_socket_mode
from bot.bootstrap import make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.services import Services
from bot.kernel.storage.db import Database
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.rig import fixture
from tests.support.null_engine import NullEngine


async def test_commands_and_events_over_socket_mode(
    db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(fake_slack, SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET="")
    bot = make_bot(db=db, clock=clock, settings=settings)
    services = Services(settings=settings, db=db, clock=clock, bot=bot, engine=NullEngine())
    adapter = await SlackAdapter.open(services, home_delay=0.0)
    serving = asyncio.create_task(run_socket_mode(adapter, app_token="xapp-1-test", port=None))
    try:
        command = fixture("slash_command")
        command["response_url"] = fake_slack.response_url("sock")
        envelope = await fake_slack.socket_send("slash_commands", command)
        ack = await fake_slack.socket_ack(envelope)
        assert ack["envelope_id"] == envelope
        await adapter.drain()
        assert fake_slack.responses and fake_slack.responses[-1]["response_type"] == "ephemeral"
        opened = fake_slack.calls("apps.connections.open")
        assert opened and opened[0].token == "xapp-1-test"

        home = await fake_slack.socket_send("events_api", fixture("app_home_opened"))
        await fake_slack.socket_ack(home)
        await adapter.drain()
        assert len(fake_slack.calls("views.publish")) == 1
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        await adapter.close()
