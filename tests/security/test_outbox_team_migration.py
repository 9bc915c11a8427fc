"""A channel post queued before posts named their team is still delivered after the upgrade:
the migration fills in the team from the outbox row (the adapter refuses a post without one)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.delivery.codec import effect_from_json
from bot.kernel.effects import Post, SendDirect
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Team
from bot.kernel.storage.models.scheduling import OutboxRow, Schedule
from tests.support import pg

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MESSAGE = {"text": "Anonymous pulse #1", "blocks": []}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database of each kind, to be migrated step by step."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        yield db
        await db.dispose()
        return
    request.getfixturevalue("postgres_url")  # skips or fails as every PostgreSQL test does
    admin = pg.admin_url()
    name = f"crossfade_outbox_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    db = Database(pg.create_database(admin, name))
    try:
        yield db
    finally:
        await db.dispose()
        pg.drop_database(admin, name)


async def test_queued_posts_get_their_team_and_other_rows_are_left_alone(
    empty_db: Database,
) -> None:
    any_db = empty_db
    await any_db.upgrade("0009_replay_guard")
    channel = {"kind": "channel", "id": "C1", "name": "general"}
    post = {"type": "post", "channel": channel, "message": MESSAGE}
    direct = {"type": "send_direct", "user": ["discord", "G1", "U1"], "message": MESSAGE}
    async with any_db.uow() as uow:
        s = uow.session
        team = Team(platform="discord", workspace_id="G1")
        s.add(team)
        await s.flush()
        schedule = Schedule(team_id=team.id, kind="pulse_close", rule_json={})
        s.add(schedule)
        await s.flush()
        for seq, (effect, status) in enumerate(
            ((post, "pending"), (direct, "pending"), (post, "sent"))
        ):
            s.add(
                OutboxRow(
                    team_id=team.id,
                    schedule_id=schedule.id,
                    kind="pulse_close",
                    due_at=T0,
                    seq=seq,
                    lane="discord",
                    effect=effect,
                    status=status,
                    not_before=T0,
                    expires_at=T0 + timedelta(hours=1),
                )
            )
        await uow.commit()

    await any_db.upgrade()

    async with any_db.uow() as uow:
        rows = (await uow.session.scalars(select(OutboxRow).order_by(OutboxRow.seq))).all()
        queued_post, queued_direct, sent_post = (effect_from_json(r.effect) for r in rows)
    assert isinstance(queued_post, Post) and queued_post.team == TeamKey("discord", "G1")
    assert isinstance(queued_direct, SendDirect)
    assert isinstance(sent_post, Post) and sent_post.team is None  # history is left as it was
