"""Anonymity through the real Slack app: a vote writes nothing about the voter, and after
`forget` the App Home refresh recreates nothing."""

from __future__ import annotations

from bot.kernel.storage.db import Database
from tests.adapters.slack.rig import SlackRig, fixture
from tests.support.rows import every_row, rows_about


async def _poll(rig: SlackRig):  # type: ignore[no-untyped-def]
    rig.fake.user("U1", is_admin=True)
    await rig.command('pulse ask "Able to disconnect?" yesno', channel="C1")
    return next(s for s in rig.shown() if s.buttons and s.channel == "C1" and not s.ephemeral)


async def test_a_vote_creates_and_refreshes_nothing_about_the_voter(
    rig: SlackRig, db: Database
) -> None:
    poll = await _poll(rig)
    # U9 has used the bot before: their rows exist and must not be touched by the vote.
    rig.fake.user("U9", display_name="Nine")
    await rig.command("help", user="U9", channel="C1")
    rig.fake.user("U9", display_name="Renamed", is_admin=True)  # Slack now says otherwise
    rig.adapter.people.forget(_team())  # a fresh process: Slack is asked again
    before = await every_row(db)
    for user in ("U7", "U9"):
        current = next(s for s in rig.shown() if s.channel == "C1" and s.ts == poll.ts)
        await rig.press(current, current.buttons[0], user=user)
    after = await every_row(db)
    assert rows_about(after, "U7") == []  # a first-time voter: no member, no slack_users row
    assert rows_about(after, "U9") == rows_about(before, "U9")  # nothing refreshed
    assert len(after["pulse_ballots"]) == 2 and len(after["pulse_participants"]) == 2
    assert all(after[t] == before[t] for t in ("members", "slack_users", "conversations"))


async def test_forget_then_the_home_refresh_leaves_no_row(rig: SlackRig, db: Database) -> None:
    poll = await _poll(rig)
    await rig.event(fixture("app_home_opened"))  # U1 looks at their Home tab
    await rig.command("quiet 21:00-07:00", channel="C1")
    current = next(s for s in rig.shown() if s.channel == "C1" and s.ts == poll.ts)
    await rig.press(current, current.buttons[0], user="U1")
    assert rows_about(await every_row(db), "U1")
    await rig.command("forget", channel="C1")
    asked = rig.last_with_buttons()
    assert asked is not None
    rig.fake.clear()
    await rig.press(asked, asked.button("Delete everything"))
    assert "Deleted" in rig.last().text
    # the Home tab was refreshed after the confirmation, and shows nothing about them …
    assert rig.fake.calls("views.publish")
    assert "Nothing is stored about you" in str(rig.home_view())
    # … and no row references U1, except the open poll's participation mark, which holds
    # no id (a keyed hash) and goes when the poll closes.
    rows = await every_row(db)
    assert rows_about(rows, "U1") == [], rows_about(rows, "U1")
    assert len(rows["pulse_participants"]) == 1


def _team():  # type: ignore[no-untyped-def]
    from bot.kernel.events import TeamKey

    return TeamKey("slack", "T1")


async def test_a_poll_of_a_private_channel_is_listed_only_there(rig: SlackRig) -> None:
    rig.fake.private_channels.add("C9")
    rig.fake.user("U1", is_admin=True)
    await rig.command('pulse ask "Is the reorg stressful?" yesno', channel="C9")
    await rig.command('pulse ask "Lunch on Friday?" yesno', channel="C1")
    await rig.command("pulse list", channel="C1", user="U2")
    elsewhere = rig.last().text
    assert "Lunch on Friday?" in elsewhere and "reorg" not in elsewhere
    await rig.command("pulse list", channel="C9", user="U2")
    assert "reorg" in rig.last().text
