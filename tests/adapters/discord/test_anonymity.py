"""Anonymity through the real discord.py client: a vote writes nothing about the voter, and
a late second `forget` confirmation recreates nothing."""

from __future__ import annotations

import copy
import logging
from typing import Any

from tests.adapters.discord.conftest import DiscordHarness, components_of, text_of
from tests.adapters.discord.fake_discord import fixture
from tests.support.logs import debug_logs
from tests.support.rows import every_row, rows_about


def _buttons(message: dict[str, Any]) -> list[str]:
    return [c["label"] for c in components_of(message) if c["type"] == 2]


async def _poll(dc: DiscordHarness) -> dict[str, Any]:
    dc.person("lead", admin=True)
    await dc.run("lead", 'pulse ask "Able to disconnect?" yesno')
    (poll,) = dc.public()
    return poll


async def test_a_vote_creates_and_refreshes_nothing_about_the_voter(dc: DiscordHarness) -> None:
    poll = await _poll(dc)
    db = dc.services.db
    newcomer, regular = dc.person("newcomer"), dc.person("regular")
    await dc.run("regular", "help")
    before = await every_row(db)
    for name in ("newcomer", "regular"):
        record = await dc.click(name, poll["id"], _buttons(poll)[0])
        assert "is in" in dc.said(record)
    after = await every_row(db)
    assert rows_about(after, newcomer) == []  # no member, no discord_users row
    assert rows_about(after, regular) == rows_about(before, regular)
    assert after["discord_users"] == before["discord_users"]
    assert len(after["pulse_ballots"]) == 2


async def test_forget_and_a_late_second_confirm_leave_no_row(dc: DiscordHarness) -> None:
    poll = await _poll(dc)
    ana = dc.person("ana")
    await dc.run("ana", "quiet 21:00-07:00")
    await dc.click("ana", poll["id"], _buttons(poll)[0])
    assert rows_about(await every_row(dc.services.db), ana)
    asked = copy.deepcopy(dc.last(await dc.run("ana", "forget")))
    done = await dc.click("ana", asked["id"], "Delete everything")
    assert "Deleted" in dc.said(done)
    rows = await every_row(dc.services.db)
    assert rows_about(rows, ana) == [], rows_about(rows, ana)
    # the same confirmation pressed again later (a second tab, a slow network)
    # (the copy of the message the person still sees, with its button), handled by an
    # instance whose memory of homes has expired
    assert dc.client is not None
    dc.client.crossfade.homes._homes.pop(ana)
    button = next(c for c in components_of(asked) if c.get("label") == "Delete everything")
    data = fixture("interaction_component.json")["data"]
    data |= {"component_type": 2, "custom_id": button["custom_id"]}
    late = await dc._component("ana", asked, data)
    assert "Already done" in dc.said(late) or "nothing" in text_of(dc.last(late)).lower()
    rows = await every_row(dc.services.db)
    assert rows_about(rows, ana) == [], rows_about(rows, ana)
    assert len(rows["pulse_participants"]) == 1  # the open poll's mark (no id in it)


async def test_a_poll_of_a_hidden_channel_is_listed_only_there(dc: DiscordHarness) -> None:
    dc.person("lead", admin=True)
    dc.person("other")
    leads = dc.fake.add_channel(dc.guild, "leads", hidden=True)
    data = dc.fake.command_data('pulse ask "Is the reorg stressful?" yesno', guild_id=None)
    record = await dc.fake.interact(2, dc.people["lead"], data, guild_id=dc.guild, channel_id=leads)
    await dc.settle(record)
    await dc.run("lead", 'pulse ask "Lunch on Friday?" yesno')
    elsewhere = dc.said(await dc.run("other", "pulse list"))
    assert "Lunch on Friday?" in elsewhere and "reorg" not in elsewhere
    data = dc.fake.command_data("pulse list", guild_id=None)
    there = await dc.fake.interact(2, dc.people["other"], data, guild_id=dc.guild, channel_id=leads)
    assert "reorg" in dc.said(await dc.settle(there))


async def test_debug_logs_of_a_vote_hold_no_button_value_and_no_token(
    dc: DiscordHarness,
) -> None:
    poll = await _poll(dc)
    voter = dc.person("voter")
    with debug_logs(secrets=("test-token",)) as out:
        record = await dc.click("voter", poll["id"], _buttons(poll)[1])
        assert "is in" in dc.said(record)
        logging.getLogger("bot.test").debug("debug is on")
    text = out.getvalue()
    assert "debug is on" in text
    # discord.py's gateway logs every event at DEBUG, the pressed button's custom id included
    assert "pulse:answer" not in text and "INTERACTION_CREATE" not in text
    assert "test-token" not in text
    assert not any(voter in line and "No" in line.split() for line in text.splitlines())
