from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Base
from tests.support import pg


async def _tables_and_revision(url: str) -> tuple[set[str], str | None]:
    db = Database(url)
    try:
        await db.upgrade()
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        return tables, await db.current_revision()
    finally:
        await db.dispose()


def test_empty_sqlite_database_migrates_to_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    tables, revision = pg.run_async(lambda: _tables_and_revision(url))
    assert set(Base.metadata.tables) <= tables
    assert revision is not None


@pytest.mark.postgres
def test_empty_postgres_database_migrates_to_head(postgres_url: str) -> None:
    name = f"crossfade_mig_{uuid.uuid4().hex[:8]}"
    url = pg.create_database(pg.admin_url(), name)
    try:
        tables, revision = pg.run_async(lambda: _tables_and_revision(url))
    finally:
        pg.drop_database(pg.admin_url(), name)
    assert set(Base.metadata.tables) <= tables
    assert revision is not None


async def test_upgrade_is_idempotent(any_db: Database) -> None:
    before = await any_db.current_revision()
    await any_db.upgrade()
    assert await any_db.current_revision() == before
