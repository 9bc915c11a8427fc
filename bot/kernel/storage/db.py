"""Engine, sessions and migrations. Nothing here connects at import time."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.kernel.storage.log_redaction import install_sql_log_redaction
from bot.kernel.storage.uow import UnitOfWork

__all__ = ["Database", "alembic_config"]

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
ROOT = Path(__file__).resolve().parents[3]  # where the ``bot`` and ``adapters`` packages are
# Where the revisions are, relative to ROOT: the core's, and those of tables an adapter owns
# (they live with the adapter). One linear chain runs through them all. Paths, not imports:
# storage knows where the revisions are, not which adapters there are.
VERSION_LOCATIONS = (
    "bot/kernel/storage/migrations/versions",
    "adapters/slack/migrations",
    "adapters/discord/migrations",
)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    locations = os.pathsep.join(str(ROOT / location) for location in VERSION_LOCATIONS)
    # ``path_separator`` since Alembic 1.16; ``version_path_separator`` before it
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_path_separator", "os")
    config.set_main_option("version_locations", locations.replace("%", "%%"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; let
    # SQLAlchemy emit BEGIN itself (the documented recipe), so nested transactions work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Deleted rows (a closed poll's ballots, an old token) are overwritten, not left in free
    # pages for whoever reads the file later.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: two events in one process then wait for each
    # other (busy_timeout) instead of failing with "database is locked" on upgrade.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the async engine and hands out units of work."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        # Bound values never reach logs or exception messages (see log_redaction).
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if url.startswith("postgresql"):
            kwargs |= {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
            # A database behind a dead network path must fail fast (and be retried by the
            # next tick or request) rather than hang a connect for asyncpg's default minute.
            kwargs["connect_args"] = {"timeout": 10}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        install_sql_log_redaction()
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def uow(self) -> UnitOfWork:
        """A unit of work: commit explicitly, roll back otherwise."""
        return UnitOfWork(self._sessions())

    async def upgrade(self, revision: str = "head") -> None:
        """Run Alembic migrations up to ``revision`` on this engine's database."""

        def run(connection: Connection) -> None:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        async with self.engine.begin() as conn:
            await conn.run_sync(run)
        log.info("database schema is at %s", revision)

    async def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        def read(connection: Connection) -> str | None:
            return MigrationContext.configure(connection).get_current_revision()

        async with self.engine.connect() as conn:
            return await conn.run_sync(read)

    async def dispose(self) -> None:
        await self.engine.dispose()


def run_upgrade_blocking(url: str) -> None:
    """``crossfade db upgrade``: migrate the database at ``url`` to head."""

    async def main() -> None:
        db = Database(url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(main())
