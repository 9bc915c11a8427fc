"""Slots: the places where features meet without importing each other.

A feature *provides* something for a slot (a section of the ``team`` view, a hook run before
a person's data is deleted, a listener for a core event), and another feature *gathers*
what every feature provided::

    # in the quiz feature
    @flow.provides(TEAM_SECTIONS, order=10)
    def _distribution() -> TeamSection: ...

    # in the team feature
    for section in ctx.provided(TEAM_SECTIONS): ...

A :class:`Slot` is typed by what it carries, so both sides are checked by mypy. The slots
themselves are declared in :mod:`bot.kernel.slots`, the kernel's catalogue of meeting
points; the kernel never knows which feature fills them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Provided", "Slot"]

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Slot(Generic[T]):
    """A named meeting point carrying values of type ``T``. Compared by identity."""

    name: str
    doc: str = ""

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


@dataclass(frozen=True, slots=True)
class Provided(Generic[T]):
    """One feature's contribution to a slot; lower ``order`` comes first."""

    value: T
    order: int
    owner: str  # the flow that provided it (error messages, tests)
