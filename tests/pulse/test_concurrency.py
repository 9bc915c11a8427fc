"""Concurrency on the real PostgreSQL: many presses at once, through separate ``Bot.handle``
calls (each its own transaction on its own connection), as several bot instances would."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import pytest
from sqlalchemy import text

from bot.bootstrap import make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Effect, Update
from bot.kernel.events import Action
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from tests.pulse.conftest import make_harness
from tests.pulse.support import PulseHarness, answer_button, post_of, replies, text_of

pytestmark = pytest.mark.postgres

ASK = '/crossfade pulse ask "Is your workload sustainable?" yesno closes 2d'
ALREADY = "You have already answered — answers are final so that they can stay anonymous."


def harness(db: Database, clock: FakeClock) -> PulseHarness:
    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]
    return make_harness(make_bot(db=db, clock=clock, settings=settings))


async def counts(db: Database) -> tuple[list[int], int, int]:
    """Totals written at close, the poll's number of answers (counted at close, or the live
    participation marks while open) and the marks still stored."""
    async with db.engine.connect() as conn:
        per_answer = list(
            (await conn.execute(text("SELECT count FROM pulse_counts ORDER BY option"))).scalars()
        )
        status, stored = (
            await conn.execute(text("SELECT status, responses FROM pulse_polls"))
        ).one()
        participants = (
            await conn.execute(text("SELECT count(*) FROM pulse_participants"))
        ).scalar_one()
    return per_answer, (stored if status == "closed" else participants), participants


KIND_ASKS = {
    "yesno": ('/crossfade pulse ask "Is your workload sustainable?" yesno closes 2d', 2),
    "scale": ('/crossfade pulse ask "How was your week?" scale closes 2d', 5),
    "options": ('/crossfade pulse ask "Best day?" options Mon, Tue, Wed closes 2d', 3),
}


@pytest.mark.parametrize("kind", list(KIND_ASKS))
async def test_200_people_pressing_at_once_are_200_answers_tallied_at_close(
    postgres_db: Database, clock: FakeClock, kind: str
) -> None:
    ask, n_options = KIND_ASKS[kind]
    h = harness(postgres_db, clock)
    post = post_of(await h.command("you", ask))
    buttons = [b for b in post.message.buttons if b.action == "pulse:answer"]
    assert len(buttons) == n_options
    people = [f"p{i:03d}" for i in range(200)]
    # Members first, so the test measures answers and not 200 first contacts at once.
    await asyncio.gather(*(h.command(p, "/crossfade help") for p in people))
    voted = Counter(i % n_options if i % 7 else 0 for i in range(200))

    async def press(i: int, person: str) -> list[Effect]:
        button = buttons[i % n_options if i % 7 else 0]
        return await h.bot.handle(
            Action(h.actor(person), button.action, button.value, None, post.channel)
        )

    results = await asyncio.gather(*(press(i, p) for i, p in enumerate(people)))
    confirmations = sum("your answer to pulse #1 is in" in text_of(r) for r in results)
    assert confirmations == 200, Counter(replies(r)[:60] for r in results)
    per_answer, responses, participants = await counts(postgres_db)
    assert per_answer == [] and responses == 200 and participants == 200  # no total while open
    # every post update carries a distinct count: each answer saw the one before it
    seen = [
        int(match.group(1))
        for r in results
        for e in r
        if isinstance(e, Update)
        and (match := re.search(r"(\d+) responses? so far", e.message.text))
    ]
    assert sorted(seen) == list(range(1, 201))
    closed = await h.command("you", "/crossfade pulse close 1")
    per_answer, responses, participants = await counts(postgres_db)
    assert per_answer == [voted[i] for i in range(n_options)]
    assert responses == 200 and participants == 0
    assert "could not be counted" not in text_of(closed)


async def test_200_presses_from_one_person_are_one_answer(
    postgres_db: Database, clock: FakeClock
) -> None:
    h = harness(postgres_db, clock)
    post = post_of(await h.command("you", ASK))
    await h.command("alice", "/crossfade help")
    buttons = [answer_button([post], "Yes"), answer_button([post], "No")]

    async def press(i: int) -> list[Effect]:
        button = buttons[i % 2]
        return await h.bot.handle(
            Action(h.actor("alice"), button.action, button.value, None, post.channel)
        )

    results = await asyncio.gather(*(press(i) for i in range(200)))
    outcomes = Counter(
        "counted"
        if "your answer to pulse #1 is in" in text_of(r)
        else "already"
        if ALREADY in replies(r)
        else replies(r)
        for r in results
    )
    assert outcomes == {"counted": 1, "already": 199}
    per_answer, responses, participants = await counts(postgres_db)
    assert responses == 1 and participants == 1
    async with postgres_db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM pulse_ballots"))).scalar_one() == 1


async def test_answers_racing_the_close_are_either_counted_in_the_results_or_refused(
    postgres_db: Database, clock: FakeClock
) -> None:
    h = harness(postgres_db, clock)
    post = post_of(await h.command("you", ASK))
    yes = answer_button([post], "Yes")
    people = [f"q{i:02d}" for i in range(40)]
    await asyncio.gather(*(h.command(p, "/crossfade help") for p in people))

    async def press(person: str) -> list[Effect]:
        return await h.bot.handle(
            Action(h.actor(person), yes.action, yes.value, None, post.channel)
        )

    presses = [press(p) for p in people]
    close = h.command("you", "/crossfade pulse close 1")
    everything = await asyncio.gather(*presses[:20], close, *presses[20:])
    closed = everything[20]
    results = [*everything[:20], *everything[21:]]
    counted = sum("your answer to pulse #1 is in" in text_of(r) for r in results)
    refused = sum("has closed" in replies(r) for r in results)
    assert counted + refused == 40
    per_answer, responses, participants = await counts(postgres_db)
    assert responses == counted
    assert per_answer == ([counted, 0] if counted >= 5 else [])  # totals only at k
    assert participants == 0  # erased at close
    shown = text_of(closed)
    if counted >= 5:
        assert f"Yes — {counted} (100%)" in shown
    else:
        assert "more answer" in shown
