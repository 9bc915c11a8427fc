"""The quiz's section of the team view: how many people hold each result, published in
versions that differ by at least k people (``bot.features.quiz.team_views``), so comparing two
consecutive views never reveals one person's result."""

from __future__ import annotations

from bot.domain.anonymity import effective_k, k_note
from bot.features.quiz.content import get_content
from bot.features.quiz.flow import flow
from bot.features.quiz.store import QuizResults
from bot.features.quiz.team_views import TeamViews
from bot.features.quiz.views import START
from bot.kernel.context import Context
from bot.kernel.slots import BEFORE_FORGET, TEAM_SECTIONS, TeamSection
from bot.kernel.storage.models import Team
from bot.kernel.ui import Block, Button, Buttons, Field, Fields, Text

__all__ = ["VIEW", "person_forgotten", "quiz_distribution", "result_changed", "team_k"]

VIEW = "quiz"
BAR_WIDTH = 12


def team_k(team: Team) -> int:
    """The team's anonymity threshold, never below the floor whatever the database says."""
    return effective_k(int(team.k_threshold or 0))


async def _publish(ctx: Context) -> tuple[dict[str, int] | None, int]:
    """The published totals (``None`` before the first version) and how many people hold a
    result now."""
    live = await ctx.store(QuizResults).distribution()
    total = sum(live.values())
    version = await ctx.store(TeamViews).publish_if_due(
        VIEW, live, total=total, k=team_k(ctx.team), now=ctx.now
    )
    if version is None:
        return None, total
    return {str(k): int(v) for k, v in version.counts.items()}, total


async def result_changed(ctx: Context) -> None:
    """The person finished the quiz: one more person whose result changed."""
    await ctx.store(TeamViews).changed(VIEW, ctx.actor.user_id)
    await _publish(ctx)


@flow.provides(BEFORE_FORGET)
async def person_forgotten(ctx: Context) -> None:
    """Before `forget` deletes someone's result: their leaving counts as one change."""
    if await ctx.store(QuizResults).current(ctx.member) is not None:
        await ctx.store(TeamViews).changed(VIEW, ctx.actor.user_id)


async def quiz_distribution(ctx: Context) -> list[Block]:
    """How many people hold each result, as last published."""
    k = team_k(ctx.team)
    counts, total = await _publish(ctx)
    if counts is None:
        return [
            Text(k_note(have=total, k=k, what="taken the quiz")),
            Buttons((Button("Take the quiz", START),)),
        ]
    shown = sum(counts.values())
    content = get_content(ctx.settings.content_dir)
    fields = []
    for kind in ("balance", "crossfade", "integration"):
        count = counts.get(kind, 0)
        share = count / shown if shown else 0.0
        bar = "█" * round(share * BAR_WIDTH)
        fields.append(Field(content.title(kind), f"{count} ({share:.0%}) {bar}".rstrip()))
    return [
        Text(
            f"{shown} people have taken the quiz; each counts once, with their latest result. "
            f"Updated once at least {k} people's results have changed, so no single result "
            "can be read from the difference."
        ),
        Fields(tuple(fields)),
    ]


flow.provide(TEAM_SECTIONS, TeamSection("Balance or integration?", quiz_distribution), order=10)
