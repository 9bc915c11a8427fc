"""What the engine runs for check-ins: the daily DM, the weekly summary, the nightly purge."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.domain.workweek import last_workday
from bot.features.checkin import dashboard, records
from bot.features.checkin.daily import (
    KIND,
    PURGE_KIND,
    SUMMARY_KIND,
    logoff_time,
    schedule_weekly_summary,
)
from bot.features.checkin.flow import flow
from bot.features.checkin.questions import first_question
from bot.features.checkin.store import CheckIns
from bot.kernel.context import Context
from bot.kernel.effects import Effect, SendDirect
from bot.scheduling import Due

__all__ = ["daily_checkin", "purge", "weekly_summary"]

log = logging.getLogger(__name__)


@flow.job(KIND)
async def daily_checkin(ctx: Context, due: Due) -> list[Effect]:
    """The scheduled DM: today's first question, unless today is already checked in."""
    day = due.local_due.date()
    row = await ctx.store(CheckIns).on(ctx.member, day)
    if records.is_complete(row):
        return []
    intro = "Time for your 30-second check-in. Only you will ever see the answers."
    return [SendDirect(ctx.user_ref, first_question(day, row, intro=intro))]


@flow.job(SUMMARY_KIND)
async def weekly_summary(ctx: Context, due: Due) -> list[Effect]:
    """Runs daily at log-off time; speaks only on the last workday of the person's week."""
    local_due = due.local_due
    if local_due.weekday() != last_workday(ctx.member.workdays):
        return []
    # Follow a changed log-off time from next week on.
    if (await logoff_time(ctx)) != local_due.time().replace(second=0, microsecond=0):
        await schedule_weekly_summary(ctx)
    message = await dashboard.weekly_summary(ctx, today=local_due.date())
    return [] if message is None else [SendDirect(ctx.user_ref, message)]


@flow.job(PURGE_KIND)
async def purge(ctx: Context, due: Due) -> list[Effect]:
    """The team's nightly retention purge (a team-level job: ``ctx.member`` is a stand-in)."""
    cutoff = due.local_due.date() - timedelta(days=ctx.team.retention_days)
    removed = await ctx.store(CheckIns).purge_before(cutoff)
    if removed:
        log.info("purged %d check-ins past retention for team %s", removed, ctx.team.id)
    return []
