"""Many workspaces: the OAuth v2 install over HTTP, installations and states in the bot's
own database, per-workspace tokens, uninstall and reinstall."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from adapters.slack.models import SlackInstallation, SlackOAuthState
from bot.kernel.clock import FakeClock
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from tests.adapters.slack.conftest import running_rig
from tests.adapters.slack.fake_slack import FakeSlack, Workspace
from tests.adapters.slack.rig import SlackRig, fixture

CLIENT_ID = "1111.2222"


@pytest.fixture
async def multi(
    any_db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> AsyncIterator[SlackRig]:
    fake_slack.tokens.pop("xoxb-test")
    fake_slack.tokens["xoxb-T2-token"] = Workspace("T2", "UBOT2", "B2", "Second Workspace")
    fake_slack.codes["code-T2"] = fixture("oauth_v2_access")
    async with running_rig(
        any_db,
        clock,
        fake_slack,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET="client-secret",
    ) as rig:
        yield rig


async def _install(rig: SlackRig, code: str = "code-T2") -> tuple[int, str]:
    async with rig.http.get(f"{rig.url}/slack/install") as page:
        assert page.status == 200
        body = await page.text()
    link = html.unescape(re.search(r'<a href="([^"]+)"', body).group(1))  # type: ignore[union-attr]
    parts = urlsplit(link)
    query = parse_qs(parts.query)
    # Slack's own OAuth page, on the host of SLACK_API_URL (GovSlack, local testing)
    assert f"{parts.scheme}://{parts.netloc}" == rig.fake.base
    assert parts.path == "/oauth/v2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) >= {"commands", "chat:write", "users:read"}
    state = query["state"][0]
    cookie = {"Cookie": f"slack-app-oauth-state={state}"}
    async with rig.http.get(
        f"{rig.url}/slack/oauth_redirect", params={"code": code, "state": state}, headers=cookie
    ) as done:
        text = await done.text()
        status = done.status
    await rig.settle()
    return status, text


async def test_install_stores_the_workspace_and_welcomes_the_installer(
    multi: SlackRig, any_db: Database
) -> None:
    status, _ = await _install(multi)
    assert status == 200
    access = multi.fake.calls("oauth.v2.access")
    assert len(access) == 1 and access[0]["code"] == "code-T2"
    scheme, credentials = access[0].token.split()
    assert (scheme, base64.b64decode(credentials)) == ("Basic", b"1111.2222:client-secret")
    async with any_db.uow() as uow:
        row = await uow.session.scalar(select(SlackInstallation))
        assert row is not None
        assert (row.slack_team_id, row.bot_token, row.bot_user_id) == (
            "T2",
            "xoxb-T2-token",
            "UBOT2",
        )
        assert row.bot_id == "B2"  # from auth.test during the install
        team = await uow.session.get(Team, row.team_id)
        assert team is not None and (team.workspace_id, team.active) == ("T2", True)
        assert team.name == "Second Workspace"
        # the state was used once and is gone
        assert await uow.session.scalar(select(SlackOAuthState)) is None
    welcome = multi.fake.calls("chat.postMessage")
    assert welcome and welcome[0]["channel"] == "DU9"
    assert welcome[0].token == "xoxb-T2-token"
    assert "/crossfade" in json.dumps(welcome[0]["blocks"])


async def test_requests_from_an_installed_workspace_use_its_token(multi: SlackRig) -> None:
    await _install(multi)
    multi.fake.clear()
    await multi.command("help", user="U5", team_id="T2")
    await multi.command("timezone", user="U5", team_id="T2")
    assert multi.fake.responses, "no answer"
    calls = multi.fake.calls("users.info")
    assert [c.token for c in calls] == ["xoxb-T2-token"]
    # the stored installation answers Bolt's authorize: no auth.test per request
    assert multi.fake.calls("auth.test") == []


async def test_a_workspace_that_never_installed_gets_nothing(
    multi: SlackRig, any_db: Database
) -> None:
    await multi.command("help", user="U5", team_id="T3")
    assert multi.fake.calls("users.info") == []
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(Member)) is None


async def test_a_forged_state_is_refused(multi: SlackRig, any_db: Database) -> None:
    async with multi.http.get(
        f"{multi.url}/slack/oauth_redirect",
        params={"code": "code-T2", "state": "made-up"},
        headers={"Cookie": "slack-app-oauth-state=made-up"},
    ) as response:
        assert response.status in (400, 401)
    assert multi.fake.calls("oauth.v2.access") == []
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(SlackInstallation)) is None


async def test_a_state_from_another_browser_is_refused(multi: SlackRig) -> None:
    async with multi.http.get(f"{multi.url}/slack/install") as page:
        body = await page.text()
    link = html.unescape(re.search(r'<a href="([^"]+)"', body).group(1))  # type: ignore[union-attr]
    state = parse_qs(urlsplit(link).query)["state"][0]
    async with multi.http.get(
        f"{multi.url}/slack/oauth_redirect", params={"code": "code-T2", "state": state}
    ) as response:
        assert response.status == 400  # no cookie: not the browser that started
    assert multi.fake.calls("oauth.v2.access") == []


async def test_uninstall_removes_tokens_and_deactivates_then_reinstall_revives(
    multi: SlackRig, any_db: Database
) -> None:
    await _install(multi)
    uninstalled = fixture("app_uninstalled")
    uninstalled["team_id"] = "T2"
    assert (await multi.event(uninstalled)).status == 200
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(SlackInstallation)) is None
        team = await uow.session.scalar(select(Team).where(Team.workspace_id == "T2"))
        assert team is not None and team.active is False
    multi.fake.clear()
    await multi.command("help", user="U5", team_id="T2")
    assert multi.fake.calls("users.info") == []  # no token: nothing processed
    status, _ = await _install(multi)
    assert status == 200
    async with any_db.uow() as uow:
        team = await uow.session.scalar(select(Team).where(Team.workspace_id == "T2"))
        assert team is not None and team.active is True
    await multi.command("help", user="U5", team_id="T2")
    assert multi.fake.calls("users.info")
