"""A database reader's view of a 20-voter poll: the whole database (every row of every
table) is snapshotted after every single vote — on SQLite from a copy of the file with its
-wal and -shm, on PostgreSQL directly — and no diff between consecutive snapshots depends on
the answer (or on who voted, or when): once the random values are masked, all twenty diffs
are the same diff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.bootstrap import make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from tests.pulse.conftest import make_harness
from tests.pulse.support import answer_button, post_of, text_of
from tests.security.snapshots import diff, snapshot

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LABELS = ("Mon", "Tue", "Wed")
ASK = '/crossfade pulse ask "Best day for the team lunch?" options Mon, Tue, Wed closes 1d'
# Twenty voters; every other one has used the bot before (a member row exists), the others
# meet it for the first time through the vote.
VOTERS = [f"voter-{i:02d}" for i in range(20)]
ANSWERS = [LABELS[(i * 7) % 3] for i in range(20)]


async def test_every_vote_changes_the_database_in_the_same_way(
    any_db: Database, tmp_path: Path
) -> None:
    clock = FakeClock(T0)
    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]
    h = make_harness(make_bot(db=any_db, clock=clock, settings=settings))
    for user in VOTERS[::2]:
        await h.command(user, "/crossfade help")
    post = post_of(await h.command("asker", ASK))
    assert len(set(ANSWERS)) == 3

    diffs = []
    before = await snapshot(any_db, tmp_path / "s0")
    for n, (user, label) in enumerate(zip(VOTERS, ANSWERS, strict=True), start=1):
        clock.advance(timedelta(minutes=3 + n))  # votes at irregular times
        effects = await h.press(user, answer_button([post], label))
        assert "is in" in text_of(effects)
        after = await snapshot(any_db, tmp_path / f"s{n}")
        diffs.append(diff(before, after))
        before = after

    # Indistinguishable: Mon, Tue and Wed votes, old and new voters, early and late ones.
    assert len(set(diffs)) == 1, "\n".join(map(repr, sorted(set(diffs))))
    (only,) = set(diffs)
    # … and what each vote adds is exactly a sealed ballot and a participation mark: a
    # random id, a fixed-length opaque blob and a keyed hash — no member, no counter, no
    # person cache, no time.
    assert {(table, sign) for table, sign, _row, _n in only} == {
        ("pulse_ballots", "+"),
        ("pulse_participants", "+"),
    }
    ballot = next(row for table, _s, row, _n in only if table == "pulse_ballots")
    assert "<hex 32>" in ballot and "<64 bytes>" in ballot

    # The close: the ballots, marks and the poll's key go; the totals appear.
    closed = await h.command("asker", "/crossfade pulse close 1")
    assert "Mon — 7" in text_of(closed) and "Tue — 7" in text_of(closed)
    final = await snapshot(any_db, tmp_path / "closed")
    assert not final["pulse_ballots"] and not final["pulse_participants"]
    assert not final["pulse_poll_keys"]
    assert sorted(row[3] for row in final["pulse_counts"]) == [6, 7, 7]
