"""The ``Context`` a job handler gets: its member becomes an ORM object only when used.

It is built from values (the unit of work, the team, the actor, the time) and what the job
runner offers every handler (its registry and settings): no ``Bot`` is involved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.zones import safe_zone
from bot.kernel.context import Context, Registry
from bot.kernel.events import Actor, Place
from bot.kernel.settings import Settings
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.uow import UnitOfWork

__all__ = ["JobContext"]


class JobContext(Context):
    """A :class:`~bot.kernel.context.Context` for a scheduled job. ``ctx.member`` is loaded
    (attached to the job's session, no query) on first use; ``ctx.zone`` and ``ctx.user_ref``
    do not need it."""

    _member: Member | None
    _load: Callable[[], Member] | None

    @classmethod
    def make(
        cls,
        *,
        registry: Registry,
        settings: Settings,
        uow: UnitOfWork,
        team: Team,
        actor: Actor,
        now: datetime,
        member: Member | None = None,
        load: Callable[[], Member] | None = None,
    ) -> JobContext:
        ctx = cls.__new__(cls)
        ctx._member, ctx._load = member, load
        ctx.uow, ctx.team, ctx.actor = uow, team, actor
        ctx.registry, ctx.settings = registry, settings
        ctx.place, ctx.now, ctx.message_ref, ctx.first_contact = Place.dm(), now, None, False
        return ctx

    @property  # type: ignore[override]
    def member(self) -> Member:
        if self._member is None:
            assert self._load is not None
            self._member = self._load()
        return self._member

    @member.setter
    def member(self, value: Member) -> None:
        self._member = value

    @property
    def zone(self) -> ZoneInfo:
        if self._member is None:
            return safe_zone(self.actor.timezone, self.team.default_timezone)
        return super().zone

    def __repr__(self) -> str:
        return f"JobContext(team={self.team.id}, user={self.actor.user_id!r}, now={self.now})"

    def __eq__(self, other: Any) -> bool:
        return self is other

    __hash__ = object.__hash__
