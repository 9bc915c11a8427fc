"""``adapters.slack.serve``: what ``crossfade run`` starts — HTTP mode on PORT with health and
metrics, the notifier registered, misconfiguration refused with a clear sentence."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import aiohttp
import pytest
from sqlalchemy import select, update

from adapters.slack import serve
from adapters.slack.app import SlackConfigError
from adapters.slack.notifier import SlackNotifier
from bot.bootstrap import make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.events import TeamKey
from bot.kernel.services import Services
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Team
from bot.kernel.storage.repositories import Teams
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.rig import command_body, signed_headers
from tests.support.null_engine import NullEngine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    for _ in range(100):
        try:
            async with http.get(url) as response:
                return response.status, await response.text()
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never answered")


async def test_serve_runs_http_mode_until_cancelled(
    db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    port = _free_port()
    settings = slack_settings(fake_slack, PORT=port)
    bot = make_bot(db=db, clock=clock, settings=settings)
    engine = NullEngine()
    services = Services(settings=settings, db=db, clock=clock, bot=bot, engine=engine)
    # an earlier app_uninstalled: starting with a working token means installed again
    async with db.uow() as uow:
        await Teams(uow.session).get_or_create(TeamKey("slack", "T1"))
        await uow.session.execute(update(Team).values(active=False))
        await uow.commit()
    running = asyncio.create_task(serve(services))
    try:
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            status, body = await _get(http, f"{base}/healthz")
            assert (status, body) == (200, "ok")
            body_text = command_body("help", response_url=fake_slack.response_url("s"))
            headers = signed_headers(body_text, content_type="application/x-www-form-urlencoded")
            async with http.post(f"{base}/slack/events", data=body_text, headers=headers) as r:
                assert r.status == 200
            status, metrics = await _get(http, f"{base}/metrics")
            assert status == 200
            assert 'crossfade_slack_requests_total{kind="command",status="200"}' in metrics
            assert "crossfade_deliveries_sent" in metrics  # the engine's registry too
            status, _ = await _get(http, f"{base}/slack/install")
            assert status == 404  # single-workspace mode has no OAuth install
        assert any(isinstance(n, SlackNotifier) for n in engine.notifiers)
        async with db.uow() as uow:
            team = await uow.session.scalar(select(Team))
            assert team is not None and team.active
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert fake_slack.responses, "the command was answered"


async def test_http_mode_without_a_signing_secret_is_refused(
    db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(fake_slack, SLACK_SIGNING_SECRET="")
    bot = make_bot(db=db, clock=clock, settings=settings)
    services = Services(settings=settings, db=db, clock=clock, bot=bot, engine=NullEngine())
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        await serve(services)


async def test_no_token_and_no_oauth_is_refused(
    db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(fake_slack, SLACK_BOT_TOKEN="")
    bot = make_bot(db=db, clock=clock, settings=settings)
    services = Services(settings=settings, db=db, clock=clock, bot=bot, engine=NullEngine())
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        await serve(services)
