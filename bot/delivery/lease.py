"""Lane leases with fencing tokens, judged by the database's clock.

A lease is a row (lane, holder, token, expires_at). Granting it is one upsert that succeeds
when the lane is free (never leased, released, or expired) or when the caller renews the
lease it still holds; every grant to a new term increments ``token``, which only grows
(releasing keeps the row and its token). Every outbox transition a sender makes is
conditional on its token still being the lane's current one *and* unexpired
(:func:`lease_is_current`), so a holder that stalled past its lease changes nothing.

Time: on PostgreSQL the database's ``clock_timestamp()`` grants, renews and judges leases —
an instance whose clock is skewed can neither steal a lane early nor keep it late. SQLite is
single-instance, so the caller's clock (the bot's, a fake one in tests) is the judge.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, case, exists, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement

from bot.kernel.storage.db import Database
from bot.kernel.storage.models import UTCDateTime
from bot.kernel.storage.models.scheduling import LaneLease

__all__ = [
    "Lease",
    "acquire_lease",
    "db_time",
    "lease_expiry",
    "lease_is_current",
    "release_lease",
]

LEASES = cast(Table, LaneLease.__table__)


@dataclass(frozen=True, slots=True)
class Lease:
    """A granted term. ``valid_until`` is on this process's monotonic clock, measured from
    *before* the grant was asked for, so it never ends later than the database's
    ``expires_at`` however long the answer took to arrive (a stalled process sees its
    lease already over when it wakes)."""

    lane: str
    holder: str
    token: int
    expires_at: datetime
    valid_until: float  # time.monotonic()
    # A new term after another holder's: how long before the grant (by the database's
    # clock) that term ended, so the new holder does not crowd the platform's window.
    handed_over_ago: float | None = None

    def left(self) -> float:
        return self.valid_until - _time.monotonic()


def db_time(db: Database, now: datetime) -> ColumnElement[Any]:
    """The instant the database judges by: its own clock on PostgreSQL, ``now`` on SQLite."""
    if db.is_postgres:
        return cast(ColumnElement[Any], func.clock_timestamp())
    return literal(now, UTCDateTime())


def lease_is_current(
    db: Database, *, lane: str, token: int, now: datetime, spare: float = 0.0
) -> ColumnElement[bool]:
    """SQL: the lane's lease still has ``token`` and at least ``spare`` seconds to run."""
    clock = db_time(db, now)
    if spare:
        clock = (
            clock + timedelta(seconds=spare)
            if db.is_postgres
            else literal(now + timedelta(seconds=spare), UTCDateTime())
        )
    return exists().where(
        LEASES.c.lane == lane, LEASES.c.token == token, LEASES.c.expires_at > clock
    )


async def acquire_lease(
    db: Database,
    *,
    lane: str,
    holder: str,
    now: datetime,
    ttl: timedelta,
    token: int | None = None,
) -> Lease | None:
    """Take the lane (a new term, a new token) or renew the term ``token`` we hold;
    ``None`` if another holder's term is running."""
    started = _time.monotonic()
    clock = db_time(db, now)
    expires = clock + ttl if db.is_postgres else literal(now + ttl, UTCDateTime())
    insert = pg_insert if db.is_postgres else sqlite_insert
    ours = and_(
        LEASES.c.holder == holder,
        LEASES.c.token == (token if token is not None else -1),
        LEASES.c.expires_at > clock,
    )
    statement = (
        insert(LEASES)
        .values(lane=lane, holder=holder, token=1, expires_at=expires)
        .on_conflict_do_update(
            index_elements=[LEASES.c.lane],
            set_={
                "holder": holder,
                "expires_at": expires,
                "token": case((ours, LEASES.c.token), else_=LEASES.c.token + 1),
            },
            where=or_(LEASES.c.expires_at <= clock, ours),
        )
        .returning(LEASES.c.token, LEASES.c.expires_at, clock.label("judged_at"))
    )
    previous = select(LEASES.c.holder, LEASES.c.expires_at).where(LEASES.c.lane == lane)
    async with db.uow() as uow:
        before = (await uow.session.execute(previous)).first()
        row = (await uow.session.execute(statement)).first()
        await uow.commit()
    if row is None:
        return None
    granted, expires_at, judged_at = row
    judged = _aware(judged_at) if judged_at is not None else now
    remaining = (_aware(expires_at) - judged).total_seconds()
    ago = None
    if before is not None and before.holder != holder:
        ago = max(0.0, (judged - _aware(before.expires_at)).total_seconds())
    return Lease(lane, holder, int(granted), _aware(expires_at), started + remaining, ago)


async def release_lease(
    db: Database, *, lane: str, holder: str, now: datetime, token: int | None = None
) -> None:
    """End our term now; the row and its token stay (the next grant increments it)."""
    clock = db_time(db, now)
    condition = [LEASES.c.lane == lane, LEASES.c.holder == holder]
    if token is not None:
        condition.append(LEASES.c.token == token)
    async with db.uow() as uow:
        await uow.session.execute(
            update(LEASES).where(*condition, LEASES.c.expires_at > clock).values(expires_at=clock)
        )
        await uow.commit()


async def lease_expiry(db: Database, *, lane: str, holder: str) -> datetime | None:
    """When another holder's lease on ``lane`` ends (``None`` if free or ours)."""
    async with db.uow() as uow:
        row = (
            await uow.session.execute(
                select(LEASES.c.holder, LEASES.c.expires_at).where(LEASES.c.lane == lane)
            )
        ).first()
        if row is None or row.holder == holder:
            return None
        return _aware(row.expires_at)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
