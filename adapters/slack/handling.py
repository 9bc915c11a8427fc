"""The work after the acknowledgement: who and where an event comes from, the core's answer,
its effects carried out on Slack, and the Home tab kept current.

SQLite has one writer. The core already queues its transactions (BEGIN IMMEDIATE and a busy
timeout), but waiting here, in asyncio, costs nothing while SQLite's busy handler polls in
threads; on PostgreSQL as many events are judged at once as the connection pool serves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.common import apology, or_apologise
from adapters.slack.channels import ChannelPrivacy
from adapters.slack.executor import Executor
from adapters.slack.home import HomeTab
from adapters.slack.inbound import Incoming, Origin, team_of
from adapters.slack.messages import error_code
from adapters.slack.people import People
from bot.kernel.app import Bot
from bot.kernel.effects import Effect, OpenForm, Reply
from bot.kernel.events import Actor, Command, Place, TeamKey
from bot.kernel.ui import Message, Text

__all__ = ["WELCOME", "Handling", "Judged"]

log = logging.getLogger(__name__)

WELCOME = (
    "Thanks for installing *Crossfade*! It helps each person find out whether work-life "
    "*balance* or *integration* fits them, and gives teams an anonymous pulse. Everyone can "
    "start with `/crossfade quiz`; here is everything it can do:"
)

Judged = tuple[Actor, Place, list[Effect]]


class Handling:
    """Asks the core about Slack events and carries out its effects."""

    def __init__(
        self,
        *,
        bot: Bot,
        people: People,
        home: HomeTab,
        session: aiohttp.ClientSession,
        web_client: Callable[[str], AsyncWebClient],
        concurrent: int,
    ) -> None:
        self.bot = bot
        self.people = people
        self.home = home
        self.session = session
        self.web_client = web_client
        self.channels = ChannelPrivacy()
        self.slots = asyncio.Semaphore(concurrent)

    # --- who and where -----------------------------------------------------------------

    async def who_and_where(
        self, origin: Origin, client: AsyncWebClient, *, store: bool = True
    ) -> tuple[Actor, Place]:
        """The core's actor (with Slack's zone and admin flag) and place for an origin.
        ``store=False`` (an anonymous answer, a person the core does not know) keeps what
        Slack said in memory only: no ``slack_users`` row is created or refreshed."""
        team = TeamKey("slack", origin.team_id)
        person = await self.people.facts(
            team, origin.user_id, client, name_hint=origin.user_name, store=store
        )
        actor = Actor(
            "slack",
            origin.team_id,
            origin.user_id,
            person.display_name or origin.user_name,
            person.timezone,
            person.is_admin,
        )
        return actor, await self._place(team, origin, client, store=store)

    async def _place(
        self, team: TeamKey, origin: Origin, client: AsyncWebClient, *, store: bool = True
    ) -> Place:
        channel = origin.channel_id
        if origin.place_kind == "dm":
            if channel.startswith("D"):
                if store:
                    await self.people.remember_dm(team, origin.user_id, channel)
                return Place("dm", channel)
            return Place("dm", self.people.known_dm(team, origin.user_id) or "")
        if origin.place_kind == "channel" or not channel.startswith("D"):
            if not channel:
                return Place.dm()
            private = await self.channels.is_private(
                client, origin.team_id, channel, origin.channel_name
            )
            return Place.channel(channel, origin.channel_name, private=private)
        # A slash command in a D-channel: the bot's own DM, or a DM between two people.
        try:
            own = await self.people.dm_channel(team, origin.user_id, client)
        except SlackApiError as error:
            log.info("conversations.open failed: %s", error_code(error))
            own = ""
        if own == channel:
            return Place("dm", channel)
        return Place.channel(channel, "direct message")

    def anonymous(self, incoming: Incoming) -> bool:
        return incoming.kind == "action" and incoming.action in self.bot.router.anonymous_actions

    # --- the core's answer -------------------------------------------------------------

    async def judge(self, incoming: Incoming, client: AsyncWebClient) -> Judged:
        # An anonymous answer writes nothing about the person (see Bot.is_anonymous).
        store = not self.anonymous(incoming)
        actor, place = await self.who_and_where(incoming.origin, client, store=store)

        async def fresh_admin() -> bool:
            return await self.people.fresh_admin(actor.team, actor.user_id, client)

        async with self.slots:
            effects = await self.bot.handle(incoming.event(actor, place), fresh_admin=fresh_admin)
        return actor, place, effects

    async def process(self, incoming: Incoming, client: AsyncWebClient) -> None:
        """Judge an acknowledged event and carry out the effects (or apologise)."""

        judged = await self._or_apologise(
            self.judge(incoming, client),
            incoming,
            client,
            "handling a Slack %s failed",
            incoming.kind,
        )
        if judged is None:
            return
        actor, place, effects = judged
        refresh = not self.anonymous(incoming)
        await self.execute(effects, incoming.origin, actor, place, client, refresh=refresh)

    async def late_form(
        self, work: asyncio.Future[Judged], incoming: Incoming, client: AsyncWebClient
    ) -> None:
        """A modal the core judged after Slack's deadline: the outcome comes as messages."""

        judged = await self._or_apologise(work, incoming, client, "a modal submission failed")
        if judged is None:
            return
        actor, place, effects = judged
        # The modal is closed: an OpenForm can no longer replace it.
        rest: list[Effect] = [e for e in effects if not isinstance(e, OpenForm)]
        await self.execute(rest, incoming.origin, actor, place, client)

    async def _or_apologise(
        self,
        work: Awaitable[Judged],
        incoming: Incoming,
        client: AsyncWebClient,
        failed: str,
        *args: object,
    ) -> Judged | None:
        async def apologise() -> None:
            await self.apologise(incoming.origin, client)

        return await or_apologise(work, apologise=apologise, log=log, failed=failed, args=args)

    # --- effects -----------------------------------------------------------------------

    def executor(
        self, origin: Origin, team: TeamKey, place: Place, client: AsyncWebClient
    ) -> Executor:
        return Executor(
            client=client,
            people=self.people,
            bot=self.bot,
            team=team,
            origin=origin,
            place=place,
            session=self.session,
        )

    async def execute(
        self,
        effects: list[Effect],
        origin: Origin,
        actor: Actor,
        place: Place,
        client: AsyncWebClient,
        *,
        refresh: bool = True,
    ) -> None:
        await self.executor(origin, actor.team, place, client).run(effects)
        if not refresh:
            return  # an anonymous answer: a Home refresh would write the person's rows
        if origin.surface == "home":
            await self.home.publish(client, actor, create=False)
        else:
            self.home.refresh_soon(client, actor)

    async def apologise(self, origin: Origin, client: AsyncWebClient) -> None:
        place = Place.channel(origin.channel_id) if origin.channel_id else Place.dm()
        team = TeamKey("slack", origin.team_id)
        await self.executor(origin, team, place, client).run([apology()])

    # --- the Home tab and the installer's welcome --------------------------------------

    async def home_opened(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        event = body.get("event") or {}
        user = str(event.get("user") or "")
        if not user:
            return
        origin = Origin(
            team_id=team_of(body),
            user_id=user,
            surface="home",
            channel_id=str(event.get("channel") or ""),
            place_kind="dm",
        )
        actor, _place = await self.who_and_where(origin, client)
        if event.get("tab", "home") == "home":
            await self.home.publish(client, actor)

    async def welcome(self, workspace: str, user: str, token: str) -> None:
        """After an OAuth install: the installer gets a welcome and the help by DM."""
        client = self.web_client(token)
        origin = Origin(team_id=workspace, user_id=user, surface="dm", place_kind="dm")
        try:
            actor, place = await self.who_and_where(origin, client)
            help_effects = await self.bot.handle(Command(actor, "help", place))
        except Exception:
            log.exception("welcoming the installer failed")
            return
        welcome = Reply(Message(WELCOME, (Text(WELCOME),)))
        await self.execute([welcome, *help_effects], origin, actor, place, client)
