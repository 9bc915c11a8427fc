"""The base of every feature's store: its queries, bound to one session and one team.

A feature's ``store.py`` subclasses :class:`Store` with methods that speak the feature's
language (``results.current(member)``, ``polls.open_for(team)``); it is the only module of the
feature that writes SQL. Handlers reach it through the unit of work, which keeps one instance
per store class for the event::

    results = ctx.store(QuizResults)

so the kernel needs to know no feature: each feature supplies its own store class.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.storage.models import Team

__all__ = ["Store"]


class Store:
    """Queries of one feature, scoped to ``team``: every query filters by it."""

    def __init__(self, session: AsyncSession, team: Team) -> None:
        self.session = session
        self.team = team
