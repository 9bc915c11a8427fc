"""Every state change a sender makes to the outbox, each conditional on its fencing token.

    pending | retry ──claim──▶ claimed ──start──▶ sending ──▶ sent | failed | retry
    claimed | sending of an older token ──claim (by the next holder)──▶ claimed

Each statement carries ``fence = :token`` and :func:`lease_is_current`: a holder whose
lease was taken over (or has simply run out, by the database's clock) changes nothing and
learns it from the row count, and stops. A row found ``sending`` under an older token is
claimed as *uncertain*: the platform may already have it (see the sender).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.lease import Lease, lease_is_current
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import OutboxRow

__all__ = ["READY_STATUSES", "WAITING_STATUSES", "Claimed", "FencedOutbox"]

OUTBOX = cast(Table, OutboxRow.__table__)
READY_STATUSES = ("pending", "retry")  # waiting for their not_before
WAITING_STATUSES = ("pending", "retry", "claimed", "sending")  # not finished yet


@dataclass
class Claimed:
    row: OutboxRow
    team: TeamKey
    team_active: bool
    dm_blocked: bool
    uncertain: bool  # the platform may have it already


class FencedOutbox:
    """The outbox as one lease term of one lane sees it."""

    def __init__(self, db: Database, lease: Lease) -> None:
        self.db = db
        self.lease = lease

    def _current(self, now: datetime, spare: float = 0.0) -> Any:
        return lease_is_current(
            self.db, lane=self.lease.lane, token=self.lease.token, now=now, spare=spare
        )

    async def claim(self, now: datetime, limit: int) -> list[Claimed]:
        """Up to ``limit`` rows: those an earlier term left unfinished first, then retries
        by due time (a retried row keeps its place ahead of rows due later), then new rows in
        the index's order."""
        token = self.lease.token
        async with self.db.uow() as uow:
            session = uow.session
            ids = await self._candidates(session, now, limit)
            if not ids:
                return []
            claimable = or_(
                OUTBOX.c.status.in_(READY_STATUSES),
                and_(OUTBOX.c.status.in_(("claimed", "sending")), OUTBOX.c.fence < token),
            )
            # A row left "sending" by an earlier term is uncertain from now on.
            taken = await session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(ids), claimable, self._current(now))
                .values(
                    status="claimed",
                    fence=token,
                    claimed_by=self.lease.holder,
                    uncertain=or_(OUTBOX.c.uncertain, OUTBOX.c.status == "sending"),
                )
                .returning(OUTBOX.c.id)
            )
            got = {row_id for (row_id,) in taken}
            found = await self._load(session, got) if got else {}
            await uow.commit()
        return [found[row_id] for row_id in ids if row_id in found]

    async def _candidates(self, session: AsyncSession, now: datetime, limit: int) -> list[int]:
        """The ids a claim tries to take, in the order it takes them."""
        lane, token = self.lease.lane, self.lease.token
        base = select(OUTBOX.c.id).where(OUTBOX.c.lane == lane)
        ids = list(
            await session.scalars(
                base.where(OUTBOX.c.status.in_(("claimed", "sending")), OUTBOX.c.fence < token)
                .order_by(OUTBOX.c.due_at, OUTBOX.c.id)
                .limit(limit)
            )
        )
        for status, order in (
            ("retry", (OUTBOX.c.due_at, OUTBOX.c.id)),
            ("pending", (OUTBOX.c.not_before, OUTBOX.c.id)),
        ):
            if len(ids) >= limit:
                break
            ids += await session.scalars(
                base.where(OUTBOX.c.status == status, OUTBOX.c.not_before <= now)
                .order_by(*order)
                .limit(limit - len(ids))
            )
        return ids

    @staticmethod
    async def _load(session: AsyncSession, got: set[int]) -> dict[int, Claimed]:
        """The claimed rows with what the sender checks before sending."""
        query = (
            select(OutboxRow, Team.platform, Team.workspace_id, Team.active, Member.dm_blocked)
            .join(Team, Team.id == OutboxRow.team_id)
            .outerjoin(Member, Member.id == OutboxRow.member_id)
            .where(OutboxRow.id.in_(got))
        )
        return {
            row.id: Claimed(
                row, TeamKey(platform, workspace), bool(active), bool(blocked), row.uncertain
            )
            for row, platform, workspace, active, blocked in await session.execute(query)
        }

    async def start(self, row_id: int, now: datetime, *, spare: float) -> bool:
        """claimed → sending, only with ``spare`` seconds of lease left by the database's
        clock (the request's deadline fits inside the lease)."""
        return await self._move(row_id, now, {"status": "sending"}, spare=spare)

    async def finish(self, row_id: int, now: datetime, **values: Any) -> bool:
        """→ sent | failed | expired (``values`` has the status and the columns to set)."""
        return await self._move(row_id, now, {**values, "uncertain": False})

    async def progress(self, row_id: int, now: datetime, message_id: str) -> bool:
        """A step done while the row is ``sending``: its message exists (``message_id``)."""
        return await self._move(row_id, now, {"platform_message_id": message_id[:100]})

    async def retry(
        self,
        row_id: int,
        now: datetime,
        *,
        when: datetime,
        attempts: int,
        error: str,
        uncertain: bool,
    ) -> bool:
        values = {
            "status": "retry",
            "not_before": when,
            "attempts": attempts,
            "error": error[:500],
            "uncertain": uncertain,
        }
        return await self._move(row_id, now, values)

    async def unclaim(self, row_ids: list[int], now: datetime) -> None:
        """Hand back rows this term claimed but did not send (a drain that must wait; the
        first of them may be marked sending, its request not made)."""
        if not row_ids:
            return
        async with self.db.uow() as uow:
            await uow.session.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.id.in_(row_ids),
                    OUTBOX.c.status.in_(("claimed", "sending")),
                    OUTBOX.c.fence == self.lease.token,
                    self._current(now),
                )
                .values(status=_back_status(), fence=None)
            )
            await uow.commit()

    async def _move(
        self, row_id: int, now: datetime, values: dict[str, Any], *, spare: float = 0.0
    ) -> bool:
        async with self.db.uow() as uow:
            result = await uow.session.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.id == row_id,
                    OUTBOX.c.fence == self.lease.token,
                    OUTBOX.c.status.in_(("claimed", "sending")),
                    self._current(now, spare),
                )
                .values(**values)
            )
            await uow.commit()
        return int(getattr(result, "rowcount", 0) or 0) == 1


def _back_status() -> Any:
    # A row that was retried keeps its place among the retries; a new one goes back to
    # pending. (attempts > 0 or an error recorded means it was tried before.)
    return case((or_(OUTBOX.c.attempts > 0, OUTBOX.c.error.is_not(None)), "retry"), else_="pending")
