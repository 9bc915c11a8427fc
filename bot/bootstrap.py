"""The composition root: wires settings, storage, clock, the bot and the scheduling engine.

Nothing connects at import time; tests pass fakes (a FakeClock, a SQLite file, fake notifiers).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.app import Bot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.security.keys import load_server_keys, set_server_keys
from bot.storage.db import Database

__all__ = ["Engine", "NullEngine", "Services", "build"]

log = logging.getLogger(__name__)


class Engine(Protocol):
    """The scheduling and delivery engine as the shell sees it (bot.scheduling implements it)."""

    def add_notifier(self, notifier: Any) -> None:
        """Register the platform notifier that delivers one lane's outbox rows."""

    async def next_due_at(self) -> datetime | None:
        """The earliest instant at which something (a schedule or an outbox retry) is due."""

    async def run_due(self) -> None:
        """Dispatch everything due at the clock's now, then drain the outbox once."""

    async def start(self) -> None:
        """Start the periodic tick (APScheduler) for a long-running process."""

    async def stop(self) -> None: ...


@dataclass
class NullEngine:
    """Used until the scheduling engine is wired: nothing is ever due."""

    notifiers: list[Any] = field(default_factory=list)

    def add_notifier(self, notifier: Any) -> None:
        self.notifiers.append(notifier)

    async def next_due_at(self) -> datetime | None:
        return None

    async def run_due(self) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    bot: Bot
    engine: Engine

    async def close(self) -> None:
        await self.engine.stop()
        await self.db.dispose()


def build_engine(bot: Bot) -> Engine:
    try:
        from bot.scheduling.engine import build_engine as real
    except ImportError:
        return NullEngine()
    engine: Engine = real(bot)
    return engine


async def build(
    settings: Settings, *, clock: Clock | None = None, migrate: bool = True
) -> Services:
    """Create every long-lived object. SQLite databases are migrated automatically; a
    PostgreSQL database must be at head (``crossfade db upgrade``), which is checked."""
    from bot.content import get_content

    # Broken content files (quiz, tips) stop start-up here: ContentError is a ValueError
    # whose message names the file, the line and what is wrong.
    get_content(settings.content_dir)
    # A missing key is MissingServerKey (a ValueError): one clear line at start-up.
    set_server_keys(load_server_keys(settings.secret_key, settings.database_url))
    db = Database(settings.database_url)
    if migrate and db.is_sqlite:
        await db.upgrade()
    bot = Bot(db=db, settings=settings, clock=clock or SystemClock())
    return Services(settings=settings, db=db, clock=bot.clock, bot=bot, engine=build_engine(bot))
