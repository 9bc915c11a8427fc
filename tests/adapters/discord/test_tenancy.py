"""Two guilds, one bot: an admin of guild A tries, as an attacker would, to make the bot post
or edit anything in guild B — through settings, the pulse form and forged components — and a
person in both guilds presses DM buttons that must be recorded under the guild that sent
them. Text the bot sends never pings anyone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.features.checkin.models import CheckIn
from bot.features.pulse.models import PulsePoll as Poll
from bot.kernel.events import TeamKey
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.repositories import Teams
from tests.adapters.discord.conftest import DiscordHarness, components_of, text_of
from tests.adapters.discord.fake_discord import Interaction, fixture

FOREIGN = "not one of them"


async def _guild_b(dc: DiscordHarness) -> tuple[str, str]:
    guild, channel = dc.fake.add_guild("Other Server")
    await dc.fake.add_bot_to_guild(guild)
    await dc.wait_for_team(TeamKey("discord", guild), active=True)
    return guild, channel


async def _run_in(dc: DiscordHarness, guild: str, name: str, text: str) -> Interaction:
    data = dc.fake.command_data(text, guild_id=None)
    record = await dc.fake.interact(2, dc.people[name], data, guild_id=guild)
    return await dc.settle(record)


def _writes_to(dc: DiscordHarness, channel: str) -> list[Any]:
    return dc.fake.calls_to("POST", rf"/channels/{channel}/messages") + dc.fake.calls_to(
        "PATCH", rf"/channels/{channel}/messages/\d+"
    )


async def _polls(dc: DiscordHarness) -> int:
    async with dc.services.db.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Poll)) or 0)


async def test_settings_cannot_name_a_channel_of_another_guild(dc: DiscordHarness) -> None:
    dc.expected_warnings.append("is not in guild")
    _guild, channel_b = await _guild_b(dc)
    dc.person("lead", admin=True)
    refused = await dc.run("lead", f"settings channel <#{channel_b}>")
    assert FOREIGN in dc.said(refused)
    async with dc.services.db.uow() as uow:
        team = await Teams(uow.session).get(TeamKey("discord", dc.guild))
        assert team is None or team.pulse_channel_id in (None, "")
    # even an id Discord has never heard of is refused, not stored
    unknown = await dc.run("lead", "settings channel <#123456789012345678>")
    assert FOREIGN in dc.said(unknown)
    await dc.run("lead", 'pulse ask "@everyone is this ours?" yesno')
    assert not _writes_to(dc, channel_b)
    assert len(dc.public()) == 1  # the pulse went to guild A's own channel


async def test_a_pulse_form_rewritten_to_another_guilds_channel_posts_nothing(
    dc: DiscordHarness,
) -> None:
    _guild, channel_b = await _guild_b(dc)
    dc.person("lead", admin=True)
    opened = await dc.run("lead", "pulse")
    assert opened.modal is not None
    assert opened.modal["custom_id"].endswith(dc.channel)
    form, _, _channel = opened.modal["custom_id"].rpartition("|")
    opened.modal["custom_id"] = f"{form}|{channel_b}"  # the attacker's edit
    values = {"question": "@everyone hello from A", "kind": "yesno", "closes": "2d"}
    forged = await dc.submit("lead", opened, values)
    assert "another channel" in dc.said(forged)
    assert not _writes_to(dc, channel_b)
    assert await _polls(dc) == 0


async def test_forged_components_change_nothing_in_another_guild(dc: DiscordHarness) -> None:
    dc.expected_warnings.append("not on its message")
    guild_b, channel_b = await _guild_b(dc)
    owner = dc.person("lead", admin=True)
    dc.fake.join(guild_b, owner, admin=True)
    asked = await _run_in(dc, guild_b, "lead", 'pulse ask "B only?" yesno')
    (poll_b,) = dc.public(channel_b)
    assert "B only" in text_of(poll_b), dc.said(asked)
    before = dict(dc.fake.messages[poll_b["id"]])
    writes = len(_writes_to(dc, channel_b))

    # guild A's admin presses B's "close" (copied key) from a message in guild A
    keys = [c["custom_id"] for c in components_of(poll_b)]
    mine = dc.last(await dc.run("lead", 'pulse ask "A poll" yesno'))
    for key in [*keys, "pulse:close|1", "pulse:results|1"]:
        data = fixture("interaction_component.json")["data"] | {
            "component_type": 2,
            "custom_id": key,
        }
        record = await dc.fake.interact(
            3, owner, data, guild_id=dc.guild, channel_id=dc.channel, message=mine
        )
        await dc.settle(record)
    # a DM button whose team tag was rewritten to guild B is ignored
    dm = dc.fake.dm_channel(owner)
    note = fixture("message.json") | {"id": dc.fake.ids.next(), "channel_id": dm, "components": []}
    forged_id = f"@{_b36(int(guild_b))}/pulse:close|1"
    data = fixture("interaction_component.json")["data"] | {
        "component_type": 2,
        "custom_id": forged_id,
    }
    record = await dc.fake.interact(3, owner, data, guild_id=None, message=note)
    await dc.settle(record)

    assert dc.fake.messages[poll_b["id"]] == before
    assert len(_writes_to(dc, channel_b)) == writes
    async with dc.services.db.uow() as uow:
        closed = await uow.session.scalar(
            select(func.count()).select_from(Poll).where(Poll.closed_at.is_not(None))
        )
    assert closed == 0


async def test_a_pulse_question_with_everyone_pings_no_one(dc: DiscordHarness) -> None:
    dc.person("lead", admin=True)
    await dc.run("lead", 'pulse ask "@everyone <@&1> <@2> are we ok?" yesno')
    (post,) = dc.fake.calls_to("POST", rf"/channels/{dc.channel}/messages")
    assert post.body["allowed_mentions"] == {"parse": []}
    assert "@everyone" in text_of(dc.public()[0])  # shown as text, pinging no one
    # interaction answers (callbacks, follow-ups) carry the same "no mentions"
    answers = [c for c in dc.fake.calls if c.path.startswith(("/interactions/", "/webhooks/"))]
    bodies = [c.body.get("data", c.body) for c in answers if isinstance(c.body, dict)]
    assert bodies and all(b.get("allowed_mentions") == {"parse": []} for b in bodies if b)


async def test_dm_buttons_are_recorded_under_the_guild_that_sent_them(
    dc: DiscordHarness,
) -> None:
    guild_b, _channel_b = await _guild_b(dc)
    ana = dc.person("ana")
    dc.fake.join(guild_b, ana)
    await dc.run("ana", "help")  # ana's home is guild A …
    started = await dc.run("ana", "checkin", dm=True)  # … so this DM check-in is A's
    message = dc.last(started)
    assert message.get("guild_id") is None, "the check-in is a DM"
    await _run_in(dc, guild_b, "ana", "help")  # ana's latest guild is now B
    tagged = [c["custom_id"] for c in components_of(message) if c["type"] == 2]
    assert tagged and all(i.startswith("@") for i in tagged)
    choice = [c["label"] for c in components_of(message) if "checkin:a" in c["custom_id"]][-1]
    await dc.click("ana", message["id"], choice)
    async with dc.services.db.uow() as uow:
        rows = (
            await uow.session.execute(
                select(Team.workspace_id).join(CheckIn, CheckIn.team_id == Team.id)
            )
        ).all()
        members = (
            await uow.session.execute(
                select(Team.workspace_id).join(Member, Member.team_id == Team.id)
            )
        ).all()
    assert [r[0] for r in rows] == [dc.guild]
    assert sorted(m[0] for m in members) == sorted([dc.guild, guild_b])


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, d = divmod(number, 36)
        out = digits[d] + out
    return out or "0"


async def test_a_demoted_admin_is_refused_at_once_and_dms_grant_no_rights(
    dc: DiscordHarness,
) -> None:
    lead = dc.person("lead", admin=True)
    assert "7" in dc.said(await dc.run("lead", "settings k 7"))
    dc.fake.join(dc.guild, lead, admin=False)  # Manage Server taken away a minute later
    refused = await dc.run("lead", "settings k 9")
    assert "admin" in dc.said(refused).lower()
    dc.fake.join(dc.guild, lead, admin=True)
    await dc.run("lead", "help")  # an admin again, remembered as such for DMs …
    in_dm = await dc.run("lead", "settings k 11", dm=True)  # … yet a DM carries no rights
    assert "admin" in dc.said(in_dm).lower()
    async with dc.services.db.uow() as uow:
        team = await Teams(uow.session).get(TeamKey("discord", dc.guild))
        assert team is not None and team.k_threshold == 7
