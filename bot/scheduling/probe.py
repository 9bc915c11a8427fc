"""The idle tick's one question, in one round trip: when is the first schedule due, and when
may the first waiting outbox row go out? An idle tick costs this and nothing more (no claim
transaction, no grouping of the outbox by lane).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select

from bot.delivery.transitions import WAITING_STATUSES
from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import OutboxRow, Schedule

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection
    from sqlalchemy.sql.elements import BindParameter

__all__ = ["WorkProbe", "utc"]


def utc(value: datetime) -> datetime:
    """``value`` in UTC (SQLite returns naive UTC datetimes)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class WorkProbe:
    """Asks the question above for the engine; on PostgreSQL it keeps its connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Autocommit: a read of two index probes needs no BEGIN/ROLLBACK round trips.
        self._engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.connection: AsyncConnection | None = None  # PostgreSQL: kept between ticks

    async def earliest(self) -> tuple[datetime | None, datetime | None]:
        """The first schedule's due time and the first waiting row's ``not_before`` (UTC)."""
        # No parameters: the same prepared statement every tick, and a plan that reads one
        # index entry per table (a generic plan for "next_due_at <= $1" guesses a third of
        # the rows match, picks a sequential scan, and reads the whole table when none does).
        waiting: BindParameter[str] = bindparam(
            "waiting", WAITING_STATUSES, expanding=True, literal_execute=True
        )
        due = select(func.min(Schedule.next_due_at)).scalar_subquery()
        ready = (
            select(func.min(OutboxRow.not_before))
            .where(OutboxRow.status.in_(waiting))
            .scalar_subquery()
        )
        statement = select(due, ready)
        if not self.db.is_postgres:
            async with self._engine.connect() as connection:
                row = (await connection.execute(statement)).one()
        else:
            # PostgreSQL: one connection kept between ticks, so an idle tick is this one
            # round trip (a pool checkout would add its liveness ping). A broken connection
            # is dropped; the tick fails and the next one opens another.
            if self.connection is None:
                self.connection = await self._engine.connect()
            try:
                row = (await self.connection.execute(statement)).one()
            except Exception:
                await self.close()
                raise
        first_due, first_ready = row[0], row[1]
        return (
            utc(first_due) if first_due is not None else None,
            utc(first_ready) if first_ready is not None else None,
        )

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
