"""The kernel's catalogue of meeting points between features (see :mod:`bot.kernel.hooks`).

Each slot says what it carries and who gathers it. A feature provides with
``flow.provide(SLOT, value)`` or ``@flow.provides(SLOT)``; another gathers with
``ctx.provided(SLOT)``. Neither imports the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.kernel.context import Context
from bot.kernel.hooks import Slot
from bot.kernel.ui import Block

__all__ = ["TEAM_SECTIONS", "TeamSection"]


@dataclass(frozen=True, slots=True)
class TeamSection:
    """A section of the ``team`` view: ``render`` returns its blocks (without the title); an
    empty list hides it. Aggregates only, and only for groups of at least k people."""

    title: str
    render: Callable[[Context], Awaitable[Sequence[Block]]]


TEAM_SECTIONS: Slot[TeamSection] = Slot(
    "team sections", "sections of the `team` view; gathered by the team feature"
)
