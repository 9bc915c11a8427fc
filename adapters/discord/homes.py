"""People across guilds: which team a DM belongs to, and the bot's DM channel with them.

Backed by the ``discord_users`` table (shared by every instance) with a small in-process
cache in front, so a busy guild costs no write per click: the row is written only when the
person's home or admin flag changes. Cached homes expire after a few minutes, so a person
who moved to another guild on another instance is followed here soon after.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from adapters.discord.models import DiscordUser
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.repositories import Teams

__all__ = ["LRU", "Home", "Homes"]

K = TypeVar("K")
V = TypeVar("V")

HOME_TTL_SECONDS = 300.0


class LRU(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry (memory stays flat
    however many people the bot meets)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def pop(self, key: K) -> None:
        self._data.pop(key, None)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True, slots=True)
class Home:
    """The guild a person's DMs with the bot belong to, and whether they manage it."""

    guild_id: str
    is_admin: bool


class Homes:
    def __init__(
        self,
        db: Database,
        *,
        cache_size: int = 50_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self._homes: LRU[str, tuple[Home, float]] = LRU(cache_size)
        self._channels: LRU[str, str] = LRU(cache_size)
        self._monotonic = monotonic

    # --- homes -----------------------------------------------------------------------

    async def home_of(self, user_id: str) -> Home | None:
        """Where this person's DMs belong, or ``None`` if they never used the bot in a guild."""
        cached = self._homes.get(user_id)
        if cached is not None and self._monotonic() - cached[1] < HOME_TTL_SECONDS:
            return cached[0]
        async with self.db.uow() as uow:
            found = (
                await uow.session.execute(
                    select(
                        DiscordUser.guild_id, DiscordUser.is_admin, DiscordUser.dm_channel_id
                    ).where(DiscordUser.user_id == user_id)
                )
            ).first()
        if found is None:
            return None
        guild_id, admin, channel = found
        home = Home(guild_id, admin)
        self._homes.put(user_id, (home, self._monotonic()))
        if channel:
            self._channels.put(user_id, channel)
        return home

    async def remember_home(self, *, guild_id: str, user_id: str, is_admin: bool) -> None:
        """After someone used the bot in a guild: that guild is now their home. The team
        must exist (the core creates it on the person's first event)."""
        home = Home(guild_id, is_admin)
        cached = self._homes.get(user_id)
        fresh = cached is not None and self._monotonic() - cached[1] < HOME_TTL_SECONDS
        if cached is not None and fresh and cached[0] == home:
            return  # written recently (the row may only have gone with `forget`, since)
        await self._upsert(TeamKey("discord", guild_id), user_id, home=home)
        self._homes.put(user_id, (home, self._monotonic()))

    def forget_guild(self, guild_id: str) -> None:
        """Drop cached homes in a guild the bot left (their rows go with the team)."""
        for user_id, (home, _at) in list(self._homes._data.items()):
            if home.guild_id == guild_id:
                self._homes.pop(user_id)

    # --- DM channels -----------------------------------------------------------------

    async def dm_channel_of(self, user_id: str) -> str | None:
        cached = self._channels.get(user_id)
        if cached is not None:
            return cached
        async with self.db.uow() as uow:
            channel = await uow.session.scalar(
                select(DiscordUser.dm_channel_id).where(DiscordUser.user_id == user_id)
            )
        if channel:
            self._channels.put(user_id, channel)
        return channel

    async def remember_dm_channel(self, team: TeamKey, user_id: str, channel_id: str) -> None:
        """Keep the DM channel for every instance. A person without a row gets ``team`` as
        their home (the bot is writing to them on that team's behalf)."""
        self._channels.put(user_id, channel_id)
        await self._upsert(team, user_id, dm_channel_id=channel_id)

    # --- storage ---------------------------------------------------------------------

    async def _upsert(
        self,
        team_key: TeamKey,
        user_id: str,
        *,
        home: Home | None = None,
        dm_channel_id: str | None = None,
    ) -> None:
        for _attempt in range(2):  # a second instance may insert the same person at once
            try:
                async with self.db.uow() as uow:
                    session = uow.session
                    row = await session.scalar(
                        select(DiscordUser).where(DiscordUser.user_id == user_id)
                    )
                    if row is None:
                        team = await Teams(session).get(team_key)
                        if team is None:
                            return
                        row = DiscordUser(
                            user_id=user_id,
                            team_id=team.id,
                            guild_id=team_key.workspace_id,
                            is_admin=home.is_admin if home else False,
                        )
                        session.add(row)
                    elif home is not None and (
                        row.guild_id != home.guild_id or row.is_admin != home.is_admin
                    ):
                        team = await Teams(session).get(TeamKey("discord", home.guild_id))
                        if team is None:
                            return
                        row.team_id, row.guild_id = team.id, home.guild_id
                        row.is_admin = home.is_admin
                    if dm_channel_id is not None:
                        row.dm_channel_id = dm_channel_id
                    await uow.commit()
                return
            except IntegrityError:
                continue
