"""Anonymity by construction: 50 people answer a poll; then every row of every table and
every log record (captured at DEBUG, SQL included) is inspected.

The strongest check is an experiment. The same 50 people answer twice, in two separate
databases: the second time the answers are shuffled among them (same totals, different
people behind them), they vote in the reverse order, and at different times. If the two
databases — every table, every row — come out identical once the values that are random by
design are masked (a ballot's id and sealed bytes, a poll's key pair), then nothing stored
depends on who gave which answer, or on when or in what order anyone answered. The same
holds for the logs. (tests/security/test_snapshots.py repeats this after every single vote.)
"""

from __future__ import annotations

import logging
import random
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, Integer, inspect, text

from bot.bootstrap import make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Base
from tests.pulse.conftest import make_harness
from tests.pulse.support import answer_button, post_of, text_of
from tests.support import pg

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LABELS = ("Far too much", "About right", "Too little")
VOTERS = [f"voter-{i:02d}" for i in range(50)]
ANSWERS = [LABELS[0]] * 20 + [LABELS[1]] * 18 + [LABELS[2]] * 12
ASK = (
    f'/crossfade pulse ask "How is your workload this week?" options {", ".join(LABELS)} closes 1d'
)
# No per-person data: the schema version, which process holds a delivery lane (stamped by
# the database's own clock, so it differs between runs), and the deployment's random salt.
PUBLIC_TABLES = ("alembic_version", "deployment", "lane_leases")
# Random by design (fresh per ballot or per poll): masked before two worlds are compared.
RANDOM_COLUMNS = {
    "pulse_ballots": {"id", "sealed"},
    "pulse_poll_keys": {"public_key", "wrapped_key"},
}

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass
class Logs:
    answering: list[logging.LogRecord]
    closing: list[logging.LogRecord]


async def dump(db: Database) -> Rows:
    """Every row of every table, in the order the database returns them."""
    out: Rows = {}
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for name in sorted(names):
            if name in PUBLIC_TABLES:
                continue
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))
            masked = RANDOM_COLUMNS.get(name, set())
            out[name] = [
                tuple(
                    "<random>" if column in masked else value
                    for column, value in zip(result.keys(), row, strict=True)
                )
                for row in result.all()
            ]
    return out


def as_sets(rows: Rows) -> dict[str, list[str]]:
    return {name: sorted(repr(r) for r in table) for name, table in rows.items()}


class _Frozen:
    """Stands in for ``datetime`` in ``bot.kernel.storage.models.base`` so that column defaults
    (``created_at`` …) follow the fake clock: a timestamp written while someone answers
    would then differ between two runs that answer at different times."""

    clock: FakeClock

    def __getattr__(self, name: str) -> Any:
        return getattr(datetime, name)

    def now(self, tz: Any = None) -> datetime:
        return self.clock.now().astimezone(tz) if tz else self.clock.now()


async def run_world(
    db: Database,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    *,
    answers: dict[str, str],
    order: list[str],
    minutes_apart: int,
) -> tuple[Rows, Rows, Logs]:
    """Everyone says hello (fixed order), one poll, everyone answers, the deadline closes it.
    Returns the database while the poll is open, after it closed, and the log records the
    bot produced while people answered and while it closed (the test's own reads of the
    tables are not included)."""
    clock = FakeClock(T0)
    frozen = _Frozen()
    frozen.clock = clock
    monkeypatch.setattr("bot.kernel.storage.models.base.datetime", frozen)
    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]
    h = make_harness(make_bot(db=db, clock=clock, settings=settings))
    caplog.clear()
    for user in VOTERS:
        await h.command(user, "/crossfade help")
    post = post_of(await h.command("you", ASK))
    for user in order:
        clock.advance(timedelta(minutes=minutes_apart))
        effects = await h.press(user, answer_button([post], answers[user]))
        assert "your answer to pulse #1 is in" in text_of(effects)
    answering = list(caplog.records)
    opened = await dump(db)
    caplog.clear()
    clock.set(T0 + timedelta(days=1))
    delivered = await h.run_due()
    assert "Far too much — 20 (40%)" in text_of(delivered)
    closing = list(caplog.records)
    closed = await dump(db)
    caplog.clear()
    return opened, closed, Logs(answering, closing)


