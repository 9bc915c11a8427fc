"""People and guilds: time zones (asked, with autocomplete), admins, DMs that belong to a
home guild, guilds joining and leaving."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from adapters.discord.handler import NO_HOME
from bot.kernel.clock import FakeClock
from bot.kernel.events import TeamKey
from bot.kernel.storage.models import Member
from bot.kernel.storage.repositories import Teams
from tests.adapters.discord.conftest import DiscordHarness, components_of, is_ephemeral, text_of
from tests.adapters.discord.fake_discord import fixture

DM_OPEN = r"/users/@me/channels"


async def test_zone_is_asked_when_a_reminder_first_needs_it_and_chosen_from_a_list(
    dc: DiscordHarness,
) -> None:
    dc.person("ana")
    record = await dc.run("ana", "logoff 17:30")
    # the answer, then the question, both private
    prompt = dc.last(record)
    assert is_ephemeral(prompt)
    (select_menu,) = [c for c in components_of(prompt) if c["type"] == 3]
    assert select_menu["custom_id"] == "personal:timezone"
    assert select_menu["options"][0]["value"] == "UTC"  # the team default first
    chosen = await dc.choose("ana", prompt["id"], "Kolkata (Asia/Kolkata)")
    assert "Asia/Kolkata" in dc.said(chosen)
    again = await dc.run("ana", "logoff 18:00")
    assert not [c for c in components_of(dc.last(again)) if c["type"] == 3]


async def test_time_zones_and_templates_autocomplete(dc: DiscordHarness) -> None:
    dc.person("ana")
    assert (await dc.complete("ana", "timezone berl"))[0] == "Europe/Berlin"
    assert "America/New_York" in await dc.complete("ana", "timezone")
    templates = await dc.complete("ana", "pulse ask ")
    assert templates and all(t.startswith("ask ") for t in templates)
    forms = await dc.complete("ana", "checkin ")
    assert "at HH:MM" in forms and "off" in forms
    assert len(await dc.complete("ana", "timezone a")) <= 25


async def test_settings_shows_fields_and_only_admins_change_them(dc: DiscordHarness) -> None:
    dc.person("lead", admin=True)
    dc.person("ana")
    view = dc.last(await dc.run("ana", "settings"))
    assert view["embeds"], "fields are shown as embed fields"
    names = [f["name"] for e in view["embeds"] for f in e.get("fields", [])]
    assert "Time zone" in names and "Minimum answers before results show" in names

    refused = await dc.run("ana", "settings k 7")
    assert is_ephemeral(dc.last(refused))
    assert "admin" in dc.said(refused).lower()
    refused = await dc.run("ana", "settings channel here")
    assert "admin" in dc.said(refused).lower()

    done = await dc.run("lead", "settings channel here")
    assert "#general" in dc.said(done)
    # a #channel mention typed in the option is shown with its name
    done = await dc.run("lead", f"settings channel <#{dc.channel}>")
    assert "#general" in dc.said(done)
    assert "7" in dc.said(await dc.run("lead", "settings k 7"))


async def test_dms_belong_to_the_guild_where_the_person_uses_the_bot(dc: DiscordHarness) -> None:
    dc.person("ana")
    stranger = await dc.run("ana", "help", dm=True)
    assert NO_HOME in dc.said(stranger)  # never used in a guild: told where to start

    await dc.run("ana", "help")  # in the guild
    await dc.run("ana", "timezone Europe/Lisbon", dm=True)
    shown = await dc.run("ana", "timezone")  # back in the guild: the same person, same team
    assert "Europe/Lisbon" in dc.said(shown)
    async with dc.services.db.uow() as uow:
        teams = list(await uow.session.scalars(select(Member.team_id).distinct()))
    assert len(teams) == 1


async def test_text_in_a_dm_is_answered_in_the_dm(dc: DiscordHarness) -> None:
    dc.person("ana")
    await dc.run("ana", "help")
    user = dc.people["ana"]
    dm = dc.fake.dm_channel(user)
    message = fixture("message.json") | {
        "id": dc.fake.ids.next(),
        "channel_id": dm,
        "author": dc.fake.users[user],
        "content": "hello there",
    }
    before = len(dc.fake.calls_to("POST", rf"/channels/{dm}/messages"))
    await dc.fake.dispatch("MESSAGE_CREATE", message, guild_id=None)
    await dc.wait_for(lambda: len(dc.fake.calls_to("POST", rf"/channels/{dm}/messages")) > before)
    reply = dc.fake.channel_messages(dm)[-1]
    assert "/crossfade" in text_of(reply)


async def test_leaving_a_guild_stops_its_team_and_joining_again_resumes(
    dc: DiscordHarness, clock: FakeClock
) -> None:
    dc.person("ana")
    await dc.run("ana", "logoff 17:30")
    key = TeamKey("discord", dc.guild)
    await dc.fake.remove_guild(dc.guild)
    await dc.wait_for_team(key, active=False)
    clock.set(datetime(2026, 3, 2, 17, 30, tzinfo=UTC))
    await dc.services.engine.run_due()
    assert not dc.fake.calls_to("POST", DM_OPEN)  # its reminders stopped
    await dc.fake.add_bot_to_guild(dc.guild)
    await dc.wait_for_team(key, active=True)
    async with dc.services.db.uow() as uow:
        team = await Teams(uow.session).get(key)
        assert team is not None and team.name == "Crossfade Testers"


async def test_a_dm_after_a_restart_still_finds_its_guild(dc: DiscordHarness) -> None:
    dc.person("ana")
    await dc.run("ana", "timezone Europe/Oslo")
    await dc.restart()  # nothing cached any more: the home comes from the database
    shown = await dc.run("ana", "timezone", dm=True)
    assert "Europe/Oslo" in dc.said(shown)


async def test_someone_with_dms_closed_is_told_how_to_open_them(dc: DiscordHarness) -> None:
    dc.person("ana")
    dc.fake.dms_closed.add(dc.people["ana"])
    record = await dc.run("ana", "export")
    said = dc.said(record)
    assert "couldn't send you a DM" in said and "Privacy Settings" in said


async def test_a_channel_the_bot_cannot_post_in_is_explained(dc: DiscordHarness) -> None:
    dc.person("lead", admin=True)
    dc.fake.channels_closed.add(dc.channel)
    record = await dc.run("lead", 'pulse ask "Able to disconnect?" yesno')
    assert f"can't post in <#{dc.channel}>" in dc.said(record)
    assert is_ephemeral(dc.last(record))


async def test_bare_placeholders_are_not_offered_as_completions(dc: DiscordHarness) -> None:
    dc.person("ana")
    assert "<command>" not in await dc.complete("ana", "help")
    assert "HH:MM" not in await dc.complete("ana", "logoff")
