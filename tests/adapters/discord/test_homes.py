"""Homes and DM channels: shared by instances through the database, cached in memory."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from adapters.discord.homes import HOME_TTL_SECONDS, LRU, Home, Homes
from adapters.discord.models import DiscordUser
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.repositories import Teams

GUILD_A, GUILD_B = "111111111111111111", "222222222222222222"


async def _teams(db: Database, *guilds: str) -> None:
    async with db.uow() as uow:
        for guild in guilds:
            await Teams(uow.session).get_or_create(TeamKey("discord", guild))
        await uow.commit()


def test_lru_stays_bounded() -> None:
    cache: LRU[int, int] = LRU(3)
    for n in range(10):
        cache.put(n, n)
    assert len(cache) == 3 and cache.get(0) is None and cache.get(9) == 9


async def test_a_home_is_shared_by_instances_and_follows_the_person(any_db: Database) -> None:
    await _teams(any_db, GUILD_A, GUILD_B)
    now = [0.0]
    one, two = Homes(any_db, monotonic=lambda: now[0]), Homes(any_db, monotonic=lambda: now[0])
    assert await one.home_of("42") is None
    await one.remember_home(guild_id=GUILD_A, user_id="42", is_admin=True)
    assert await two.home_of("42") == Home(GUILD_A, True)  # another instance sees it
    await one.remember_home(guild_id=GUILD_B, user_id="42", is_admin=False)
    assert await two.home_of("42") == Home(GUILD_A, True)  # still cached there …
    now[0] += HOME_TTL_SECONDS + 1
    assert await two.home_of("42") == Home(GUILD_B, False)  # … until the cache expires


async def test_instances_racing_on_one_person_keep_one_row(any_db: Database) -> None:
    await _teams(any_db, GUILD_A)
    instances = [Homes(any_db) for _ in range(4)]
    team = TeamKey("discord", GUILD_A)
    await asyncio.gather(
        *(h.remember_dm_channel(team, "7", "900000000000000001") for h in instances),
        *(h.remember_home(guild_id=GUILD_A, user_id="7", is_admin=False) for h in instances),
    )
    async with any_db.uow() as uow:
        rows = await uow.session.scalar(select(func.count()).select_from(DiscordUser))
        row = await uow.session.scalar(select(DiscordUser))
        assert rows == 1 and row is not None
        assert row.dm_channel_id == "900000000000000001" and row.guild_id == GUILD_A
    assert await Homes(any_db).dm_channel_of("7") == "900000000000000001"


async def test_unknown_teams_are_never_invented(any_db: Database) -> None:
    homes = Homes(any_db)
    await homes.remember_home(guild_id=GUILD_A, user_id="5", is_admin=False)
    async with any_db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(DiscordUser)) == 0
