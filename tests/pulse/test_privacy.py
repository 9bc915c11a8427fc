"""Pulse data and the member's own data rights: `export` shows the polls you asked and never
an answer; `forget` removes you as the asker, and the poll with everyone's anonymous answers
stays."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.features.pulse.models import PulseAsker, PulseParticipant, PulsePoll
from bot.kernel.ui import File
from tests.pulse.support import PulseHarness, answer_button, post_of, replies, text_of
from tests.support.export import internal_record, people_file, sections
from tests.support.harness import button, messages

ASK = '/crossfade pulse ask "Is your workload sustainable?" yesno closes 2d'


async def test_export_lists_polls_you_asked_and_never_an_answer(h: PulseHarness) -> None:
    post = post_of(await h.command("alice", ASK))
    await h.press("alice", answer_button([post], "No"))
    await h.press("bob", answer_button([post], "Yes"))
    for person in ("alice", "bob"):
        effects = await h.command(person, "/crossfade export")
        files = [b for m in messages(effects) for b in m.blocks if isinstance(b, File)]
        document = people_file(files[0])
        record = await internal_record(h.bot.db, person)
        for dumped in (json.dumps(sections(document)), json.dumps(record["data"])):
            assert "pulse_participants" not in dumped and "pulse_counts" not in dumped
            assert '"Yes"' not in dumped and '"No"' not in dumped
        if person == "alice":
            assert record["data"]["pulse_askers"][0]["name"] == "alice"
            assert document["Pulse polls you asked"] == [{"Asked as": "alice"}]
        else:
            assert "pulse_askers" not in record["data"]
            assert "Pulse polls you asked" not in document


async def test_forget_removes_the_asker_and_keeps_the_poll(h: PulseHarness) -> None:
    post = post_of(await h.command("alice", ASK))
    for person in ("alice", "bob", "carol", "dave", "erin"):
        await h.press(person, answer_button([post], "Yes"))
    asked = await h.command("alice", "/crossfade forget")
    done = await h.press("alice", button(asked, "Delete everything"))
    assert "Deleted" in text_of(done)
    async with h.bot.db.uow() as uow:
        assert (await uow.session.scalars(select(PulseAsker))).all() == []
        polls = (await uow.session.scalars(select(PulsePoll))).all()
        assert len(polls) == 1 and polls[0].status == "open"
        # the one documented exception: the open poll's keyed participation mark stays until
        # the close (so alice cannot answer twice), then goes with every other mark
        assert len((await uow.session.scalars(select(PulseParticipant))).all()) == 5
    # alice is a stranger now: she can no longer close it early, an admin still can
    refused = await h.command("alice", "/crossfade pulse close 1")
    assert "Only the person who asked" in replies(refused)
    closed = await h.command("you", "/crossfade pulse close 1")
    assert "Yes — 5 (100%)" in text_of(closed)
    async with h.bot.db.uow() as uow:
        assert (await uow.session.scalars(select(PulseParticipant))).all() == []
