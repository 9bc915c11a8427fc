"""The scheduling engine: schedules in the database, a dispatcher that claims due rows.

Flows use it like this::

    from bot.scheduling import DailyLocal, Due, set_schedule

    @flow.command("checkin", ...)
    async def checkin(ctx, cmd):
        await set_schedule(ctx, kind="checkin", rule=DailyLocal(time(16, 45)))
        ...

    @flow.job("checkin")
    async def send_checkin(ctx: Context, due: Due) -> list[Effect]:
        return [SendDirect(ctx.user_ref, Message(...))]

The handler runs inside the dispatcher's transaction with ``ctx.now == due.due_at`` and a
``ctx`` for the schedule's member; its effects (``SendDirect``, ``Post``, ``Update``) become
outbox rows in that transaction and are delivered exactly once. Every scheduled DM gets a
**Skip today** button (action ``sched:skip``) unless ``data["no_skip"]`` is true.

Behind this face: ``engine`` (the tick, the senders), ``dispatcher`` (one batch, one
transaction) and its steps ``claims``, ``verdict``, ``firing``, ``outbox`` and ``advance``.
The engine knows no feature and no ``Bot``: it runs jobs through a ``runner.JobRunner``.
"""

from bot.kernel.storage.models.scheduling import Schedule
from bot.scheduling.api import (
    Due,
    cancel_schedule,
    get_schedule,
    member_rules,
    recompute_for,
    recompute_member,
    set_schedule,
    skip_today,
)
from bot.scheduling.rules import DailyLocal, Once, Rule, WeeklyLocal

__all__ = [
    "DailyLocal",
    "Due",
    "Once",
    "Rule",
    "Schedule",
    "WeeklyLocal",
    "cancel_schedule",
    "get_schedule",
    "member_rules",
    "recompute_for",
    "recompute_member",
    "set_schedule",
    "skip_today",
]
