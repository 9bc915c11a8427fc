"""Advancing claimed schedules past their firing, in the dispatcher's transaction.

Every claimed schedule is advanced, fired or not: ``last_due_at`` is the firing, and
``next_due_at`` the rule's next firing after it (or after the start of the grace window, so
firings missed while the bot was down are skipped). A batch is saved in one statement: an
executemany UPDATE (SQLite) or an UPDATE over arrays (PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, text, update

from bot.domain.schedule import PersonalRules
from bot.domain.schedule_rules import DailyLocal, Once, rule_to_json
from bot.kernel.clock import Clock
from bot.kernel.storage.uow import UnitOfWork
from bot.scheduling.api import DM_BLOCKED, compute_next, touched_schedules
from bot.scheduling.claims import SCHEDULES, ClaimedSchedule

__all__ = ["Advance", "advance", "apply_advances", "move", "save"]

# A claimed schedule, its member's rules, and whether the member cannot be messaged.
Advance = tuple[ClaimedSchedule, PersonalRules | None, bool]

_PG_ADVANCE = (
    "UPDATE schedules AS s SET next_due_at = v.next_due_at, last_due_at = v.last_due_at, "
    "done_through = v.done_through, stopped = v.stopped, updated_at = :updated "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:nexts AS timestamptz[]), "
    "CAST(:lasts AS timestamptz[]), CAST(:dones AS date[]), CAST(:stops AS varchar[])) "
    "AS v(id, next_due_at, last_due_at, done_through, stopped) WHERE s.id = v.id"
)


def advance(
    schedule: ClaimedSchedule,
    rules: PersonalRules | None,
    now: datetime,
    *,
    grace: timedelta,
    stopped: bool = False,
) -> None:
    """Move ``schedule`` past the firing it was claimed for (in memory)."""
    due_at = schedule.next_due_at
    assert due_at is not None
    schedule.last_due_at = due_at
    rule = schedule.rule
    if isinstance(rule, DailyLocal) and rules is not None:
        schedule.done_through = due_at.astimezone(rules.zone).date()
    if stopped:
        schedule.next_due_at = None
        schedule.stopped = DM_BLOCKED
        return
    # Resume from the later of this firing and the start of the grace window: firings
    # missed while the bot was down are skipped, one still inside the window is sent.
    schedule.next_due_at = compute_next(schedule, rules, after=max(due_at, now - grace))


def apply_advances(
    uow: UnitOfWork, advances: list[Advance], now: datetime, *, grace: timedelta
) -> None:
    """Advance every claimed schedule. A handler may have changed its own schedule
    (``set_schedule`` / ``cancel_schedule`` load it as an ORM object): then its change
    wins, and only the bookkeeping of this firing is added to that object."""
    touched = touched_schedules(uow.session)
    for schedule, rules, stopped in advances:
        advance(schedule, rules, now, grace=grace, stopped=stopped)
        orm = touched.get(schedule.id)
        if orm is None:
            continue
        schedule.stopped = None  # not saved by save(): the ORM object is flushed instead
        orm.last_due_at = schedule.last_due_at
        if schedule.done_through is not None:
            orm.done_through = max(orm.done_through or schedule.done_through, schedule.done_through)
        unchanged = orm.next_due_at is not None and orm.next_due_at <= (schedule.last_due_at or now)
        if orm.stopped is None and unchanged:
            orm.next_due_at = schedule.next_due_at
            if stopped:
                orm.stopped = DM_BLOCKED
        schedule.id = -schedule.id  # marks it as saved through the ORM


async def save(
    uow: UnitOfWork, schedules: list[ClaimedSchedule], *, postgres: bool, clock: Clock
) -> None:
    """Write the advanced schedules (those not saved through the ORM)."""
    rows = [
        {
            "_id": s.id,
            "_next": s.next_due_at,
            "_last": s.last_due_at,
            "_done": s.done_through,
            "_stopped": s.stopped,
            "_updated": clock.now(),
        }
        for s in schedules
        if s.id > 0
    ]
    if not rows:
        return
    if postgres:
        await uow.session.execute(
            text(_PG_ADVANCE),
            {
                "ids": [row["_id"] for row in rows],
                "nexts": [row["_next"] for row in rows],
                "lasts": [row["_last"] for row in rows],
                "dones": [row["_done"] for row in rows],
                "stops": [row["_stopped"] for row in rows],
                "updated": clock.now(),
            },
        )
        return
    table = SCHEDULES
    await uow.session.execute(
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(
            next_due_at=bindparam("_next"),
            last_due_at=bindparam("_last"),
            done_through=bindparam("_done"),
            stopped=bindparam("_stopped"),
            updated_at=bindparam("_updated"),
        ),
        rows,
    )


async def move(uow: UnitOfWork, schedule: ClaimedSchedule, *, clock: Clock) -> None:
    """A moved one-off becomes a one-off at its new time, so a later change of the
    person's rules recomputes it from there (not from the instant it was moved away
    from, which would then look like a misfire)."""
    assert schedule.next_due_at is not None
    await uow.session.execute(
        update(SCHEDULES)
        .where(SCHEDULES.c.id == schedule.id)
        .values(
            rule=rule_to_json(Once(schedule.next_due_at)),
            next_due_at=schedule.next_due_at,
            updated_at=clock.now(),
        )
    )
