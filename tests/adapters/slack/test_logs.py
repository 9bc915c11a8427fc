"""Logs at DEBUG through an OAuth install and a pulse vote on the real Slack app: no token,
no OAuth code, no secret, and no line that names a person next to an answer."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text

from bot.kernel.clock import FakeClock
from bot.kernel.storage.db import Database
from tests.adapters.slack.conftest import running_rig
from tests.adapters.slack.fake_slack import FakeSlack, Workspace
from tests.adapters.slack.rig import SECRET, fixture
from tests.adapters.slack.test_oauth import CLIENT_ID, _install
from tests.support.logs import debug_logs

LABELS = ("Lunch on Monday", "Lunch on Tuesday")


async def test_debug_logs_of_an_install_and_a_vote_hold_no_secret(
    db: Database, clock: FakeClock, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tests.adapters.slack.rig.fixture", _in_t2)
    fake_slack.tokens.pop("xoxb-test")
    fake_slack.tokens["xoxb-T2-token"] = Workspace("T2", "UBOT2", "B2", "Second Workspace")
    access = fixture("oauth_v2_access")
    fake_slack.codes["code-T2"] = access
    secrets = ("client-secret", SECRET, "code-T2", "xoxb-T2-token")
    with debug_logs(secrets) as out:
        async with running_rig(
            db,
            clock,
            fake_slack,
            SLACK_BOT_TOKEN="",
            SLACK_CLIENT_ID=CLIENT_ID,
            SLACK_CLIENT_SECRET="client-secret",
        ) as rig:
            status, _ = await _install(rig)
            assert status == 200
            ask = f'pulse ask "Lunch day?" options {", ".join(LABELS)}'
            await rig.command(ask, channel="C1", team_id="T2", user="UA")
            poll = next(s for s in rig.shown() if s.buttons and s.channel == "C1")
            for n, user in enumerate(("UVOTER1", "UVOTER2", "UVOTER3")):
                await _press(rig, poll, n % 2, user)
            logging.getLogger("bot.test").debug("debug is on")
    async with db.engine.connect() as conn:
        votes = await conn.execute(text("SELECT count(*) FROM pulse_participants"))
        assert votes.scalar_one() == 3  # the three votes were taken
    lines = out.getvalue().splitlines()
    assert any("debug is on" in line for line in lines)  # DEBUG really was on
    assert any(" DEBUG " in line or " INFO " in line for line in lines[:-1])
    everything = out.getvalue()
    for secret in (*secrets, "xoxb-", "xoxp-", "xoxe-", "client_secret="):
        assert secret not in everything, secret
    for line in lines:
        voter = any(u in line for u in ("UVOTER1", "UVOTER2", "UVOTER3"))
        assert not (voter and any(label in line for label in LABELS)), line
        assert "pulse:answer" not in line, line  # a button value names the answer


async def _press(rig, poll, index, user):  # type: ignore[no-untyped-def]
    current = next(s for s in rig.shown() if s.channel == "C1" and s.ts == poll.ts)
    await rig.press(current, current.buttons[index], user=user)


def _in_t2(name: str) -> dict[str, Any]:
    data = fixture(name)
    if isinstance(data.get("team"), dict):
        data["team"]["id"] = "T2"
    if isinstance(data.get("user"), dict):
        data["user"]["team_id"] = "T2"
    return data
