"""``team``: the team at a glance, built from sections that features provide.

Every section shows aggregates only, and only for groups of at least k people (the team's
``k_threshold``, never below :data:`~bot.domain.anonymity.MIN_K`). A feature adds a section
by providing :data:`~bot.kernel.slots.TEAM_SECTIONS`::

    flow.provide(TEAM_SECTIONS, TeamSection("Pulse trends", pulse_trends), order=20)

and a ``team <word>`` report by providing :data:`~bot.kernel.slots.TEAM_REPORTS`. Sections
appear in ``order`` (the quiz's distribution at 10, pulse trends at 20, late evenings at 40).
"""

from __future__ import annotations

from bot.domain.anonymity import effective_k
from bot.kernel.arguments import Word
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.registry import Flow
from bot.kernel.slots import TEAM_REPORTS, TEAM_SECTIONS
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Block, Divider, Message, Text

__all__ = ["flow", "team"]

flow = Flow("team")


@flow.command(
    "team",
    summary="the team at a glance — quiz results and pulse trends, never one person",
    syntax=(
        Usage(help="how the team's quiz results and weekly pulses look, never one person"),
        Usage(
            Word("disconnect"),
            help="admins: the bot's DMs of the last 4 weeks, inside and outside working windows",
        ),
    ),
    section="Team",
)
async def team(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.said("disconnect"):
        return await _report(ctx, "disconnect")
    k = effective_k(ctx.team.k_threshold or 0)
    blocks: list[Block] = [
        Text(
            f"*Team view* — totals only, never one person's answers; nothing is shown for "
            f"fewer than {k} people."
        )
    ]
    for section in ctx.provided(TEAM_SECTIONS):
        body = list(await section.render(ctx))
        if body:
            blocks += [Divider(), Text(f"*{section.title}*"), *body]
    if len(blocks) == 1:
        blocks.append(Text("Nothing to show yet."))
    return [Reply(Message("Team view", tuple(blocks)))]


async def _report(ctx: Context, word: str) -> list[Effect]:
    """``team <word>``: the report a feature provides under that word."""
    for report in ctx.provided(TEAM_REPORTS):
        if report.word == word:
            return await report.run(ctx)
    return []
