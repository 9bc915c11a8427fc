"""Slack `connect` against the fake Web API: the OAuth v2 user flow (state checked, token
stored encrypted), `dnd.setSnooze` until the next working window across a weekend, two public
holidays and a DST change (renewed each morning under Slack's cap), `users.profile.set` with
the right expiration, clearing on an early start, `auth.revoke` and deletion on `disconnect`,
and a revoked token: one clear message, no retry storm."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from bot.kernel.clock import FakeClock
from bot.kernel.storage.db import Database
from bot.kernel.storage.models.presence import SlackUserToken
from bot.security.secrets import decrypt_secret
from tests.adapters.slack.conftest import running_rig
from tests.adapters.slack.fake_slack import FakeSlack, Workspace
from tests.adapters.slack.rig import SlackRig, fixture
from tests.adapters.slack.test_oauth import _install
from tests.scheduling.support import play_until

CHATHAM = ZoneInfo("Pacific/Chatham")
USER_TOKEN = "xoxp-U1-user-token"


@pytest.fixture
async def rig(any_db: Database, clock: FakeClock, fake_slack: FakeSlack) -> AsyncIterator[SlackRig]:
    fake_slack.user("U1", tz="Pacific/Chatham")
    fake_slack.clock = clock.now
    fake_slack.tokens[USER_TOKEN] = Workspace("T1", "UBOT", "B1")
    # the workspace install itself (bot token) first, as in test_oauth
    install = fixture("oauth_v2_access")
    install.update(access_token="xoxb-test", bot_user_id="UBOT", authed_user={"id": "U1"})
    install["team"] = {"name": "Test Workspace", "id": "T1"}
    fake_slack.codes["code-T1"] = install
    async with running_rig(
        any_db,
        clock,
        fake_slack,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID="1111.2222",
        SLACK_CLIENT_SECRET="client-secret",
    ) as rig:
        status, _ = await _install(rig, "code-T1")
        assert status == 200
        yield rig


def user_answer(
    user: str = "U1", scope: str = "dnd:write,users.profile:write"
) -> dict[str, object]:
    # oauth.v2.access for a user-scope-only authorisation (Slack's documented shape)
    return {
        "ok": True,
        "app_id": "A1",
        "authed_user": {
            "id": user,
            "scope": scope,
            "access_token": USER_TOKEN,
            "token_type": "user",
        },
        "team": {"id": "T1", "name": "Test Workspace"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def said(rig: SlackRig) -> str:
    return "\n".join(shown.text for shown in rig.shown())


async def connect_link(rig: SlackRig) -> dict[str, list[str]]:
    await rig.command("connect")
    found = re.search(r"Authorise Crossfade at (\S+/oauth/v2/authorize\S+)", rig.last().text)
    assert found, rig.last().call.params
    parts = urlsplit(found.group(1).replace("&amp;", "&"))
    assert parts.path == "/oauth/v2/authorize"
    return parse_qs(parts.query)


async def redirect(rig: SlackRig, state: str, code: str = "user-code") -> tuple[int, str]:
    params = {"code": code, "state": state}
    async with rig.http.get(f"{rig.url}/slack/oauth_redirect", params=params) as page:
        return page.status, await page.text()


async def connected(rig: SlackRig, any_db: Database) -> None:
    query = await connect_link(rig)
    assert query["user_scope"] == ["dnd:write,users.profile:write"]
    assert "scope" not in query  # no bot scope: the workspace install has those
    rig.fake.codes["user-code"] = user_answer()
    status, page = await redirect(rig, query["state"][0])
    assert status == 200 and "Connected" in page


async def test_the_oauth_user_flow_checks_the_state_and_stores_the_token_encrypted(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    query = await connect_link(rig)
    state = query["state"][0]
    rig.fake.codes["user-code"] = user_answer()
    forged = state[:-1] + ("0" if state[-1] != "0" else "1")
    assert (await redirect(rig, forged))[0] == 400
    rig.fake.codes["other-code"] = user_answer(user="U2")  # someone else's account
    assert (await redirect(rig, state, "other-code"))[0] == 400
    rig.fake.codes["narrow-code"] = user_answer(scope="dnd:write")
    assert (await redirect(rig, state, "narrow-code"))[0] == 400
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(SlackUserToken)) is None
    assert (await redirect(rig, state))[0] == 200
    async with any_db.engine.connect() as conn:
        raw = (await conn.execute(text("SELECT token_encrypted FROM slack_user_tokens"))).scalar()
        installs = (await conn.execute(text("SELECT * FROM slack_installations"))).fetchall()
    assert raw and USER_TOKEN not in raw and decrypt_secret(raw) == USER_TOKEN
    assert all(USER_TOKEN not in str(row) for row in installs)
    # an expired link is refused
    clock.set(clock.now() + timedelta(minutes=11))
    assert (await redirect(rig, state))[0] == 400


async def test_logging_off_snoozes_until_the_next_working_window(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    await connected(rig, any_db)
    for command in ("holidays NZ", "workday 09:00-17:30"):
        await rig.command(command)
    # Thursday 2 April 2026, 17:40 in Chatham: Good Friday, the weekend (clocks go back an
    # hour on Sunday 5 April) and Easter Monday come before Tuesday 7 April 09:00.
    clock.set(datetime(2026, 4, 2, 17, 40, tzinfo=CHATHAM))
    await rig.command("done")
    assert "Slack notifications paused until Tue 09:00" in said(rig)
    back = datetime(2026, 4, 7, 9, 0, tzinfo=CHATHAM)
    await play_until(rig.engine, clock, back + timedelta(minutes=5))
    snoozes = rig.fake.calls("dnd.setSnooze")
    assert all(c.token == USER_TOKEN and c.response["ok"] for c in snoozes)
    assert len(snoozes) >= 5  # renewed each morning of the long break
    # each snooze lasts until the next renewal, and the last one ends at Tuesday 09:00
    starts = [c.at for c in snoozes if c.at is not None]
    ends = [
        at + timedelta(minutes=int(c["num_minutes"])) for at, c in zip(starts, snoozes, strict=True)
    ]
    assert all(end >= nxt for end, nxt in zip(ends, starts[1:], strict=False))
    assert ends[-1] == back
    profile = rig.fake.calls("users.profile.set")[0]["profile"]
    assert profile["status_text"] == "Logged off · back Tue 09:00"
    assert profile["status_emoji"] == ":crescent_moon:"
    assert profile["status_expiration"] == int(back.timestamp())


async def test_an_early_start_clears_snooze_and_status(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    await connected(rig, any_db)
    await rig.command("workday 09:00-17:30")
    clock.set(datetime(2026, 3, 10, 17, 35, tzinfo=CHATHAM))
    await rig.command("done")
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=1))
    assert rig.fake.calls("dnd.setSnooze")
    clock.set(datetime(2026, 3, 11, 7, 50, tzinfo=CHATHAM))
    await rig.command("start")
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=1))
    assert len(rig.fake.calls("dnd.endSnooze")) == 1
    cleared = rig.fake.calls("users.profile.set")[-1]["profile"]
    assert cleared == {"status_text": "", "status_emoji": "", "status_expiration": 0}


async def test_disconnect_revokes_and_deletes(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    await connected(rig, any_db)
    await rig.command("disconnect")
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=1))
    revoke = rig.fake.calls("auth.revoke")
    assert len(revoke) == 1 and revoke[0].token == USER_TOKEN
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(SlackUserToken)) is None


async def test_a_revoked_token_gets_a_clear_message_and_no_retry_storm(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    await connected(rig, any_db)
    await rig.command("workday 09:00-17:30")
    rig.fake.fail("dnd.setSnooze", "token_revoked")
    clock.set(datetime(2026, 3, 10, 17, 35, tzinfo=CHATHAM))
    await rig.command("done")
    await play_until(rig.engine, clock, clock.now() + timedelta(hours=6))
    assert len(rig.fake.calls("dnd.setSnooze")) == 1  # tried once, never again
    clock.set(datetime(2026, 3, 11, 17, 35, tzinfo=CHATHAM))
    await rig.command("done")
    assert "Your Slack connection stopped working (token_revoked)" in said(rig)
    await play_until(rig.engine, clock, clock.now() + timedelta(hours=6))
    assert len(rig.fake.calls("dnd.setSnooze")) == 1


async def test_the_first_interaction_on_the_morning_back_clears_too(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    await connected(rig, any_db)
    await rig.command("workday 09:00-17:30")
    clock.set(datetime(2026, 3, 13, 17, 35, tzinfo=CHATHAM))  # a Friday
    await rig.command("done")
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=1))
    clock.set(datetime(2026, 3, 14, 11, 0, tzinfo=CHATHAM))  # Saturday: stays snoozed
    await rig.command("me")
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=1))
    assert not rig.fake.calls("dnd.endSnooze")
    clock.set(datetime(2026, 3, 16, 8, 20, tzinfo=CHATHAM))  # Monday, before 09:00
    await rig.command("me")
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=1))
    assert len(rig.fake.calls("dnd.endSnooze")) == 1
    assert "Slack snooze and “Logged off” status are cleared" in said(rig)


async def test_automatic_the_log_off_time_itself_pauses_slack(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    await rig.command("connect auto on")
    assert "Connect first: `connect` authorises Crossfade" in rig.last().text
    await connected(rig, any_db)
    await rig.command("workday 09:00-17:30")
    await rig.command("connect")
    offer = rig.last()
    assert "“I'm logging off” pauses your Slack" in offer.text
    (auto,) = [b for b in offer.buttons if "Pause automatically" in b["text"]["text"]]
    await rig.press(offer, auto)
    assert "You're connected, automatic" in said(rig)
    async with any_db.uow() as uow:
        row = await uow.session.scalar(select(SlackUserToken))
        assert row is not None and row.auto_snooze
    # Tuesday 10 March, Chatham: nothing pressed, the 17:30 reminder itself pauses Slack
    clock.set(datetime(2026, 3, 10, 17, 0, tzinfo=CHATHAM))
    await play_until(rig.engine, clock, datetime(2026, 3, 10, 17, 40, tzinfo=CHATHAM))
    assert "Your Slack is paused until Wed 09:00 (automatic" in said(rig)
    snoozes = rig.fake.calls("dnd.setSnooze")
    assert len(snoozes) == 1 and snoozes[0].token == USER_TOKEN and snoozes[0].at is not None
    back = datetime(2026, 3, 11, 9, 0, tzinfo=CHATHAM)
    assert snoozes[0].at + timedelta(minutes=int(snoozes[0]["num_minutes"])) == back
    profile = rig.fake.calls("users.profile.set")[0]["profile"]
    assert profile["status_expiration"] == int(back.timestamp())
    # pressing "I'm logging off" afterwards does not snooze a second time
    await rig.command("done")
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=5))
    assert len(rig.fake.calls("dnd.setSnooze")) == 1
    # `connect auto off`: the next log-off time sends the reminder only
    await rig.command("connect auto off")
    assert "“I'm logging off” pauses your Slack" in rig.last().text
    await play_until(rig.engine, clock, datetime(2026, 3, 11, 17, 40, tzinfo=CHATHAM))
    assert len(rig.fake.calls("dnd.setSnooze")) == 1


async def test_forget_revokes_the_token_at_slack_before_deleting_it(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    await connected(rig, any_db)
    await rig.command("forget")
    ask = rig.last()
    (delete,) = [b for b in ask.buttons if "Delete everything" in b["text"]["text"]]
    await rig.press(ask, delete)
    assert "Nothing about you is left in Crossfade" in said(rig)
    async with any_db.uow() as uow:  # gone from the database at once
        assert await uow.session.scalar(select(SlackUserToken)) is None
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=1))
    revoke = rig.fake.calls("auth.revoke")
    assert len(revoke) == 1 and revoke[0].token == USER_TOKEN and revoke[0].response["ok"]
    assert USER_TOKEN not in rig.fake.tokens  # dead at Slack, not just forgotten here
    # the outbox and the schedule hold the token only sealed, never in clear
    async with any_db.engine.connect() as conn:
        for table in ("outbox", "schedules"):
            rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()
            assert USER_TOKEN not in repr(rows)
