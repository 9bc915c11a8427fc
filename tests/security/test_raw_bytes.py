"""Reading the storage below SQL: the raw bytes of the SQLite file and its WAL (every page
image, stale frames included), and PostgreSQL's heap pages with their dead tuples
(``pageinspect``). Whatever a vote wrote — the participation mark — never sits next to an
answer: no page or tuple with a mark holds an answer label, and no transaction of a vote
touched anything that holds an option index or a label."""

from __future__ import annotations

import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.bootstrap import make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.security.ballots import participation_mark
from bot.security.keys import get_server_keys
from tests.pulse.conftest import make_harness
from tests.pulse.support import PulseHarness, answer_button, post_of, text_of
from tests.security.snapshots import copy_sqlite, sqlite_path

LABELS = ("Lunch on Monday", "Lunch on Tuesday", "Lunch on Wednesday")
ASK = (
    '/crossfade pulse ask "When should we have the team lunch?" options '
    f"{', '.join(LABELS)} closes 1d"
)
VOTERS = [f"voter-{i:02d}" for i in range(20)]
ANSWERS = [LABELS[(i * 5) % 3] for i in range(20)]
VOTE_TABLES = {"pulse_participants", "pulse_ballots", "ix_pulse_ballots_poll_id"}


async def _vote(db: Database) -> tuple[PulseHarness, set[bytes]]:
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]
    h = make_harness(make_bot(db=db, clock=clock, settings=settings))
    post = post_of(await h.command("asker", ASK))
    for user, label in zip(VOTERS, ANSWERS, strict=True):
        assert "is in" in text_of(await h.press(user, answer_button([post], label)))
    async with db.engine.connect() as conn:
        poll_id, team_id, key_id = (
            await conn.execute(text("SELECT id, team_id, key_id FROM pulse_polls"))
        ).one()
    keys = get_server_keys()
    marks = {
        participation_mark(keys, key_id, team_id=team_id, poll_id=poll_id, user_id=u).encode()
        for u in VOTERS
    }
    return h, marks


# --- SQLite ---------------------------------------------------------------------------------


def _pages(copy: Path) -> tuple[dict[int, str], list[tuple[int, bytes, int]], list[bytes]]:
    """Page number → table (dbstat), the WAL's frames (page, image, commit group), and the
    main file's page images."""
    conn = sqlite3.connect(copy)
    try:
        owner = {int(p): str(n) for n, p in conn.execute("SELECT name, pageno FROM dbstat")}
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    frames: list[tuple[int, bytes, int]] = []
    wal = Path(f"{copy}-wal").read_bytes() if Path(f"{copy}-wal").exists() else b""
    group, offset = 0, 32
    while offset + 24 + page_size <= len(wal):
        page, commit = struct.unpack(">II", wal[offset : offset + 8])
        frames.append((page, wal[offset + 24 : offset + 24 + page_size], group))
        group += 1 if commit else 0
        offset += 24 + page_size
    main = copy.read_bytes()
    images = [main[i : i + page_size] for i in range(0, len(main), page_size)]
    return owner, frames, images


def _check_sqlite(copy: Path, marks: set[bytes], *, expect_marks: bool) -> None:
    owner, frames, images = _pages(copy)
    labels = [label.encode() for label in LABELS]
    seen: set[bytes] = set()
    page_images = [(n + 1, image, None) for n, image in enumerate(images)] + frames
    for page, image, _group in page_images:
        found = {m for m in marks if m in image}
        if not found:
            continue
        seen |= found
        assert owner.get(page) == "pulse_participants", (page, owner.get(page))
        assert not any(label in image for label in labels)
    if expect_marks:
        assert seen == marks  # every voter's mark was found in the raw bytes
    # Every commit that wrote a mark (a vote) wrote only the vote's tables: never a
    # counter (an option index), the poll, a member or a cache of people.
    groups: dict[int, set[str]] = {}
    marked: set[int] = set()
    for page, image, group in frames:
        groups.setdefault(group, set()).add(owner.get(page, "?"))
        if any(m in image for m in marks):
            marked.add(group)
    for group in marked:
        assert groups[group] <= VOTE_TABLES, groups[group]


