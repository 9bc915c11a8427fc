"""The long-lived objects a running process holds, as adapters and entry points see them.

``bot.bootstrap`` builds them; adapters receive them and never build their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.kernel.app import Bot
from bot.kernel.clock import Clock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database

__all__ = ["Engine", "Services"]


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

    async def stop(self) -> None:
        """Stop ticking: a tick in progress finishes, senders hand back what they hold."""


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
