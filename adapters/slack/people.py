"""What Slack knows about people: zone and admin rights (``users.info``) and the bot's DM
channel with them (``conversations.open``).

Both are cached twice: in this process (so a busy person costs no query at all) and in the
``slack_users`` table (so restarts and other instances do not ask Slack again). Facts are
refreshed after ``ttl``; a DM channel id never changes. The cached admin flag is only a
first guess: a decision that depends on it is confirmed with :meth:`People.fresh_admin`
(``users.info`` asked now) before it takes effect — rights are never served from a cache.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.slack.models import SlackUser
from bot.domain.bounds import storable
from bot.kernel.clock import Clock
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.repositories import Teams

__all__ = ["People", "Person", "person_from_user"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Person:
    display_name: str = ""
    timezone: str | None = None
    is_admin: bool = False


def _valid_zone(name: Any) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def person_from_user(user: dict[str, Any]) -> Person:
    """Read a ``users.info`` user object: admin means workspace admin or owner."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or ""
    )
    admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    return Person(storable(str(name))[:200], _valid_zone(user.get("tz")), admin)


class People:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        default_timezone: str = "UTC",
        ttl: timedelta = timedelta(hours=12),
        after_failure: timedelta = timedelta(minutes=5),
        max_cached: int = 20_000,
    ) -> None:
        self.db = db
        self.clock = clock
        self.default_timezone = default_timezone
        self.ttl = ttl
        self.after_failure = after_failure
        self.max_cached = max_cached
        self._facts: OrderedDict[tuple[str, str], tuple[Person, datetime]] = OrderedDict()
        self._dms: OrderedDict[tuple[str, str], str] = OrderedDict()

    # --- facts -----------------------------------------------------------------------

    async def facts(
        self,
        team: TeamKey,
        user_id: str,
        client: AsyncWebClient,
        *,
        name_hint: str = "",
        store: bool = True,
    ) -> Person:
        """The person's display name, zone and admin rights, asking Slack at most once per
        ``ttl``. Never raises: when Slack cannot answer, the last known facts (or none) are
        used and Slack is asked again a few minutes later. ``store=False`` keeps fresh facts
        in memory only (nothing written that would date an anonymous answer)."""
        key = (team.workspace_id, user_id)
        now = self.clock.now()
        cached = self._facts.get(key)
        if cached is not None and cached[1] > now:
            self._facts.move_to_end(key)
            return cached[0]
        stored, fetched_at = await self._load(team, user_id)
        if stored is not None and fetched_at is not None and fetched_at + self.ttl > now:
            self._cache_facts(key, stored, fetched_at + self.ttl)
            return stored
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s", user_id, _error_code(error))
            fallback = stored or Person(display_name=name_hint)
            self._cache_facts(key, fallback, now + self.after_failure)
            return fallback
        person = person_from_user(response.get("user") or {})
        if store:
            await self._store(team, user_id, person=person)
        self._cache_facts(key, person, now + self.ttl)
        return person

    async def fresh_admin(self, team: TeamKey, user_id: str, client: AsyncWebClient) -> bool:
        """Whether Slack says, now, that the person is a workspace admin or owner. When
        Slack cannot answer, the answer is no (a privileged change waits for Slack)."""
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s; not an admin", user_id, _error_code(error))
            return False
        person = person_from_user(response.get("user") or {})
        await self._store(team, user_id, person=person)
        self._cache_facts((team.workspace_id, user_id), person, self.clock.now() + self.ttl)
        return person.is_admin

    def _cache_facts(self, key: tuple[str, str], person: Person, until: datetime) -> None:
        self._facts[key] = (person, until)
        self._facts.move_to_end(key)
        while len(self._facts) > self.max_cached:
            self._facts.popitem(last=False)

    def forget(self, team: TeamKey, user_id: str | None = None) -> None:
        """Drop cached facts and DM channels (one person, or the whole workspace)."""
        for cache in (self._facts, self._dms):
            for key in [k for k in cache if k[0] == team.workspace_id]:
                if user_id is None or key[1] == user_id:
                    del cache[key]

    # --- DM channels -------------------------------------------------------------------

    async def dm_channel(self, team: TeamKey, user_id: str, client: AsyncWebClient) -> str:
        """The id of the bot's DM with the person (opened once, then cached). Raises
        ``SlackApiError`` when Slack refuses (``user_not_found``, ``account_inactive``…)."""
        key = (team.workspace_id, user_id)
        channel = self._dms.get(key)
        if channel:
            return channel
        async with self.db.uow() as uow:
            row = await self._row(uow.session, team, user_id, create=False)
            channel = row.dm_channel_id if row is not None else None
        if not channel:
            response = await client.conversations_open(users=user_id)
            channel = str((response.get("channel") or {}).get("id") or "")
            if not channel:
                raise SlackApiError("conversations.open returned no channel", response)  # type: ignore[no-untyped-call]
            await self._store(team, user_id, dm_channel=channel)
        self._cache_dm(key, channel)
        return channel

    async def remember_dm(self, team: TeamKey, user_id: str, channel_id: str) -> None:
        """Learn the DM channel from an event that names it (app_home_opened, DM messages)."""
        key = (team.workspace_id, user_id)
        if not channel_id.startswith("D") or self._dms.get(key) == channel_id:
            return
        await self._store(team, user_id, dm_channel=channel_id)
        self._cache_dm(key, channel_id)

    def known_dm(self, team: TeamKey, user_id: str) -> str | None:
        return self._dms.get((team.workspace_id, user_id))

    def _cache_dm(self, key: tuple[str, str], channel: str) -> None:
        self._dms[key] = channel
        self._dms.move_to_end(key)
        while len(self._dms) > self.max_cached:
            self._dms.popitem(last=False)

    # --- storage -----------------------------------------------------------------------

    async def _row(
        self, session: AsyncSession, team: TeamKey, user_id: str, *, create: bool
    ) -> SlackUser | None:
        teams = Teams(session)
        team_row = (
            await teams.get_or_create(team, default_timezone=self.default_timezone)
            if create
            else await teams.get(team)
        )
        if team_row is None:
            return None
        query = select(SlackUser).where(
            SlackUser.team_id == team_row.id, SlackUser.user_id == user_id
        )
        row = await session.scalar(query)
        if row is None and create:
            try:
                async with session.begin_nested():
                    row = SlackUser(team_id=team_row.id, user_id=user_id)
                    session.add(row)
            except IntegrityError:  # another instance stored the same person just now
                row = await session.scalar(query)
        return row

    async def _load(self, team: TeamKey, user_id: str) -> tuple[Person | None, datetime | None]:
        async with self.db.uow() as uow:
            row = await self._row(uow.session, team, user_id, create=False)
            if row is None:
                return None, None
            if row.dm_channel_id:
                self._cache_dm((team.workspace_id, user_id), row.dm_channel_id)
            if row.facts_fetched_at is None:
                return None, None
            person = Person(row.display_name, row.timezone, row.is_admin)
            return person, row.facts_fetched_at

    async def _store(
        self,
        team: TeamKey,
        user_id: str,
        *,
        person: Person | None = None,
        dm_channel: str | None = None,
    ) -> None:
        try:
            async with self.db.uow() as uow:
                row = await self._row(uow.session, team, user_id, create=True)
                assert row is not None
                if person is not None:
                    row.display_name = person.display_name
                    row.timezone = person.timezone
                    row.is_admin = person.is_admin
                    row.facts_fetched_at = self.clock.now()
                if dm_channel is not None:
                    row.dm_channel_id = dm_channel
                await uow.commit()
        except IntegrityError:
            # Lost a race with another instance writing the same facts: theirs will do.
            log.debug("slack_users row for %s written concurrently", user_id)
        except OperationalError as error:
            # SQLite busy with another writer: this is a cache, the answer must not wait on
            # it (the facts are in memory; the next miss writes them).
            log.info("could not store Slack facts for %s: %s", user_id, error.orig)


def _error_code(error: SlackApiError) -> str:
    response = getattr(error, "response", None)
    try:
        return str(response["error"]) if response is not None else str(error)
    except (KeyError, TypeError):
        return str(error)
