"""Lane leases: at most one process drains a lane at a time.

A lease is a row (lane, holder, expires_at). Taking it is one conditional UPDATE (succeeds
when we hold it or it has expired) or, for a lane never seen, an INSERT that loses cleanly to
a concurrent one. A holder renews it while it works; a crashed holder's lanes are free again
once its lease expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from bot.storage.models.scheduling import LaneLease

__all__ = ["acquire_lease", "lease_expiry", "release_lease"]


async def acquire_lease(
    db: Database, *, lane: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease on ``lane`` for ``ttl``; ``False`` if another holder has it."""
    expires = now + ttl
    async with db.uow() as uow:
        result = await uow.session.execute(
            update(LaneLease)
            .where(
                LaneLease.lane == lane,
                or_(LaneLease.holder == holder, LaneLease.expires_at <= now),
            )
            .values(holder=holder, expires_at=expires)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            await uow.commit()
            return True
        try:
            uow.session.add(LaneLease(lane=lane, holder=holder, expires_at=expires))
            await uow.commit()
            return True
        except IntegrityError:
            return False


async def release_lease(db: Database, *, lane: str, holder: str) -> None:
    async with db.uow() as uow:
        await uow.session.execute(
            delete(LaneLease)
            .where(LaneLease.lane == lane, LaneLease.holder == holder)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()


async def lease_expiry(db: Database, *, lane: str, holder: str) -> datetime | None:
    """When another holder's lease on ``lane`` ends (``None`` if free or ours)."""
    async with db.uow() as uow:
        lease = await uow.session.get(LaneLease, lane)
        if lease is None or lease.holder == holder:
            return None
        return lease.expires_at
