"""The team view (aggregates only, only for k or more people) and the quiz tables, on
SQLite and the real PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import build_router, make_bot
from bot.features.quiz.models import QuizResult
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.context import Context
from bot.kernel.registry import Flow
from bot.kernel.settings import Settings
from bot.kernel.slots import TEAM_SECTIONS, TeamSection
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Base, Member, Team
from bot.kernel.ui import Block, Text
from tests.quiz.support import (
    BALANCE,
    CROSSFADE,
    INTEGRATION,
    QUESTION_IDS,
    answer_button,
    take_quiz,
)
from tests.support.harness import Harness, text_of


@pytest.fixture
def anybot(any_db: Database, clock: FakeClock, settings: Settings) -> Bot:
    return make_bot(db=any_db, clock=clock, settings=settings)


async def test_team_view_waits_for_k_people(anybot: Bot) -> None:
    h = Harness(anybot)
    await take_quiz(h, "annika", BALANCE)
    await take_quiz(h, "bertil", INTEGRATION)
    text = text_of(await h.command("carmen", "/crossfade team"))
    assert "2 people have taken the quiz so far" in text
    assert "at least 5 have — 3 more needed" in text
    assert "Integration" not in text and "annika" not in text and "bertil" not in text

    # retaking counts once
    await take_quiz(h, "annika", BALANCE)
    assert "2 people have taken the quiz" in text_of(await h.command("carmen", "/crossfade team"))

    for name, sheet in (("carmen", CROSSFADE), ("dagny", BALANCE), ("evander", CROSSFADE)):
        await take_quiz(h, name, sheet)
    text = text_of(await h.command("zoltan", "/crossfade team"))
    assert "5 people have taken the quiz" in text
    assert "Balance: 2 (40%)" in text
    assert "Crossfade: 2 (40%)" in text
    assert "Integration: 1 (20%)" in text
    for name in ("annika", "bertil", "carmen", "dagny", "evander"):
        assert name not in text


async def test_k_never_drops_below_three(anybot: Bot) -> None:
    h = Harness(anybot)
    await take_quiz(h, "ann", BALANCE)
    await take_quiz(h, "bob", BALANCE)
    async with anybot.db.uow() as uow:
        await uow.session.execute(update(Team).values(k_threshold=1))  # bypassing settings
        await uow.commit()
    text = text_of(await h.command("ann", "/crossfade team"))
    assert "at least 3 have — 1 more needed" in text
    await take_quiz(h, "carl", INTEGRATION)
    text = text_of(await h.command("ann", "/crossfade team"))
    assert "Balance: 2 (67%)" in text and "Integration: 1 (33%)" in text


async def test_teams_never_see_each_other(anybot: Bot) -> None:
    ours, theirs = Harness(anybot, team="T1"), Harness(anybot, team="T2")
    for name in ("a", "b", "c"):
        await take_quiz(theirs, name, INTEGRATION)
    async with anybot.db.uow() as uow:
        await uow.session.execute(update(Team).values(k_threshold=3))
        await uow.commit()
    assert "0 people have taken the quiz" in text_of(await ours.command("x", "/crossfade team"))
    assert "Integration: 3 (100%)" in text_of(await theirs.command("x", "/crossfade team"))


async def _pulses(ctx: Context) -> list[Block]:
    return [Text("pulse trend here")]


async def _hidden(ctx: Context) -> list[Block]:
    return []


async def test_other_features_append_sections_to_the_team_view(
    db: Database, clock: FakeClock, settings: Settings
) -> None:
    other = Flow("other")
    other.provide(TEAM_SECTIONS, TeamSection("Pulse trends", _pulses), order=20)
    other.provide(TEAM_SECTIONS, TeamSection("Hidden", _hidden), order=5)
    bot = make_bot(db=db, clock=clock, settings=settings, router=build_router([other]))
    text = text_of(await Harness(bot).command("ann", "/crossfade team"))
    assert text.index("Balance or integration?") < text.index("Pulse trends")
    assert "pulse trend here" in text and "Hidden" not in text


# --- storage ---------------------------------------------------------------------------


async def test_the_migration_matches_the_model(any_db: Database) -> None:
    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return [d for d in compare_metadata(context, Base.metadata) if "quiz_results" in repr(d)]

    async with any_db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_one_current_result_per_member_and_cascade(anybot: Bot) -> None:
    h = Harness(anybot)
    await take_quiz(h, "ann", BALANCE)
    await take_quiz(h, "ann", CROSSFADE)
    async with anybot.db.uow() as uow:
        row = await uow.session.scalar(select(QuizResult).where(QuizResult.is_current.is_(False)))
        assert row is not None
        row.is_current = True
        with pytest.raises(IntegrityError):
            await uow.session.flush()
    async with anybot.db.uow() as uow:
        await uow.session.execute(delete(Member).where(Member.platform_user_id == "ann"))
        await uow.commit()
    async with anybot.db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(QuizResult)) == 0


@pytest.mark.postgres
async def test_two_instances_finishing_the_same_quiz_record_it_once(
    postgres_db: Database, clock: FakeClock, settings: Settings
) -> None:
    """The last answer pressed twice at once, on two instances: one result row, and the
    other press is told the quiz has moved on (or sees the same result)."""
    one = Harness(make_bot(db=postgres_db, clock=clock, settings=settings))
    two_db = Database(postgres_db.url)
    two = Harness(make_bot(db=two_db, clock=clock, settings=settings))
    try:
        effects = await one.command("ann", "/crossfade quiz")
        for question in QUESTION_IDS[:-1]:
            effects = await one.press("ann", answer_button(effects, BALANCE[question]))
        last = answer_button(effects, BALANCE[QUESTION_IDS[-1]])
        first, second = await asyncio.gather(one.press("ann", last), two.press("ann", last))
        texts = [text_of(first), text_of(second)]
        assert sum("Your result: Balance" in t for t in texts) >= 1
        assert all("Your result: Balance" in t or "moved on" in t for t in texts), texts
        async with postgres_db.uow() as uow:
            count = await uow.session.scalar(select(func.count()).select_from(QuizResult))
        assert count == 1
    finally:
        await two_db.dispose()
