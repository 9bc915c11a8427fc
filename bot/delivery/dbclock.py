"""The engine's clock, kept in step with the database's.

Due times, delivery deadlines and ``not_before`` are compared with the engine's "now"; on
PostgreSQL several instances share those rows, so their "now" must be the same: the
database's. :class:`DatabaseClock` wraps the bot's clock and, when that clock is the real
one (``follows_database``), measures the offset to ``clock_timestamp()`` every
``every`` seconds (half the round trip corrects for the network). A fake clock (tests,
the console) is used as it is. Leases do not depend on this: the database judges them
itself (``bot.delivery.lease``).
"""

from __future__ import annotations

import logging
import time as _time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.kernel.clock import Clock
from bot.kernel.storage.db import Database

__all__ = ["DatabaseClock"]

log = logging.getLogger(__name__)

WARN_OFFSET = timedelta(seconds=5)


class DatabaseClock:
    def __init__(self, base: Clock, db: Database, *, every: float = 30.0) -> None:
        self.base = base
        self.db = db
        self.every = every
        self.offset = timedelta(0)
        self._synced_at: float | None = None

    @property
    def follows_database(self) -> bool:
        return self.db.is_postgres and bool(getattr(self.base, "follows_database", False))

    def now(self) -> datetime:
        return self.base.now() + self.offset

    async def sync(self, *, force: bool = False) -> None:
        """Measure the offset again when it is due (or ``force``)."""
        if not self.follows_database:
            return
        started = _time.monotonic()
        if not force and self._synced_at is not None and started - self._synced_at < self.every:
            return
        before = self.base.now()
        async with self.db.engine.connect() as connection:
            database = (await connection.execute(text("SELECT clock_timestamp()"))).scalar_one()
        after = self.base.now()
        offset = database.astimezone(UTC) - (before + (after - before) / 2)
        if abs(offset) > WARN_OFFSET and abs(offset - self.offset) > WARN_OFFSET:
            log.warning(
                "this host's clock is %.1fs off the database's; following the database",
                -offset.total_seconds(),
            )
        self.offset = offset
        self._synced_at = _time.monotonic()
