"""Team lifecycle: a platform tells the core that the bot was added to a workspace or a
guild, removed from it, or which of them it is still in.

A team the bot leaves keeps its data; it goes inactive, so the scheduler skips its reminders
and the sender fails its queued messages. Adding the bot back makes it active again and
everything resumes. Adapters call these use cases; the SQL is the kernel storage's
(:class:`bot.kernel.storage.repositories.Teams`).

The functions taking a unit of work join the caller's transaction (an installation row
written beside its team); :class:`TeamLifecycle` runs each in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Team
from bot.kernel.storage.repositories import Teams
from bot.kernel.storage.uow import UnitOfWork

__all__ = ["NAME_LENGTH", "TeamLifecycle", "joined", "reconcile"]

NAME_LENGTH = 200


async def joined(uow: UnitOfWork, key: TeamKey, *, name: str | None, default_timezone: str) -> Team:
    """The bot was added (again): the team exists, is active, and is named ``name`` (unless
    ``None``: the platform did not say)."""
    team = await Teams(uow.session).get_or_create(key, default_timezone=default_timezone)
    team.active = True
    if name is not None:
        team.name = name[:NAME_LENGTH]
    return team


async def reconcile(
    uow: UnitOfWork,
    platform: str,
    *,
    owned: Callable[[str], bool],
    present: Mapping[str, str],
) -> int:
    """Among the teams of ``platform`` that ``owned`` says this process answers for, exactly
    those in ``present`` (workspace id → name) are active, named as given. Others are left
    to their own process. Returns how many teams were switched on or off."""
    changed = 0
    for team in await Teams(uow.session).of_platform(platform):
        if not owned(team.workspace_id):
            continue
        here = team.workspace_id in present
        if team.active != here:
            team.active = here
            changed += 1
        name = present[team.workspace_id][:NAME_LENGTH] if here else ""
        if name and team.name != name:
            team.name = name
    return changed


class TeamLifecycle:
    """The team use cases, each in a transaction of its own."""

    def __init__(self, db: Database, *, default_timezone: str = "UTC") -> None:
        self.db = db
        self.default_timezone = default_timezone

    async def joined(self, key: TeamKey, *, name: str | None = None) -> None:
        """The bot was added to the workspace or guild of ``key`` (again)."""
        async with self.db.uow() as uow:
            await joined(uow, key, name=name, default_timezone=self.default_timezone)
            await uow.commit()

    async def left(self, key: TeamKey) -> None:
        """The bot was removed (uninstalled, kicked, the guild deleted): the team goes
        inactive. A team never seen is not created."""
        async with self.db.uow() as uow:
            await Teams(uow.session).set_active(key, False)
            await uow.commit()

    async def back(self, key: TeamKey) -> None:
        """The bot works in this workspace again (its token is accepted): a team that went
        inactive is active again. A team never seen is not created."""
        async with self.db.uow() as uow:
            await Teams(uow.session).set_active(key, True)
            await uow.commit()

    async def reconcile(
        self, platform: str, *, owned: Callable[[str], bool], present: Mapping[str, str]
    ) -> int:
        """See :func:`reconcile`."""
        async with self.db.uow() as uow:
            changed = await reconcile(uow, platform, owned=owned, present=present)
            await uow.commit()
        return changed
