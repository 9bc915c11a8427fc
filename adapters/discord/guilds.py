"""Guilds as teams: joined, left, and reconciled when a shard connects.

The lifecycle itself is the core's (:mod:`bot.kernel.teams`): a guild the bot leaves keeps
its data and its team goes inactive; adding the bot back resumes everything. What is
Discord's here: which shard owns a guild, and names made safe to store.
"""

from __future__ import annotations

import logging

from adapters.discord.inbound import PLATFORM
from bot.domain.bounds import storable
from bot.kernel.events import TeamKey
from bot.kernel.teams import TeamLifecycle

__all__ = ["guild_joined", "guild_left", "reconcile_shard", "shard_of"]

log = logging.getLogger(__name__)


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: which shard receives a guild's events."""
    return (guild_id >> 22) % shard_count


async def guild_joined(teams: TeamLifecycle, *, guild_id: int, name: str) -> None:
    """The guild added the bot (again): its team exists, is named and is active."""
    await teams.joined(TeamKey(PLATFORM, str(guild_id)), name=storable(name))
    log.info("joined guild %s (%s)", guild_id, name)


async def guild_left(teams: TeamLifecycle, *, guild_id: int) -> None:
    """The bot was removed (kicked, banned, guild deleted): the team goes inactive."""
    await teams.left(TeamKey(PLATFORM, str(guild_id)))
    log.info("left guild %s; its schedules are stopped", guild_id)


async def reconcile_shard(
    teams: TeamLifecycle, *, shard_id: int, shard_count: int, guilds: dict[int, str]
) -> int:
    """After a shard's READY its guilds (id → name) are exactly the active teams among the
    guilds this shard owns: catches joins and removals while no instance was connected.
    Other shards' guilds are left to their own instances. Returns how many teams changed."""

    def owned(workspace_id: str) -> bool:
        try:
            return shard_of(int(workspace_id), shard_count) == shard_id
        except ValueError:
            return False

    present = {str(guild_id): storable(name) for guild_id, name in guilds.items()}
    changed = await teams.reconcile(PLATFORM, owned=owned, present=present)
    if changed:
        log.info("shard %s: %d teams (in)activated to match its guilds", shard_id, changed)
    return changed
