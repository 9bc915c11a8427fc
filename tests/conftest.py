"""Shared fixtures: databases (SQLite always, the real PostgreSQL when reachable), a fake
clock, a bot, and a guard that fails any test touching the real network."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import make_bot
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from tests.support import pg

# One fixed server key for the suite (PostgreSQL refuses to start without one); tests of the
# key file and of rotation set their own.
TEST_SERVER_KEY = "dGVzdC1zZXJ2ZXIta2V5LW5vdC1mb3ItcHJvZHVjdGk="
os.environ.setdefault("CROSSFADE_SECRET_KEY", TEST_SERVER_KEY)

# --- no real network -----------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if isinstance(address, str):  # unix socket
        return True
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (
        host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")
    )


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the real network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the real network: {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


# --- databases -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.upgrade()
        await db.dispose()

    pg.run_async(migrate)
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head; dropped after.

    Skips when the server is unreachable, except under CI=true, where it fails."""
    admin_url = pg.admin_url()
    reason = pg.unreachable_reason(admin_url)
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI but {reason}", pytrace=False)
        pytest.skip(
            f"PostgreSQL tests skipped: {reason}. Start PostgreSQL or set "
            "CROSSFADE_TEST_POSTGRES_URL=postgresql+asyncpg://user@host:5432/db to run them."
        )
    name = f"crossfade_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = pg.create_database(admin_url, name)

    async def migrate() -> None:
        db = Database(url)
        await db.upgrade()
        await db.dispose()

    pg.run_async(migrate)
    try:
        yield url
    finally:
        pg.drop_database(admin_url, name)


@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "crossfade.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite+aiosqlite:///{path}")
    yield db
    await db.dispose()


@pytest.fixture
async def postgres_db(postgres_url: str) -> AsyncIterator[Database]:
    db = Database(postgres_url)
    await pg.truncate_all(db)
    yield db
    await db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    """Runs the test once on SQLite and once on the real PostgreSQL."""
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    db: Database = request.getfixturevalue(fixture)
    return db


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db


# --- the bot -------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    # Monday 2 March 2026, 09:00 UTC
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings() -> Settings:
    return Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def bot(db: Database, clock: FakeClock, settings: Settings) -> Bot:
    return make_bot(db=db, clock=clock, settings=settings)