async def fresh(db: Database, template: Path, tmp_path: Path, name: str) -> Database:
    """An empty database of the same kind as ``db``, migrated to head."""
    if db.is_sqlite:
        path = tmp_path / f"{name}.db"
        shutil.copy(template, path)
        return Database(f"sqlite+aiosqlite:///{path}")
    await pg.truncate_all(db)
    return db


_TIMING = re.compile(r"\d+\.\d+s|0x[0-9a-f]+|\[cached since [^\]]*\]|\[generated in [^\]]*\]")


# Font look-ups, cached after the first chart, carry no data; everything else is compared.
_NOISE = ("matplotlib", "PIL")


def log_lines(records: list[logging.LogRecord]) -> list[str]:
    lines = []
    for record in records:
        if record.name.startswith(_NOISE):
            continue
        message = record.getMessage()
        if record.exc_text:
            message += "\n" + record.exc_text
        lines.append(f"{record.name} {record.levelname} {_TIMING.sub('#', message)}")
    return lines


def _without_threads(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("aiosqlite")]


async def test_fifty_voters_leave_nothing_that_links_a_person_to_an_answer(
    any_db: Database,
    sqlite_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "aiosqlite", "asyncpg", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)

    first = dict(zip(VOTERS, ANSWERS, strict=True))
    shuffled_answers = list(ANSWERS)
    random.Random(6).shuffle(shuffled_answers)
    second = dict(zip(VOTERS, shuffled_answers, strict=True))
    assert sum(first[v] != second[v] for v in VOTERS) >= 25  # many people answer differently

    async def world(name: str, **how: Any) -> tuple[Rows, Rows, Logs]:
        db = await fresh(any_db, sqlite_template, tmp_path, name)
        try:
            return await run_world(db, caplog, monkeypatch, **how)
        finally:
            if db is not any_db:
                await db.dispose()

    open_a, closed_a, logs_a = await world("a", answers=first, order=VOTERS, minutes_apart=1)
    # B: the answers shuffled among the same people, answered in reverse order, at other times.
    open_b, closed_b, _ = await world(
        "b", answers=second, order=list(reversed(VOTERS)), minutes_apart=7
    )
    # C: the answers shuffled, everything else as in A (for the logs, which follow time).
    _, _, logs_c = await world("c", answers=second, order=VOTERS, minutes_apart=1)

    # 1. Who gave which answer, and when and in what order, changed nothing in the database.
    assert as_sets(open_a) == as_sets(open_b)
    assert as_sets(closed_a) == as_sets(closed_b)
    if any_db.is_sqlite:
        # Not even the physical order of rows differs (no rowid numbers the answers).
        assert open_a == open_b
        assert closed_a == closed_b
    assert len(open_a["pulse_ballots"]) == 50

    # 2. Row by row: no row holds both a voter identifier and an answer.
    hashes = {row[1] for row in open_a["pulse_participants"]}
    assert len(hashes) == 50
    identifiers = set(VOTERS) | hashes
    for state in (open_a, closed_a):
        for table, rows in state.items():
            for row in rows:
                values = " ".join(str(v) for v in row)
                holds_person = any(ident in values for ident in identifiers)
                holds_answer = any(label in values for label in LABELS)
                assert not (holds_person and holds_answer), (table, row)

    # 3. The logs, SQL included: while people answer, the same line for line whoever gave
    # which answer; the close (deliveries run concurrently, so lines interleave) the same as
    # a whole. No record holds a voter hash or a person with an answer.
    answering_a, answering_c = log_lines(logs_a.answering), log_lines(logs_c.answering)
    closing_a, closing_c = log_lines(logs_a.closing), log_lines(logs_c.closing)
    assert any(r.name.startswith("sqlalchemy.engine") for r in logs_a.answering)
    # aiosqlite's worker threads interleave their lines at random; after redaction they only
    # name the call, so they are checked for that and left out of the line-by-line match.
    call_only = re.compile(r"^aiosqlite DEBUG (executing \w+|operation \w+ completed)$")
    for line in answering_a + closing_a:
        if line.startswith("aiosqlite"):
            assert call_only.match(line), line
    assert _without_threads(answering_a) == _without_threads(answering_c)
    assert sorted(_without_threads(closing_a)) == sorted(_without_threads(closing_c))
    for line in answering_a + closing_a + answering_c + closing_c:
        assert not any(h in line for h in hashes), line
        holds_person = any(v in line for v in VOTERS)
        assert not (holds_person and any(label in line for label in LABELS)), line

    # 4. After the close, even who took part is gone: no marks, no ballots, no poll key;
    # only the totals.
    assert closed_a["pulse_participants"] == []
    assert closed_a["pulse_ballots"] == [] and closed_a["pulse_poll_keys"] == []
    assert sorted(row[3] for row in closed_a["pulse_counts"]) == [12, 18, 20]