async def test_sqlite_file_and_wal_hold_no_mark_next_to_an_answer(
    sqlite_db: Database, tmp_path: Path
) -> None:
    h, marks = await _vote(sqlite_db)
    assert Path(f"{sqlite_path(sqlite_db)}-wal").stat().st_size > 0  # the votes are in the WAL
    _check_sqlite(copy_sqlite(sqlite_db, tmp_path / "open"), marks, expect_marks=True)
    closed = await h.command("asker", "/crossfade pulse close 1")
    assert "Lunch on Monday — 7" in text_of(closed)
    _check_sqlite(copy_sqlite(sqlite_db, tmp_path / "closed"), marks, expect_marks=False)
    # the close overwrote the deleted marks in the main file (secure_delete)
    await sqlite_db.dispose()  # checkpoints the WAL into the file
    main = sqlite_path(sqlite_db).read_bytes()
    assert not any(m in main for m in marks)


# --- PostgreSQL -----------------------------------------------------------------------------


async def _tuples(db: Database) -> list[dict[str, Any]]:
    """Every tuple of every table, live or dead, straight from the heap pages."""
    out: list[dict[str, Any]] = []
    async with db.engine.connect() as conn:
        tables = (
            await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        ).scalars()
        for table in list(tables):
            size = (
                await conn.execute(text(f"SELECT pg_relation_size('\"{table}\"')"))
            ).scalar_one()
            for block in range(size // 8192):
                rows = await conn.execute(
                    text(
                        "SELECT t_xmin::text, t_xmax::text, t_infomask, t_data "
                        f"FROM heap_page_items(get_raw_page('\"{table}\"', {block})) "
                        "WHERE t_data IS NOT NULL"
                    )
                )
                for xmin, xmax, infomask, data in rows:
                    out.append(
                        {
                            "table": table,
                            "xmin": xmin,
                            "xmax": xmax,
                            "lock_only": bool(infomask & 0x0080),
                            "data": bytes(data),
                        }
                    )
    return out


def _check_postgres(tuples: list[dict[str, Any]], marks: set[bytes]) -> set[bytes]:
    labels = [label.encode() for label in LABELS]
    votes = {t["xmin"]: t for t in tuples if any(m in t["data"] for m in marks)}
    for xid, mark_tuple in votes.items():
        assert mark_tuple["table"] == "pulse_participants"
        created = [t for t in tuples if t["xmin"] == xid]
        assert {t["table"] for t in created} <= VOTE_TABLES, created
        assert not any(label in t["data"] for t in created for label in labels)
        # the only rows a vote's transaction marked are the poll's and the team's (the poll
        # lock and the foreign-key checks): locked, not changed
        touched = [t for t in tuples if t["xmax"] == xid]
        assert all(t["table"] in ("pulse_polls", "teams") and t["lock_only"] for t in touched), (
            touched
        )
    counters = [t for t in tuples if t["table"] == "pulse_counts"]
    assert not any(t["xmin"] in votes or t["xmax"] in votes for t in counters)
    return {m for m in marks for t in tuples if m in t["data"]}


@pytest.mark.postgres
async def test_postgres_pages_and_dead_tuples_hold_no_mark_next_to_an_answer(
    postgres_db: Database,
) -> None:
    async with postgres_db.engine.begin() as conn:
        await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        for table in ("pulse_participants", "pulse_ballots", "pulse_polls", "pulse_counts"):
            # keep the dead tuples for the test to read
            await conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
    h, marks = await _vote(postgres_db)
    assert _check_postgres(await _tuples(postgres_db), marks) == marks
    closed = await h.command("asker", "/crossfade pulse close 1")
    assert "Lunch on Monday — 7" in text_of(closed)
    after = await _tuples(postgres_db)
    # the marks are still there, as dead tuples — and still next to nothing
    assert _check_postgres(after, marks) == marks
    dead = [t for t in after if t["table"] == "pulse_participants"]
    assert dead and all(t["xmax"] != "0" for t in dead)
    # the totals were written by the close, which is the transaction that deleted the marks
    close_xids = {t["xmax"] for t in dead}
    assert {t["xmin"] for t in after if t["table"] == "pulse_counts"} == close_xids
