"""The adapter's storage on SQLite and the real PostgreSQL: installations, OAuth states,
event receipts, people's facts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import aiohttp
import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from adapters.slack.authorize import StoredAuthorize
from adapters.slack.models import SlackEventReceipt, SlackInstallation, SlackUser
from adapters.slack.oauth import InstallationStore, StateStore
from adapters.slack.people import People
from adapters.slack.receipts import EventReceipts
from bot.kernel.clock import FakeClock
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Team
from tests.adapters.slack.fake_slack import FakeSlack


def _installation(team: str = "T2", token: str = "xoxb-2", user: str = "U9") -> Installation:
    return Installation(
        app_id="A1",
        team_id=team,
        team_name=f"Team {team}",
        bot_token=token,
        bot_id="B2",
        bot_user_id="UBOT2",
        bot_scopes="commands,chat:write",
        user_id=user,
    )


async def test_installations_round_trip_one_row_per_workspace(any_db: Database) -> None:
    changed: list[tuple[str, str]] = []
    store = InstallationStore(any_db, client_id="c1", on_change=lambda e, t: changed.append((e, t)))
    await store.async_save(_installation(token="xoxb-old"))
    await store.async_save(_installation(token="xoxb-new"))
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(SlackInstallation)) == 1
    bot = await store.async_find_bot(enterprise_id=None, team_id="T2")
    assert (
        bot is not None
        and bot.bot_token == "xoxb-new"
        and bot.bot_scopes == ["commands", "chat:write"]
    )
    found = await store.async_find_installation(enterprise_id=None, team_id="T2")
    assert found is not None and found.user_id == "U9" and found.team_name == "Team T2"
    assert (
        await store.async_find_installation(enterprise_id=None, team_id="T2", user_id="U1") is None
    )
    assert await store.bot_token("T2") == "xoxb-new"
    assert await store.bot_token("T3") is None
    # another app (client id) sharing the database sees nothing of ours
    other = InstallationStore(any_db, client_id="c2")
    assert await other.async_find_bot(enterprise_id=None, team_id="T2") is None
    assert changed == [("", "T2"), ("", "T2")]


async def test_deleting_the_bot_then_everything(any_db: Database) -> None:
    store = InstallationStore(any_db, client_id="c1")
    await store.async_save(_installation())
    await store.async_delete_bot(enterprise_id=None, team_id="T2")
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
    assert await store.bot_token("T2") is None
    await store.async_delete_all(enterprise_id=None, team_id="T2")
    assert await store.async_find_installation(enterprise_id=None, team_id="T2") is None


async def test_an_org_wide_install_serves_its_workspaces(any_db: Database) -> None:
    store = InstallationStore(any_db, client_id="c1")
    org = Installation(
        enterprise_id="E1",
        team_id=None,
        bot_token="xoxb-org",
        bot_id="B",
        bot_user_id="UB",
        user_id="U1",
        is_enterprise_install=True,
    )
    await store.async_save(org)
    bot = await store.async_find_bot(enterprise_id="E1", team_id="T5", is_enterprise_install=True)
    assert bot is not None and bot.bot_token == "xoxb-org"
    assert await store.bot_token("E1") == "xoxb-org"


async def test_deleting_the_team_deletes_its_installation(any_db: Database) -> None:
    store = InstallationStore(any_db, client_id="c1")
    await store.async_save(_installation())
    async with any_db.uow() as uow:
        team = await uow.session.scalar(select(Team).where(Team.workspace_id == "T2"))
        await uow.session.delete(team)
        await uow.commit()
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None


async def test_authorize_is_cached_and_forgets_on_change(any_db: Database) -> None:
    store = InstallationStore(any_db, client_id="c1")
    now = [0.0]
    authorize = StoredAuthorize(store, ttl=60, monotonic=lambda: now[0])
    store.on_change = authorize.forget
    context = SimpleNamespace(is_enterprise_install=False)
    assert await authorize(context=context, enterprise_id=None, team_id="T2", user_id="U1") is None  # type: ignore[arg-type]
    await store.async_save(_installation())
    result = await authorize(context=context, enterprise_id=None, team_id="T2", user_id="U1")  # type: ignore[arg-type]
    assert result is not None
    assert (result.bot_token, result.bot_user_id, result.user_id, result.team_id) == (
        "xoxb-2",
        "UBOT2",
        "U1",
        "T2",
    )
    await store.async_delete_all(enterprise_id=None, team_id="T2")
    assert await authorize(context=context, enterprise_id=None, team_id="T2", user_id="U1") is None  # type: ignore[arg-type]


async def test_oauth_states_are_used_once_and_expire(any_db: Database, clock: FakeClock) -> None:
    states = StateStore(any_db, clock=clock, expiration_seconds=600)
    first = await states.async_issue()
    assert await states.async_consume(first)
    assert not await states.async_consume(first)  # never twice
    late = await states.async_issue()
    clock.advance(timedelta(minutes=11))
    assert not await states.async_consume(late)
    assert not await states.async_consume("")
    assert not await states.async_consume("never-issued")


async def test_event_receipts_on_concurrent_deliveries(any_db: Database, clock: FakeClock) -> None:
    receipts = EventReceipts(any_db, clock=clock)
    results = await asyncio.gather(*(receipts.first_time("T1", "Ev1") for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert await receipts.first_time("T2", "Ev1")  # another workspace's event
    assert await receipts.first_time("T1", "")  # no id: cannot tell, so it is processed
    clock.advance(timedelta(hours=2))
    assert await receipts.prune() == 2
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(SlackEventReceipt)) == 0


@pytest.fixture
async def slack_client(fake_slack: FakeSlack) -> AsyncWebClient:
    session = aiohttp.ClientSession()
    yield AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url, session=session)  # type: ignore[misc]
    await session.close()


async def test_people_facts_are_refreshed_after_their_ttl(
    any_db: Database, clock: FakeClock, fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    team = TeamKey("slack", "T1")
    fake_slack.user("U1", tz="Asia/Tokyo", is_admin=True, display_name="Kei")
    people = People(any_db, clock=clock, ttl=timedelta(hours=12))
    person = await people.facts(team, "U1", slack_client)
    assert (person.display_name, person.timezone, person.is_admin) == ("Kei", "Asia/Tokyo", True)
    await people.facts(team, "U1", slack_client)
    assert len(fake_slack.calls("users.info")) == 1
    fake_slack.user("U1", tz="Europe/Lisbon")
    clock.advance(timedelta(hours=13))
    person = await people.facts(team, "U1", slack_client)
    assert person.timezone == "Europe/Lisbon" and not person.is_admin
    assert len(fake_slack.calls("users.info")) == 2
    async with any_db.uow() as uow:
        row = await uow.session.scalar(select(SlackUser))
        assert row is not None and row.timezone == "Europe/Lisbon"


async def test_an_unknown_zone_from_slack_is_ignored(
    any_db: Database, clock: FakeClock, fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    fake_slack.user("U1", tz="Mars/Olympus_Mons")
    person = await People(any_db, clock=clock).facts(TeamKey("slack", "T1"), "U1", slack_client)
    assert person.timezone is None


async def test_dm_channels_are_opened_once_across_instances(
    any_db: Database, clock: FakeClock, fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    team = TeamKey("slack", "T1")
    one, two = People(any_db, clock=clock), People(any_db, clock=clock)
    assert await one.dm_channel(team, "U1", slack_client) == "DU1"
    assert await two.dm_channel(team, "U1", slack_client) == "DU1"  # from the table
    assert len(fake_slack.calls("conversations.open")) == 1
    await one.remember_dm(team, "U2", "DU2-learned")
    assert await two.dm_channel(team, "U2", slack_client) == "DU2-learned"
