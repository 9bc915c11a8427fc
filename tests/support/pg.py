"""Helpers for tests against the real PostgreSQL server."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy import text

from bot.kernel.storage.db import Database

T = TypeVar("T")


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own loop in a worker thread, so that sync
    fixtures can set up databases even when pytest-asyncio's loop is already running."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def admin_url() -> str:
    return os.environ.get("CROSSFADE_TEST_POSTGRES_URL", DEFAULT_URL)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def unreachable_reason(url: str) -> str | None:
    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(_dsn(url), timeout=3)
        await conn.close()

    try:
        run_async(probe)
    except Exception as error:  # any failure means "not usable"
        return f"it is not reachable at {url} ({type(error).__name__}: {error})"
    return None


def create_database(url: str, name: str) -> str:
    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(_dsn(url), timeout=10)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    run_async(create)
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(_dsn(url), timeout=10)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    run_async(drop)


async def truncate_all(db: Database) -> None:
    """Empty every table but Alembic's, so each test starts clean on the shared database."""
    async with db.engine.begin() as conn:
        names = (
            await conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ).scalars()
        tables = ", ".join(f'"{n}"' for n in names)
        if tables:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
