"""Claiming due schedules: the dispatcher's first statement in each batch's transaction.

On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP LOCKED`` (of ``schedules`` only):
concurrent dispatchers take disjoint batches and never wait for each other. SQLite is
single-instance by design (its writers are serialised anyway). A claim reads each schedule
with its member's row in one query, as plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import make_transient_to_detached

from bot.domain.schedule_rules import Rule, rule_from_json
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import Schedule
from bot.kernel.storage.uow import UnitOfWork

__all__ = ["SCHEDULES", "Claim", "ClaimedSchedule", "MemberRow", "claim", "load_teams"]

SCHEDULES = cast(Table, Schedule.__table__)
MEMBERS = cast(Table, Member.__table__)

_COLUMNS = (
    "id",
    "team_id",
    "member_id",
    "kind",
    "ref",
    "rule",
    "data",
    "next_due_at",
    "last_due_at",
    "done_through",
    "stopped",
)


@dataclass(slots=True)
class ClaimedSchedule:
    """A claimed schedule as plain values: cheaper than an ORM object to load and to
    advance (one executemany UPDATE per batch)."""

    id: int
    team_id: int
    member_id: int | None
    kind: str
    ref: str
    rule_json: dict[str, Any]
    data: dict[str, Any]
    next_due_at: datetime | None
    last_due_at: datetime | None
    done_through: date | None
    stopped: str | None
    _rule: Rule | None = None

    @property
    def rule(self) -> Rule:
        if self._rule is None:
            self._rule = rule_from_json(self.rule_json)
        return self._rule


class MemberRow:
    """A claimed schedule's member as plain values (every column of ``members``). Jobs get
    an ORM ``Member`` only if they touch ``ctx.member`` (see ``JobContext``): building
    100,000 ORM objects a minute would cost more than everything else a reminder needs."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.id: int = values["id"]
        self.platform_user_id: str = values["platform_user_id"]
        self.display_name: str = values["display_name"] or ""
        self.timezone: str | None = values["timezone"]
        self.workdays: int = values["workdays"]
        self.quiet_start: str | None = values["quiet_start"]
        self.quiet_end: str | None = values["quiet_end"]
        self.away_start: date | None = values["away_start"]
        self.away_end: date | None = values["away_end"]
        self.holidays: str | None = values["holidays"]
        self.is_admin: bool = bool(values["is_admin"])
        self.dm_blocked: bool = bool(values["dm_blocked"])

    def attach(self, uow: UnitOfWork) -> Member:
        """The ORM ``Member`` for these values, attached to the session without a query
        (or the one the session already has)."""
        member = Member(**self.values)
        make_transient_to_detached(member)
        merged: Member = uow.session.sync_session.merge(member, load=False)
        return merged


Claim = tuple[ClaimedSchedule, MemberRow | None]


def claim_query(
    now: datetime, *, limit: int, postgres: bool, schedule_id: int | None = None
) -> Select[Any]:
    """Up to ``limit`` schedules due at ``now`` (or the one ``schedule_id``) with their
    members, locked for this transaction on PostgreSQL."""
    table = SCHEDULES
    query = (
        select(
            *(table.c[name] for name in _COLUMNS),
            *(column.label(f"m_{column.key}") for column in MEMBERS.c),
        )
        .select_from(table)
        .outerjoin(MEMBERS, MEMBERS.c.id == table.c.member_id)
        .where(table.c.next_due_at <= now)
        # next_due_at alone: the index gives that order, so a claim reads only the rows
        # it takes (a tiebreaker would sort every due row on each claim).
        .order_by(table.c.next_due_at)
        .limit(limit)
    )
    if schedule_id is not None:
        query = query.where(table.c.id == schedule_id)
    if postgres:
        query = query.with_for_update(skip_locked=True, of=table)
    return query


async def claim(
    uow: UnitOfWork,
    now: datetime,
    *,
    limit: int,
    postgres: bool,
    schedule_id: int | None = None,
) -> list[Claim]:
    """Claim due schedules in ``uow``'s transaction (see :func:`claim_query`)."""
    query = claim_query(now, limit=limit, postgres=postgres, schedule_id=schedule_id)
    result = await uow.session.execute(query)
    claimed = []
    member_keys = [column.key for column in MEMBERS.c]
    split = len(_COLUMNS)
    for row in result:
        values = dict(zip(_COLUMNS, row[:split], strict=True))
        values["rule_json"] = values.pop("rule")
        values["data"] = values["data"] or {}
        member_values = dict(zip(member_keys, row[split:], strict=True))
        member = MemberRow(member_values) if member_values["id"] is not None else None
        claimed.append((ClaimedSchedule(**values), member))
    return claimed


async def load_teams(uow: UnitOfWork, ids: set[int]) -> dict[int, Team]:
    """The claimed schedules' teams, by id."""
    rows = await uow.session.scalars(select(Team).where(Team.id.in_(ids)))
    return {team.id: team for team in rows}
