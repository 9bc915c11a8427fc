"""Events API deliveries taken on once: Slack retries an event (same ``event_id``, header
``X-Slack-Retry-Num``) when it did not see our acknowledgement in time, and a retry may
reach another instance behind the load balancer, so the record lives in the database."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from adapters.slack.models import SlackEventReceipt
from bot.kernel.clock import Clock
from bot.kernel.storage.db import Database

__all__ = ["EventReceipts"]

log = logging.getLogger(__name__)

# Slack retries three times within about five minutes; an hour leaves a wide margin.
KEEP = timedelta(hours=1)
PRUNE_EVERY = 500
ATTEMPTS = 5


class EventReceipts:
    def __init__(self, db: Database, *, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._since_prune = 0

    async def first_time(self, workspace_id: str, event_id: str) -> bool:
        """Record the event; ``True`` only for the first delivery of this ``event_id``."""
        if not event_id:
            return True
        insert = postgresql.insert if self.db.is_postgres else sqlite.insert
        statement = (
            insert(SlackEventReceipt)
            .values(
                workspace_id=workspace_id[:32],
                event_id=event_id[:64],
                received_at=self.clock.now(),
            )
            .on_conflict_do_nothing()
        )
        for attempt in range(ATTEMPTS):
            try:
                async with self.db.uow() as uow:
                    result = await uow.session.execute(statement)
                    await uow.commit()
                break
            except OperationalError as error:
                # SQLite busy with another writer: try again shortly; when it stays busy,
                # better to risk handling a retry twice than to drop the event.
                if attempt == ATTEMPTS - 1:
                    log.warning("could not record event %s (%s); handling it", event_id, error.orig)
                    return True
                await asyncio.sleep(0.05 * (attempt + 1))
        first = bool(getattr(result, "rowcount", 1))
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._since_prune = 0
            await self.prune()
        return first

    async def prune(self) -> int:
        """Forget receipts older than an hour; returns how many went."""
        async with self.db.uow() as uow:
            result = await uow.session.execute(
                delete(SlackEventReceipt).where(
                    SlackEventReceipt.received_at < self.clock.now() - KEEP
                )
            )
            await uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)
