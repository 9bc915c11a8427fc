"""The reminder's answers: **I'm logging off** · **Snooze 15 min** · **Working late today**.

The reminder is a conversation (:mod:`bot.kernel.conversation`) whose state is kept
elsewhere: each button carries the local day it belongs to, and the framework lets through
only a press for today; a press on another day's reminder (or a garbled value) changes
nothing and is answered once, by :func:`_not_today`.
"""

from __future__ import annotations

from datetime import date

from bot.domain.dm_decision import DmFiring, Verdict, decide
from bot.domain.parsing import format_day
from bot.features.logoff.closing import after_log_off, log_off, target_today
from bot.features.logoff.flow import flow
from bot.features.logoff.rules import MAX_SNOOZES, SNOOZE
from bot.features.logoff.setup import FAMILY, SNOOZE_KIND
from bot.features.logoff.store import Logoffs
from bot.features.logoff.views import DONE, LATE, SNOOZE_ACTION, answered
from bot.kernel.context import Context, reply
from bot.kernel.conversation import Conversation, Live, Outcome, Press, Stale, Stay
from bot.kernel.effects import Effect
from bot.kernel.slots import WORKING_LATE
from bot.scheduling import Once, member_rules, set_schedule, skip_today

__all__ = ["press_done", "press_late", "press_snooze"]


def _button_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


async def _today_only(ctx: Context, press: Press) -> date | None:
    day = _button_day(press.session)
    return day if day == ctx.local_today else None


async def _not_today(ctx: Context, stale: Stale[date]) -> list[Effect]:
    day = _button_day(stale.press.session) if stale.press is not None else None
    if day is None:
        return [reply("That button is no longer valid; nothing was changed.")]
    return [
        reply(
            f"That reminder was for {format_day(day, ctx.local_today)}, so nothing was "
            "changed. "
            "Use `done` to log off today."
        )
    ]


reminder = Conversation(flow, "logoff reminder", find=_today_only, moved_on=_not_today)


@reminder.action(DONE)
async def press_done(ctx: Context, live: Live[date], press: Press) -> Outcome[date]:
    done = answered(ctx, await log_off(ctx, live.state))
    return Stay(done + await after_log_off(ctx, live.state))


@reminder.action(SNOOZE_ACTION)
async def press_snooze(ctx: Context, live: Live[date], press: Press) -> Outcome[date]:
    return Stay(await _snooze(ctx))


async def _snooze(ctx: Context) -> list[Effect]:
    logoffs = ctx.store(Logoffs)
    settings = await logoffs.settings(ctx.member)
    if settings is None or settings.mode == "off":
        # An old reminder pressed after `logoff off`: no reminder to bring back.
        return answered(
            ctx,
            "Your log-off reminders are off, so there's nothing to snooze. `logoff 17:30` "
            "turns them on again.",
        )
    day = await logoffs.day_to_change(ctx.member, ctx.local_today)
    if day.outcome != "open":
        return [reply("Today is already recorded, so there's nothing to snooze.")]
    if day.snoozes >= MAX_SNOOZES:
        return [
            reply(
                f"That's {MAX_SNOOZES} snoozes already. Press *I'm logging off* or *Working "
                "late today* — I won't nag more today."
            )
        ]
    at = ctx.now + SNOOZE
    rules = member_rules(ctx.member, ctx.team)
    decision = decide(DmFiring(at, one_off=True), rules, now=at)
    if decision.verdict is Verdict.DROP:
        day.snoozes += 1
        await skip_today(ctx, family=FAMILY)
        return answered(
            ctx,
            "Snoozed — but 15 minutes from now is inside your quiet hours, so that's the last "
            "reminder today. Log off soon!",
        )
    day.snoozes += 1
    if day.target is None:
        settings = await logoffs.settings(ctx.member)
        day.target = target_today(ctx, settings, day) or None
    await set_schedule(ctx, kind=SNOOZE_KIND, rule=Once(at), data={"snoozes": day.snoozes})
    if decision.verdict is Verdict.MOVE and decision.at is not None:
        return answered(
            ctx,
            f"Snoozed — {at.astimezone(ctx.zone):%H:%M} is inside your quiet hours, so I'll "
            f"remind you at {decision.at.astimezone(ctx.zone):%H:%M}, when they end.",
        )
    return answered(ctx, f"Snoozed until {at.astimezone(ctx.zone):%H:%M}.")


@reminder.action(LATE)
async def press_late(ctx: Context, live: Live[date], press: Press) -> Outcome[date]:
    return Stay(await _working_late(ctx))


async def _working_late(ctx: Context) -> list[Effect]:
    logoffs = ctx.store(Logoffs)
    day = await logoffs.day_to_change(ctx.member, ctx.local_today)
    if day.outcome == "working_late":
        return [reply("Already noted: working late today.")]
    if day.logged_off_at is not None:
        return [reply("You already logged off today — nothing to change.")]
    settings = await logoffs.settings(ctx.member)
    day.target = day.target or target_today(ctx, settings, day) or None
    day.outcome = "working_late"
    await skip_today(ctx, family=FAMILY)
    noted = answered(
        ctx,
        "Noted: working late today. No more reminders today — take a real break, and send "
        "`done` when you stop.",
    )
    # e.g. an automatic Slack pause at the log-off time is lifted, the by-choice question
    for listener in ctx.provided(WORKING_LATE):
        noted += await listener(ctx, ctx.local_today)
    return noted
