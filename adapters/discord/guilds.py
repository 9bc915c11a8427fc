"""Guilds as teams: joined, left, and reconciled when a shard connects.

A guild the bot leaves keeps its data; its team goes inactive, so the scheduler skips its
reminders and the sender fails its queued messages. Adding the bot back resumes everything.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from adapters.discord.inbound import PLATFORM
from bot.domain.bounds import storable
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Team
from bot.kernel.storage.repositories import Teams

__all__ = ["guild_joined", "guild_left", "reconcile_shard", "shard_of"]

log = logging.getLogger(__name__)


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: which shard receives a guild's events."""
    return (guild_id >> 22) % shard_count


async def guild_joined(db: Database, *, guild_id: int, name: str, default_timezone: str) -> None:
    """The guild added the bot (again): its team exists, is named and is active."""
    async with db.uow() as uow:
        team = await Teams(uow.session).get_or_create(
            TeamKey(PLATFORM, str(guild_id)), default_timezone=default_timezone
        )
        team.name = storable(name)[:200]
        team.active = True
        await uow.commit()
    log.info("joined guild %s (%s)", guild_id, name)


async def guild_left(db: Database, *, guild_id: int) -> None:
    """The bot was removed (kicked, banned, guild deleted): the team goes inactive."""
    async with db.uow() as uow:
        team = await Teams(uow.session).get(TeamKey(PLATFORM, str(guild_id)))
        if team is not None and team.active:
            team.active = False
            await uow.commit()
    log.info("left guild %s; its schedules are stopped", guild_id)


async def reconcile_shard(
    db: Database, *, shard_id: int, shard_count: int, guilds: dict[int, str]
) -> int:
    """After a shard's READY its guilds (id → name) are exactly the active teams among the
    guilds this shard owns: catches joins and removals while no instance was connected.
    Other shards' guilds are left to their own instances. Returns how many teams changed."""
    changed = 0
    async with db.uow() as uow:
        for team in await uow.session.scalars(select(Team).where(Team.platform == PLATFORM)):
            try:
                guild_id = int(team.workspace_id)
            except ValueError:
                continue
            if shard_of(guild_id, shard_count) != shard_id:
                continue
            present = guild_id in guilds
            if team.active != present:
                team.active = present
                changed += 1
            name = storable(guilds[guild_id])[:200] if present else ""
            if name and team.name != name:
                team.name = name
        await uow.commit()
    if changed:
        log.info("shard %s: %d teams (in)activated to match its guilds", shard_id, changed)
    return changed
