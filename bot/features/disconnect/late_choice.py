"""By choice, or needed to? One optional private tap after a late evening.

Shown after **Working late today** or a log-off later than planned. The answer is private:
``me`` shows the person's own share over 4 weeks; ``team`` shows the team's weekly share of
late evenings marked "needed to" only when at least k people answered that week, and only in
versions that differ by at least k people (see :func:`bot.features.disconnect.report.versioned`).
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.anonymity import effective_k, k_note
from bot.features.disconnect.report import Answer, share_text, versioned, week_start
from bot.features.disconnect.store import LateChoices
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.slots import (
    DASHBOARD_LINES,
    LATE_BY_CHOICE,
    LOGGED_OFF,
    TEAM_SECTIONS,
    WORKING_LATE,
    TeamSection,
)
from bot.kernel.ui import Block, Button, Buttons, Message, Text

__all__ = ["chosen_days", "flow", "my_share", "tap", "team_share"]

flow = Flow("late")

ACTION = "late:choice"
LABELS = {"choice": "My choice", "needed": "Needed to"}


async def tap(ctx: Context, day: date) -> list[Effect]:
    """The optional question, unless this day is already answered."""
    if await ctx.store(LateChoices).on(ctx.member, day) is not None:
        return []
    text = "Optional, and only you see it: was working late today your choice, or did you need to?"
    buttons = Buttons(
        tuple(Button(label, ACTION, f"{day.isoformat()}|{key}") for key, label in LABELS.items())
    )
    return [Reply(Message(text, (Text(text), buttons)))]


@flow.provides(LOGGED_OFF, order=10)
async def after_logging_off(ctx: Context, day: date, late: bool) -> list[Effect]:
    """Logged off later than planned (or after working late): the optional question."""
    return await tap(ctx, day) if late else []


@flow.provides(WORKING_LATE, order=20)
async def after_working_late(ctx: Context, day: date) -> list[Effect]:
    return await tap(ctx, day)


@flow.action(ACTION)
async def answer(ctx: Context, value: str) -> list[Effect]:
    day_text, _, choice = value.partition("|")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise UserError("That button is no longer valid; nothing was changed.") from None
    if choice not in LABELS or not 0 <= (ctx.local_today - day).days <= 2:
        raise UserError("That button is no longer valid; nothing was changed.")
    await ctx.store(LateChoices).answer(ctx.member, day, choice)
    if choice == "choice":
        return [
            reply(
                "Noted: your choice. No nagging about evenings you choose — enjoy the work you "
                "wanted to do, and rest when it's done."
            )
        ]
    return [
        reply(
            "Noted: you needed to. 💡 *Set boundaries* — put a limit on your hours and keep it "
            "most days. 💡 *Communicate* — tell your manager and coworkers when you are "
            "reachable and when you are not; if late evenings keep being needed, that is a "
            "workload question for the team, not a personal failing."
        )
    ]


@flow.provides(LATE_BY_CHOICE)
async def chosen_days(ctx: Context, since: date) -> set[date]:
    """The person's late evenings since ``since`` that they marked "my choice"."""
    return await ctx.store(LateChoices).chosen_days(ctx.member, since)


@flow.provides(DASHBOARD_LINES)
async def my_share(ctx: Context) -> str:
    """``me``: the person's late evenings over 4 weeks and how many were their choice."""
    since = ctx.local_today - timedelta(days=27)
    rows = await ctx.store(LateChoices).since(ctx.member, since)
    if not rows:
        return ""
    chosen = sum(1 for row in rows if row.choice == "choice")
    needed = len(rows) - chosen
    return (
        f"Late evenings in the last 4 weeks: {len(rows)} — {chosen} your choice, {needed} "
        f"needed to ({round(100 * needed / len(rows))}% needed)."
    )


async def team_share(ctx: Context) -> list[Block]:
    k = effective_k(ctx.team.k_threshold or 0)
    this_week = week_start(ctx.local_today)
    rows = await ctx.store(LateChoices).week(this_week, this_week + timedelta(days=7))
    week = [Answer(member, choice == "needed", at) for member, choice, at in rows]
    if not week:
        return []
    published = versioned(week, k)
    if published is None:
        people = len({a.member for a in week})
        return [Text(k_note(have=people, k=k, what="answered this week"))]
    return [Text(share_text(published))]


flow.provide(
    TEAM_SECTIONS, TeamSection("Late evenings: by choice or needed to?", team_share), order=40
)
