"""``team``: the team at a glance, built from sections that features register.

Every section shows aggregates only, and only for groups of at least k people (the team's
``k_threshold``, never below :data:`MIN_K`). Features add a section with::

    from bot.features.team.commands import team_section

    @team_section("Pulse trends", order=20)
    async def pulse_trends(ctx: Context) -> list[Block]: ...

The quiz registers its distribution at order 10; sections appear in ``order``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.domain.anonymity import effective_k as _floor
from bot.kernel.arguments import Word
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.registry import Flow
from bot.kernel.storage.models import Team
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Block, Divider, Message, Text

__all__ = ["TeamSection", "effective_k", "flow", "k_note", "sections", "team_section"]

flow = Flow("team")

SectionRenderer = Callable[[Context], Awaitable[Sequence[Block]]]


@dataclass(frozen=True, slots=True)
class TeamSection:
    title: str
    order: int
    render: SectionRenderer


_SECTIONS: dict[str, TeamSection] = {}


def team_section(title: str, *, order: int = 100) -> Callable[[SectionRenderer], SectionRenderer]:
    """Register a section of the ``team`` view. ``render`` returns its blocks (without the
    title); an empty list hides the section. Registering the same title again replaces it
    (a module reloaded in tests), so a section never shows twice."""

    def register(render: SectionRenderer) -> SectionRenderer:
        _SECTIONS[title] = TeamSection(title, order, render)
        return render

    return register


def sections() -> list[TeamSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.title))


def effective_k(team: Team) -> int:
    """The team's anonymity threshold, never below the floor whatever the database says."""
    return _floor(int(team.k_threshold or 0))


def k_note(*, have: int, k: int, what: str) -> str:
    """“2 people have …; 3 more are needed” — the sentence for a group below k."""
    more = k - have
    people = "person has" if have == 1 else "people have"
    return (
        f"{have} {people} {what} so far. To keep everyone's answers private, results appear "
        f"once at least {k} have — {more} more needed."
    )


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
        from bot.features.disconnect.team_report import report

        return await report(ctx)
    k = effective_k(ctx.team)
    blocks: list[Block] = [
        Text(
            f"*Team view* — totals only, never one person's answers; nothing is shown for "
            f"fewer than {k} people."
        )
    ]
    for section in sections():
        body = list(await section.render(ctx))
        if body:
            blocks += [Divider(), Text(f"*{section.title}*"), *body]
    if len(blocks) == 1:
        blocks.append(Text("Nothing to show yet."))
    return [Reply(Message("Team view", tuple(blocks)))]
