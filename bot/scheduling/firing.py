"""Running one firing's job: its ``Due``, a ``JobContext`` for the schedule's member (or a
placeholder for a team-level schedule), the handler, and a **Skip today** button on every
DM unless ``data["no_skip"]`` says otherwise.

The handler runs inside the dispatcher's transaction; its effects are the firing's outbox
rows (``bot.scheduling.outbox``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial

from bot.kernel.effects import Effect, SendDirect
from bot.kernel.events import Actor
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.uow import UnitOfWork
from bot.kernel.ui import Button, Buttons, Message
from bot.scheduling.api import Due
from bot.scheduling.claims import ClaimedSchedule, MemberRow
from bot.scheduling.context import JobContext
from bot.scheduling.runner import JobHandler, JobRunner

__all__ = ["SKIP_ACTION", "job_context", "run_job", "with_skip_button"]

SKIP_ACTION = "sched:skip"


async def run_job(
    runner: JobRunner,
    uow: UnitOfWork,
    handler: JobHandler,
    claimed: ClaimedSchedule,
    member: MemberRow | None,
    team: Team,
    *,
    local_due: datetime,
) -> tuple[Due, list[Effect]]:
    """Run ``handler`` for the firing of ``claimed`` due at ``local_due``; the firing and
    the effects to enqueue for it."""
    assert claimed.next_due_at is not None
    due = Due(
        kind=claimed.kind,
        ref=claimed.ref,
        data=dict(claimed.data or {}),
        due_at=claimed.next_due_at,
        local_due=local_due,
        schedule_id=claimed.id,
    )
    ctx = job_context(runner, uow, team, member, due.due_at)
    effects = await handler(ctx, due)
    if due.data.get("no_skip"):
        return due, effects
    return due, [_offer_skip(effect, claimed.id, due.local_date) for effect in effects]


def _offer_skip(effect: Effect, schedule_id: int, local_day: date) -> Effect:
    if not isinstance(effect, SendDirect):
        return effect
    return SendDirect(
        effect.user, with_skip_button(effect.message, schedule_id, local_day.isoformat())
    )


def with_skip_button(message: Message, schedule_id: int, local_day: str) -> Message:
    """The message with a **Skip today** button (in the last button row when it has room)."""
    skip = Button("Skip today", SKIP_ACTION, f"{schedule_id}@{local_day}")
    blocks = list(message.blocks)
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if isinstance(block, Buttons):
            if len(block.buttons) < 5:  # Discord's limit per row
                blocks[index] = Buttons((*block.buttons, skip))
                return Message(message.text, tuple(blocks))
            break
    return Message(message.text, (*blocks, Buttons((skip,))))


def job_context(
    runner: JobRunner, uow: UnitOfWork, team: Team, member: MemberRow | None, now: datetime
) -> JobContext:
    """The context a job handler gets: the schedule's member, loaded only when used."""
    placeholder: Member | None = None
    load: Callable[[], Member] | None = None
    if member is None:
        # A team-level schedule: a placeholder member that is never added to the session.
        placeholder = Member(
            id=0,
            team_id=team.id,
            platform_user_id="",
            display_name=team.name or "team",
            timezone=None,
            workdays=0b1111111,
            is_admin=False,
            dm_blocked=False,
        )
        actor = Actor(team.platform, team.workspace_id, "", placeholder.display_name)
    else:
        actor = Actor(
            team.platform,
            team.workspace_id,
            member.platform_user_id,
            member.display_name,
            member.timezone,
            member.is_admin,
        )
        load = partial(member.attach, uow)
    return JobContext.make(
        registry=runner.router,
        settings=runner.settings,
        uow=uow,
        team=team,
        actor=actor,
        now=now,
        member=placeholder,
        load=load,
    )