def test_the_schema_has_no_vote_time_and_no_vote_order() -> None:
    participants = Base.metadata.tables["pulse_participants"]
    ballots = Base.metadata.tables["pulse_ballots"]
    counts = Base.metadata.tables["pulse_counts"]
    assert set(participants.c.keys()) == {"poll_id", "voter", "team_id"}
    assert [c.name for c in participants.primary_key.columns] == ["poll_id", "voter"]
    assert set(ballots.c.keys()) == {"id", "poll_id", "team_id", "sealed"}
    assert [c.name for c in ballots.primary_key.columns] == ["id"]
    assert set(counts.c.keys()) == {"poll_id", "option", "team_id", "count"}
    for table in (participants, ballots, counts):
        assert not any(fk.column.table.name == "members" for fk in table.foreign_keys)
        assert not any(isinstance(c.type, DateTime) or c.onupdate for c in table.columns)
        assert not any(c.autoincrement is True for c in table.columns)
    assert not isinstance(ballots.c.id.type, Integer)  # random, never a counter
    polls = Base.metadata.tables["pulse_polls"]
    # No "last answered at": nothing on the poll row changes its time when someone answers.
    assert not any(c.onupdate for c in polls.columns)
    # No table but the totals written at close names an option.
    for name, table in Base.metadata.tables.items():
        if name.startswith("pulse_") and name != "pulse_counts":
            assert "option" not in table.c, name


async def test_sqlite_tables_of_answers_have_no_hidden_rowid(db: Database) -> None:
    async with db.engine.connect() as conn:
        for table in ("pulse_participants", "pulse_counts", "pulse_ballots"):
            with pytest.raises(Exception, match="rowid"):
                await conn.execute(text(f"SELECT rowid FROM {table}"))


@pytest.mark.postgres
async def test_postgres_answers_do_not_write_the_poll_or_any_total(
    postgres_db: Database,
) -> None:
    """An answer writes a participation mark and a sealed ballot, nothing else: the poll row
    keeps its row version (``xmin``) and no total exists until the close."""
    clock = FakeClock(T0)
    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]
    h = make_harness(make_bot(db=postgres_db, clock=clock, settings=settings))
    post = post_of(await h.command("you", ASK))
    async with postgres_db.engine.connect() as conn:
        before = (await conn.execute(text("SELECT xmin::text FROM pulse_polls"))).scalar_one()
    for user, label in (("a", LABELS[0]), ("b", LABELS[2]), ("c", LABELS[1])):
        await h.press(user, answer_button([post], label))
        async with postgres_db.engine.connect() as conn:
            after = (await conn.execute(text("SELECT xmin::text FROM pulse_polls"))).scalar_one()
            totals = (await conn.execute(text("SELECT count(*) FROM pulse_counts"))).scalar_one()
        assert after == before and totals == 0
