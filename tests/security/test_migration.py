"""Migrating a database with polls from before sealed ballots: an open poll's counters
become sealed ballots (and its voters still cannot vote twice), a closed poll below k loses
its per-answer counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.bootstrap import make_bot
from bot.features.pulse.anonymity import voter_key
from bot.kernel.clock import FakeClock
from bot.kernel.events import Place
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.ui import Button
from tests.pulse.conftest import make_harness
from tests.pulse.support import replies, text_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "ab" * 32


async def _old_database(db: Database) -> None:
    """Two polls as 0007 stored them: #1 open with 5 counted answers, #2 closed with 2."""
    await db.upgrade("0007_discord")
    now, later = T0.replace(tzinfo=None), (T0 + timedelta(days=1)).replace(tzinfo=None)
    async with db.engine.begin() as conn:
        run = conn.execute
        await run(
            sa.text(
                "INSERT INTO teams (id, platform, workspace_id, name, default_timezone,"
                " default_logoff, k_threshold, pulse_creators, retention_days, active,"
                " created_at) VALUES (1, 'console', 'T1', 'T1', 'UTC', '18:00', 5, 'anyone',"
                " 90, 1, :now)"
            ),
            {"now": now},
        )
        for number, status, responses, secret in ((1, "open", 5, SECRET), (2, "closed", 2, None)):
            await run(
                sa.text(
                    "INSERT INTO pulse_polls (id, team_id, number, question, kind, options,"
                    " legend, channel_id, channel_name, zone, status, opened_at, closes_at,"
                    " responses, k, secret) VALUES (:n, 1, :n, 'Ok?', 'yesno',"
                    " '[\"Yes\", \"No\"]', '', 'general', 'general', 'UTC', :status, :now,"
                    " :later, :responses, 5, :secret)"
                ),
                {
                    "n": number,
                    "status": status,
                    "now": now,
                    "later": later,
                    "responses": responses,
                    "secret": secret,
                },
            )
        for poll, yes, no in ((1, 3, 2), (2, 1, 1)):
            for option, count in ((0, yes), (1, no)):
                await run(
                    sa.text(
                        "INSERT INTO pulse_counts (poll_id, option, team_id, count)"
                        " VALUES (:p, :o, 1, :c)"
                    ),
                    {"p": poll, "o": option, "c": count},
                )
        for user in ("a", "b", "c", "d", "e"):
            voter = voter_key(SECRET, team_id=1, poll_id=1, user_id=user)
            await run(sa.text("INSERT INTO pulse_participants VALUES (1, :v, 1)"), {"v": voter})
    await db.upgrade()


async def test_open_polls_carry_over_as_sealed_ballots(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await _old_database(db)
        async with db.engine.connect() as conn:
            counts = (await conn.execute(sa.text("SELECT poll_id FROM pulse_counts"))).all()
            ballots = (await conn.execute(sa.text("SELECT count(*) FROM pulse_ballots"))).scalar()
        assert counts == [] and ballots == 5  # no per-answer counter left anywhere
        settings = Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]
        h = make_harness(make_bot(db=db, clock=FakeClock(T0), settings=settings))
        # who voted before the migration still cannot vote again …
        shown = await h.command("you", "/crossfade pulse results 1")
        assert "5 responses so far" in text_of(shown)
        yes = Button("Yes", "pulse:answer", "1.0")
        assert "already answered" in replies(await h.press("a", yes))
        # … a new voter can, and the close counts everyone
        assert "is in" in text_of(await h.press("f", yes, place=Place.channel("general")))
        closed = text_of(await h.command("you", "/crossfade pulse close 1"))
        assert "Yes — 4 (67%)" in closed and "No — 2 (33%)" in closed
        hidden = text_of(await h.command("you", "/crossfade pulse results 2"))
        assert "No —" not in hidden and "more answer" in hidden
    finally:
        await db.dispose()
