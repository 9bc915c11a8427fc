"""By choice, or needed to? One optional private tap after a late evening.

Shown after **Working late today** or a log-off later than planned. The answer is private:
``me`` shows the person's own share over 4 weeks; ``team`` shows the team's weekly share of
late evenings marked "needed to" only when at least k people answered that week, and only in
versions that differ by at least k people (see :func:`bot.features.disconnect.report.versioned`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.features.disconnect.models import LateChoice
from bot.features.disconnect.report import Answer, share_text, versioned, week_start
from bot.features.team.commands import effective_k, k_note, team_section
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.ui import Block, Button, Buttons, Message, Text

__all__ = ["chosen_days", "flow", "my_share", "tap"]

flow = Flow("late")

ACTION = "late:choice"
LABELS = {"choice": "My choice", "needed": "Needed to"}


async def _find(ctx: Context, day: date) -> LateChoice | None:
    row: LateChoice | None = await ctx.session.scalar(
        select(LateChoice).where(
            LateChoice.member_id == ctx.member.id, LateChoice.local_date == day
        )
    )
    return row


async def tap(ctx: Context, day: date) -> list[Effect]:
    """The optional question, unless this day is already answered."""
    if await _find(ctx, day) is not None:
        return []
    text = "Optional, and only you see it: was working late today your choice, or did you need to?"
    buttons = Buttons(
        tuple(Button(label, ACTION, f"{day.isoformat()}|{key}") for key, label in LABELS.items())
    )
    return [Reply(Message(text, (Text(text), buttons)))]


@flow.action(ACTION)
async def answer(ctx: Context, value: str) -> list[Effect]:
    day_text, _, choice = value.partition("|")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise UserError("That button is no longer valid; nothing was changed.") from None
    if choice not in LABELS or not 0 <= (ctx.local_today - day).days <= 2:
        raise UserError("That button is no longer valid; nothing was changed.")
    row = await _find(ctx, day)
    if row is None:
        ctx.session.add(
            LateChoice(team_id=ctx.team.id, member_id=ctx.member.id, local_date=day, choice=choice)
        )
    else:
        row.choice = choice
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


async def chosen_days(ctx: Context, since: date) -> set[date]:
    """The person's late evenings since ``since`` that they marked "my choice"."""
    rows = await ctx.session.scalars(
        select(LateChoice.local_date).where(
            LateChoice.member_id == ctx.member.id,
            LateChoice.local_date >= since,
            LateChoice.choice == "choice",
        )
    )
    return set(rows)


async def my_share(ctx: Context) -> str:
    """``me``: the person's late evenings over 4 weeks and how many were their choice."""
    since = ctx.local_today - timedelta(days=27)
    rows = list(
        await ctx.session.scalars(
            select(LateChoice).where(
                LateChoice.member_id == ctx.member.id, LateChoice.local_date >= since
            )
        )
    )
    if not rows:
        return ""
    chosen = sum(1 for row in rows if row.choice == "choice")
    needed = len(rows) - chosen
    return (
        f"Late evenings in the last 4 weeks: {len(rows)} — {chosen} your choice, {needed} "
        f"needed to ({round(100 * needed / len(rows))}% needed)."
    )


@team_section("Late evenings: by choice or needed to?", order=40)
async def team_share(ctx: Context) -> list[Block]:
    k = effective_k(ctx.team)
    this_week = week_start(ctx.local_today)
    rows = await ctx.session.execute(
        select(LateChoice.member_id, LateChoice.choice, LateChoice.created_at).where(
            LateChoice.team_id == ctx.team.id,
            LateChoice.local_date >= this_week,
            LateChoice.local_date < this_week + timedelta(days=7),
        )
    )
    week = [Answer(member, choice == "needed", at) for member, choice, at in rows]
    if not week:
        return []
    published = versioned(week, k)
    if published is None:
        people = len({a.member for a in week})
        return [Text(k_note(have=people, k=k, what="answered this week"))]
    return [Text(share_text(published))]
