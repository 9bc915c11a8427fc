"""The dispatcher's side of the working window: the verdict for one member's scheduled DM
(from :func:`bot.domain.window.decide`) and the per-team counts behind ``team disconnect``.

The counts are written in the dispatcher's transaction, as an upsert of (team, UTC day,
category) — no member id — so the report can never name anyone and agrees with what was
queued exactly once.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.domain.dm_decision import Decision, Reason
from bot.domain.dm_decision import Verdict as Action
from bot.domain.schedule import PersonalRules
from bot.domain.window import Category, Verdict, WorkWindow, decide, usual_window
from bot.kernel.storage.models import Team
from bot.kernel.storage.models.scheduling import DmWindowCount
from bot.kernel.storage.uow import UnitOfWork

__all__ = ["WindowTally", "base_window", "record_counts", "verdict_for", "window_decision"]


class WindowFields(Protocol):
    """What the window reads of a member: an ORM ``Member`` or the dispatcher's values."""

    @property
    def work_start(self) -> str | None: ...

    @property
    def work_end(self) -> str | None: ...


def base_window(work_start: str | None, work_end: str | None, team: Team) -> WorkWindow:
    """The member's usual window: their start and end, else the team's defaults."""
    return usual_window(work_start, work_end, team.default_work_start, team.default_logoff)


def verdict_for(
    kind: str, values: dict[str, Any], team: Team, rules: PersonalRules, local_due: datetime
) -> Verdict:
    """The verdict for a member's DM of ``kind`` (``values``: the member's columns)."""
    base = base_window(values.get("work_start"), values.get("work_end"), team)
    return decide(
        kind,
        local_due,
        base,
        rules,
        strict=bool(getattr(team, "strict_disconnect", True)),
        early_start=values.get("early_start_at"),
        confirmed=values.get("checkin_outside_ok"),
    )


def window_decision(
    kind: str, values: dict[str, Any], team: Team, rules: PersonalRules, local_due: datetime
) -> tuple[Decision, Category]:
    """The window's verdict in the delivery engine's terms (``bot.domain.dm_decision``):
    SEND, MOVE to the next window start, or DROP with ``Reason.OUTSIDE_WINDOW``; and the
    category it is counted under when it goes out."""
    verdict = verdict_for(kind, values, team, rules, local_due)
    if verdict.action == "send":
        return Decision(Action.SEND), verdict.category
    if verdict.action == "defer" and verdict.until is not None:
        return Decision(Action.MOVE, Reason.OUTSIDE_WINDOW, verdict.until.astimezone(UTC)), (
            verdict.category
        )
    return Decision(Action.DROP, Reason.OUTSIDE_WINDOW), verdict.category


WindowTally = Counter[tuple[int, date, Category]]


async def record_counts(uow: UnitOfWork, tally: WindowTally, *, postgres: bool) -> None:
    """Add the batch's DMs to the team counts (one upsert per key)."""
    table: Any = DmWindowCount.__table__
    for (team_id, day, category), count in sorted(tally.items()):
        if not count:
            continue
        insert = pg_insert(table) if postgres else sqlite_insert(table)
        statement = insert.values(team_id=team_id, day=day, category=category, count=count)
        statement = statement.on_conflict_do_update(
            index_elements=["team_id", "day", "category"],
            set_={"count": table.c.count + statement.excluded.count},
        )
        await uow.session.execute(statement)
