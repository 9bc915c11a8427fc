"""Sealed ballots through the bot: the tally at close, ballots that cannot be opened, and
key rotation (a poll stays bound to the server key it was opened under)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.features.pulse.models import PulseBallot, PulseCount, PulseParticipant, PulsePollKey
from bot.security.ballots import BALLOT_BYTES, new_poll_keys, seal_ballot, unseal_ballots
from bot.security.keys import generate_key, get_server_keys, parse_keys
from tests.pulse.support import PulseHarness, answer_button, post_of, replies, text_of

ASK = '/crossfade pulse ask "Best day?" options Mon, Tue, Wed closes 2d'


def use_keys(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr("bot.security.keys._current", parse_keys(value))


async def vote(h: PulseHarness, post: object, votes: dict[str, str]) -> None:
    for person, label in votes.items():
        effects = await h.press(person, answer_button([post], label))  # type: ignore[list-item]
        assert "your answer to pulse #1 is in" in text_of(effects), replies(effects)


def test_every_answer_seals_to_one_length_and_opens_in_memory() -> None:
    keys = parse_keys(generate_key())
    pair = new_poll_keys(keys, team_id=1, poll_id=7)
    ballots = [seal_ballot(pair.public_key, i % 3, team_id=1, poll_id=7) for i in range(9)]
    assert {len(b) for b in ballots} == {BALLOT_BYTES}
    assert len(set(ballots)) == 9  # a fresh ephemeral key each time: equal answers differ
    result = unseal_ballots(keys, pair, ballots, options=3, team_id=1, poll_id=7)
    assert result.counts == (3, 3, 3) and result.unreadable == 0
    # bound to its poll: the same ballots in another poll open to nothing
    moved = unseal_ballots(keys, pair, ballots, options=3, team_id=1, poll_id=8)
    assert moved.counts == (0, 0, 0) and moved.unreadable == 9


async def test_the_close_tallies_exactly_what_was_voted(h: PulseHarness) -> None:
    post = post_of(await h.command("you", ASK))
    votes = dict(zip("abcdefg", ["Mon", "Tue", "Tue", "Wed", "Wed", "Wed", "Mon"], strict=True))
    await vote(h, post, votes)
    closed = await h.command("you", "/crossfade pulse close 1")
    shown = text_of(closed)
    assert "Mon — 2 (29%)" in shown and "Tue — 2 (29%)" in shown and "Wed — 3 (43%)" in shown
    async with h.bot.db.uow() as uow:
        s = uow.session
        assert [c.count for c in (await s.scalars(select(PulseCount))).all()] == [2, 2, 3]
        for table in (PulseBallot, PulseParticipant, PulsePollKey):
            assert (await s.scalars(select(table))).all() == [], table


async def test_unreadable_ballots_are_counted_apart_without_a_crash(h: PulseHarness) -> None:
    post = post_of(await h.command("you", ASK))
    await vote(h, post, {p: "Tue" for p in "abcdefg"})
    async with h.bot.db.uow() as uow:
        ballots = (await uow.session.scalars(select(PulseBallot))).all()
        truncated = ballots[0]
        truncated.sealed = truncated.sealed[:-5]
        # a ballot sealed for another poll, slipped in by someone with write access
        other = new_poll_keys(get_server_keys(), team_id=1, poll_id=999)
        uow.session.add(
            PulseBallot(
                id="f" * 32,
                poll_id=ballots[1].poll_id,
                team_id=ballots[1].team_id,
                sealed=seal_ballot(other.public_key, 0, team_id=1, poll_id=999),
            )
        )
        await uow.commit()
    closed = await h.command("you", "/crossfade pulse close 1")
    shown = text_of(closed)
    assert "Tue — 6 (100%)" in shown
    assert "2 answers could not be counted" in shown
    listing = await h.command("you", "/crossfade pulse results 1")
    assert "2 answers could not be counted" in text_of(listing)


async def test_a_lost_key_reports_every_ballot_and_shows_no_total(
    h: PulseHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = post_of(await h.command("you", ASK))
    await vote(h, post, {p: "Mon" for p in "abcde"})
    # the operator replaced the key instead of prepending the new one
    use_keys(monkeypatch, generate_key())
    closed = await h.command("you", "/crossfade pulse close 1")
    shown = text_of(closed)
    assert "5 answers could not be counted" in shown
    assert "Mon —" not in shown
    async with h.bot.db.uow() as uow:
        assert (await uow.session.scalars(select(PulseCount))).all() == []
        assert (await uow.session.scalars(select(PulseBallot))).all() == []


async def test_a_poll_opened_under_the_old_key_closes_after_rotation(
    h: PulseHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = generate_key(), generate_key()
    use_keys(monkeypatch, old)
    post = post_of(await h.command("you", ASK))
    await vote(h, post, {p: "Wed" for p in "abc"})
    use_keys(monkeypatch, f"{new},{old}")  # the new key goes first
    # nobody votes twice across the rotation: the poll's marks stay under the old key
    again = await h.press("a", answer_button([post], "Mon"))
    assert "already answered" in replies(again)
    await vote(h, post, {p: "Mon" for p in "de"})
    post_of(await h.command("you", ASK.replace("Best day?", "Next?")))
    async with h.bot.db.uow() as uow:
        keys = {k.poll_id: k.key_id for k in (await uow.session.scalars(select(PulsePollKey)))}
    assert sorted(keys.values()) == sorted([parse_keys(old).current_id, parse_keys(new).current_id])
    closed = await h.command("you", "/crossfade pulse close 1")
    shown = text_of(closed)
    assert "Mon — 2 (40%)" in shown and "Wed — 3 (60%)" in shown
    assert "could not be counted" not in shown


async def test_a_retired_key_refuses_new_answers_kindly(
    h: PulseHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = generate_key()
    use_keys(monkeypatch, old)
    post = post_of(await h.command("you", ASK))
    use_keys(monkeypatch, generate_key())  # the old key is gone
    refused = await h.press("a", answer_button([post], "Mon"))
    assert "server key it was opened under has been removed" in replies(refused)
    async with h.bot.db.uow() as uow:
        assert (await uow.session.scalars(select(PulseBallot))).all() == []
        assert (await uow.session.scalars(select(PulseParticipant))).all() == []
