"""A poll asked in a private channel is listed, and its results shown, only in that channel
and to its asker; team trends leave it out. Public channels' polls stay team-wide."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.kernel.events import Place
from tests.pulse.support import PulseHarness, answer_button, post_of, replies, text_of

LEADS = Place.channel("G-leads", "leads", private=True)
GENERAL = Place.channel("general", "general")
VOTERS = ["v1", "v2", "v3", "v4", "v5"]


async def _private_poll(h: PulseHarness, ask: str) -> None:
    post = post_of(await h.command("lead", ask, LEADS))
    assert post.channel == LEADS
    for voter in VOTERS:
        await h.press(voter, answer_button([post], "Yes"), place=LEADS)


async def test_a_private_channels_poll_stays_there(h: PulseHarness) -> None:
    await _private_poll(h, '/crossfade pulse ask "Is the reorg stressful?" yesno')
    await h.command("you", '/crossfade pulse ask "Lunch on Friday?" yesno', GENERAL)

    # elsewhere: not listed, results refused — by a member, even by an admin
    for who in ("outsider", "you"):
        listing = replies(await h.command(who, "/crossfade pulse list", GENERAL))
        assert "reorg" not in listing and "Lunch on Friday?" in listing
        refused = replies(await h.command(who, "/crossfade pulse results 1", GENERAL))
        assert "private channel" in refused and "reorg" not in refused
    # in the channel itself, and for its asker anywhere, as usual
    assert "reorg" in replies(await h.command("v1", "/crossfade pulse list", LEADS))
    closed = await h.command("lead", "/crossfade pulse close 1", LEADS)
    assert "Yes — 5 (100%)" in text_of(closed)
    for who, where in (("v2", LEADS), ("lead", GENERAL), ("lead", Place.dm())):
        shown = text_of(await h.command(who, "/crossfade pulse results 1", where))
        assert "Yes — 5 (100%)" in shown, (who, where)
    refused = replies(await h.command("v2", "/crossfade pulse results 1", GENERAL))
    assert "Yes — 5" not in refused


async def test_team_trends_leave_private_polls_out(h: PulseHarness) -> None:
    await _private_poll(h, "/crossfade pulse ask self_care closes 1d")
    await h.advance_to(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    # it closed with results, which its channel sees …
    assert "Yes — 5 (100%)" in text_of(await h.command("v1", "/crossfade pulse results 1", LEADS))
    # … and the team view's trends do not (a public one would be there, see test_recurring)
    shown = text_of(await h.command("alice", "/crossfade team", GENERAL))
    assert "self-care" not in shown and "Pulse trends" not in shown
