"""Crossfade on Slack: a Bolt ``AsyncApp`` whose listeners acknowledge at once and hand the
work to background tasks that ask the core and carry out its effects.

Acknowledge first, then work: every listener calls ``ack()`` before anything slow (a
``users.info``, a database transaction, a Web API call), so Slack's 3-second deadline is
met whatever the core does. The one exception is a modal submission, whose answer *is* the
acknowledgement (field errors shown inside the modal): the core gets 2.5 seconds, after
which the modal closes and the outcome arrives as a message instead.

The app runs with ``process_before_response=True``: Bolt then answers as soon as the
listener returns (instead of polling every 10 ms for ``ack()``), and the background tasks
are ours, tracked, and drained on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update

from adapters.slack.channels import ChannelPrivacy
from adapters.slack.connect import UserTokens
from adapters.slack.executor import Executor, form_metadata
from adapters.slack.home import HomeTab
from adapters.slack.inbound import (
    Incoming,
    Origin,
    parse_block_action,
    parse_command,
    parse_direct_message,
    parse_view_submission,
    team_of,
)
from adapters.slack.messages import error_code
from adapters.slack.notifier import SlackNotifier, TokenSource
from adapters.slack.oauth import InstallationStore, StateStore, StoredAuthorize
from adapters.slack.people import People
from adapters.slack.receipts import EventReceipts
from adapters.slack.render import ACTION_PATTERN, FORM_PATTERN, modal_errors, render_modal
from bot.kernel.app import SORRY, Bot
from bot.kernel.clock import Clock
from bot.kernel.effects import Effect, FormErrors, OpenForm, Reply
from bot.kernel.events import Actor, Command, Place, TeamKey
from bot.kernel.services import Services
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Team
from bot.kernel.ui import Message, Text

__all__ = ["BOT_SCOPES", "SlackAdapter", "SlackConfigError", "authorization_url"]

log = logging.getLogger(__name__)

# Every scope the app asks for (the manifest lists the same ones).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "im:write",
    "im:history",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
    "dnd:read",  # a person's Do Not Disturb hours, read once to suggest quiet hours
)
FORM_DEADLINE = 2.5  # seconds the core gets to judge a modal before Slack's 3 s run out
WELCOME = (
    "Thanks for installing *Crossfade*! It helps each person find out whether work-life "
    "*balance* or *integration* fits them, and gives teams an anonymous pulse. Everyone can "
    "start with `/crossfade quiz`; here is everything it can do:"
)


class SlackConfigError(ValueError):
    """The Slack settings cannot work (printed to the operator without a traceback)."""


def authorization_url(api_url: str) -> str:
    """Slack's OAuth page on the same host as the Web API (GovSlack: slack-gov.com)."""
    base = api_url.rstrip("/")
    base = base.removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


@dataclass
class _SingleToken:
    token: str

    async def bot_token(self, workspace_id: str) -> str | None:
        return self.token


class SlackAdapter:
    """The Slack app for one process. Build it with :meth:`open`, close it with
    :meth:`close`; ``app`` is the Bolt app, served by ``adapters.slack.server``."""

    def __init__(
        self,
        *,
        bot: Bot,
        settings: Settings,
        clock: Clock,
        db: Database,
        session: aiohttp.ClientSession,
        home_delay: float = 1.0,
        form_deadline: float = FORM_DEADLINE,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.clock = clock
        self.db = db
        self.session = session
        self.form_deadline = form_deadline
        self.tasks: set[asyncio.Task[None]] = set()
        # SQLite has one writer. The core already queues its transactions (BEGIN IMMEDIATE
        # and a busy timeout), but waiting here, in asyncio, costs nothing while SQLite's busy
        # handler polls in threads; on PostgreSQL as many run as the connection pool serves.
        self.handle_slots = asyncio.Semaphore(1 if db.is_sqlite else 10)
        self.people = People(db, clock=clock, default_timezone=settings.default_timezone)
        self.channels = ChannelPrivacy()
        self.receipts = EventReceipts(db, clock=clock)
        self.home = HomeTab(bot=bot, spawn=self.spawn, delay=home_delay)
        self.store: InstallationStore | None = None
        self.authorize: StoredAuthorize | None = None
        self.tokens: TokenSource
        self.app = self._build_app()
        self._register()

    @classmethod
    async def open(cls, services: Services, **options: Any) -> SlackAdapter:
        """The adapter with its own HTTP session (one connection pool for every call)."""
        session = aiohttp.ClientSession()
        try:
            return cls(
                bot=services.bot,
                settings=services.settings,
                clock=services.clock,
                db=services.db,
                session=session,
                **options,
            )
        except BaseException:
            await session.close()
            raise

    @property
    def multi_workspace(self) -> bool:
        return bool(self.settings.slack_client_id and self.settings.slack_client_secret)

    # --- building the Bolt app -------------------------------------------------------------

    def web_client(self, token: str | None = None) -> AsyncWebClient:
        """A Web API client on ``SLACK_API_URL`` sharing the adapter's connection pool."""
        return AsyncWebClient(
            token=token,
            base_url=self.settings.slack_api_url,
            session=self.session,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=1),
                AsyncRateLimitErrorRetryHandler(max_retry_count=1),
            ],
        )

    def _build_app(self) -> AsyncApp:
        settings = self.settings
        common: dict[str, Any] = {
            "name": "crossfade",
            "logger": logging.getLogger("slack_bolt.crossfade"),
            "process_before_response": True,
            "signing_secret": settings.slack_signing_secret or None,
            # Socket Mode requests are not signed; HTTP mode refuses to start without one.
            "request_verification_enabled": bool(settings.slack_signing_secret),
        }
        if self.multi_workspace:
            self.store = InstallationStore(
                self.db,
                client_id=settings.slack_client_id,
                default_timezone=settings.default_timezone,
                on_change=self._installation_changed,
            )
            self.authorize = StoredAuthorize(self.store)
            self.tokens = self.store
            oauth = AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=list(BOT_SCOPES),
                user_scopes=[],
                installation_store=self.store,
                state_store=StateStore(self.db, clock=self.clock),
                authorization_url=authorization_url(settings.slack_api_url),
                callback_options=AsyncCallbackOptions(
                    success=self._installed, failure=_default_failure
                ),
            )
            return AsyncApp(
                client=self.web_client(),
                oauth_settings=oauth,
                installation_store=self.store,
                authorize=self.authorize,  # type: ignore[arg-type]
                **common,
            )
        if not settings.slack_bot_token:
            raise SlackConfigError(
                "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (OAuth installs into many workspaces)."
            )
        self.tokens = _SingleToken(settings.slack_bot_token)
        return AsyncApp(client=self.web_client(settings.slack_bot_token), **common)

    def _register(self) -> None:
        app = self.app
        app.command(re.compile(r".*"))(self._on_command)
        app.action(ACTION_PATTERN)(self._on_action)
        app.action(re.compile(r".*"))(self._on_other_action)
        app.view_submission(FORM_PATTERN)(self._on_view_submission)
        app.view_closed(re.compile(r".*"))(self._on_other_action)
        app.event("app_home_opened")(self._on_home_opened)
        app.event("message")(self._on_message)
        app.event("app_uninstalled")(self._on_uninstalled)
        app.event("tokens_revoked")(self._on_tokens_revoked)

    def notifier(self) -> SlackNotifier:
        """The scheduling engine's notifier for every workspace this app serves."""
        return SlackNotifier(
            tokens=self.tokens,
            people=self.people,
            base_url=self.settings.slack_api_url,
            session=self.session,
            rate=self.settings.slack_rate,
            user_tokens=UserTokens(self.db),
            clock=self.clock,
        )

    # --- background work ---------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after the acknowledgement; it is tracked until it ends."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack background work failed", exc_info=task.exception())

    async def drain(self, within: float = 30.0) -> None:
        """Wait until every background task (including ones they start) has ended."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.tasks:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{len(self.tasks)} Slack task(s) still running")
            await asyncio.wait(set(self.tasks), timeout=remaining)

    async def close(self) -> None:
        """Finish what was acknowledged (briefly), then release the connection pool."""
        with contextlib.suppress(TimeoutError):
            await self.drain(within=5.0)
        for task in list(self.tasks):
            task.cancel()
        await self.session.close()

    # --- listeners: acknowledge, then spawn ----------------------------------------------------

    async def _on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        self.spawn(self._process(parse_command(body), context.client))

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        incoming = parse_block_action(body)
        if incoming is not None:
            self.spawn(self._process(incoming, context.client))

    async def _on_other_action(self, ack: AsyncAck) -> None:
        await ack()

    async def _on_message(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        incoming = parse_direct_message(body)
        if incoming is not None:
            self.spawn(self._once(body, self._process(incoming, context.client)))

    async def _on_home_opened(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        self.spawn(self._once(body, self._home_opened(body, context.client)))

    async def _on_uninstalled(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        self.spawn(self._once(body, self._uninstalled(body, context, bot=True, users=[])))

    async def _on_tokens_revoked(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        tokens = (body.get("event") or {}).get("tokens") or {}
        users = [str(u) for u in tokens.get("oauth") or []]
        bot = bool(tokens.get("bot"))
        self.spawn(self._once(body, self._uninstalled(body, context, bot=bot, users=users)))

    async def _on_view_submission(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        incoming = parse_view_submission(body)
        client = context.client
        work = asyncio.ensure_future(self._judge(incoming, client))
        try:
            actor, place, effects = await asyncio.wait_for(
                asyncio.shield(work), timeout=self.form_deadline
            )
        except TimeoutError:
            # The core is slow: close the modal now and answer by message when it is done.
            await ack()
            self.spawn(self._late_form(work, incoming, client))
            return
        except Exception:
            log.exception("a modal submission failed")
            await ack()
            return
        view = body.get("view") or {}
        errors: dict[str, str] = {}
        for effect in effects:
            if isinstance(effect, FormErrors):
                errors.update(effect.errors)
        forms = [e for e in effects if isinstance(e, OpenForm)]
        rest: list[Effect]
        if errors:
            await ack(response_action="errors", errors=modal_errors(view, errors))
            rest = [e for e in effects if not isinstance(e, FormErrors)]
        elif forms:
            next_view = render_modal(
                forms[0].form, private_metadata=form_metadata(incoming.origin, place)
            )
            await ack(response_action="update", view=next_view)
            rest = [e for e in effects if e is not forms[0]]
        else:
            await ack()
            rest = effects
        if rest:
            self.spawn(self._execute(rest, incoming.origin, actor, place, client))

    # --- the work ----------------------------------------------------------------------------

    async def _once(self, body: dict[str, Any], work: Coroutine[Any, Any, None]) -> None:
        """Run an Events API delivery's work unless its ``event_id`` was taken on before."""
        event_id = str(body.get("event_id") or "")
        if not await self.receipts.first_time(team_of(body), event_id):
            log.info("event %s already handled; Slack's retry dropped", event_id)
            work.close()
            return
        await work

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

    def _anonymous(self, incoming: Incoming) -> bool:
        return incoming.kind == "action" and incoming.action in self.bot.router.anonymous_actions

    async def _judge(
        self, incoming: Incoming, client: AsyncWebClient
    ) -> tuple[Actor, Place, list[Effect]]:
        # An anonymous answer writes nothing about the person (see Bot.is_anonymous).
        store = not self._anonymous(incoming)
        actor, place = await self.who_and_where(incoming.origin, client, store=store)

        async def fresh_admin() -> bool:
            return await self.people.fresh_admin(actor.team, actor.user_id, client)

        async with self.handle_slots:
            effects = await self.bot.handle(incoming.event(actor, place), fresh_admin=fresh_admin)
        return actor, place, effects

    async def _process(self, incoming: Incoming, client: AsyncWebClient) -> None:
        try:
            actor, place, effects = await self._judge(incoming, client)
        except Exception:
            log.exception("handling a Slack %s failed", incoming.kind)
            await self._apologise(incoming.origin, client)
            return
        await self._execute(
            effects, incoming.origin, actor, place, client, refresh=not self._anonymous(incoming)
        )

    async def _late_form(
        self,
        work: asyncio.Future[tuple[Actor, Place, list[Effect]]],
        incoming: Incoming,
        client: AsyncWebClient,
    ) -> None:
        try:
            actor, place, effects = await work
        except Exception:
            log.exception("a modal submission failed")
            await self._apologise(incoming.origin, client)
            return
        # The modal is closed: an OpenForm can no longer replace it.
        await self._execute(
            [e for e in effects if not isinstance(e, OpenForm)],
            incoming.origin,
            actor,
            place,
            client,
        )

    async def _execute(
        self,
        effects: list[Effect],
        origin: Origin,
        actor: Actor,
        place: Place,
        client: AsyncWebClient,
        *,
        refresh: bool = True,
    ) -> None:
        executor = Executor(
            client=client,
            people=self.people,
            bot=self.bot,
            team=actor.team,
            origin=origin,
            place=place,
            session=self.session,
        )
        await executor.run(effects)
        if not refresh:
            return  # an anonymous answer: a Home refresh would write the person's rows
        if origin.surface == "home":
            await self.home.publish(client, actor, create=False)
        else:
            self.home.refresh_soon(client, actor)

    async def _apologise(self, origin: Origin, client: AsyncWebClient) -> None:
        executor = Executor(
            client=client,
            people=self.people,
            bot=self.bot,
            team=TeamKey("slack", origin.team_id),
            origin=origin,
            place=Place.channel(origin.channel_id) if origin.channel_id else Place.dm(),
            session=self.session,
        )
        await executor.run([_reply(SORRY)])

    async def _home_opened(self, body: dict[str, Any], client: AsyncWebClient) -> None:
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

    async def _uninstalled(
        self, body: dict[str, Any], context: AsyncBoltContext, *, bot: bool, users: list[str]
    ) -> None:
        """``app_uninstalled`` / ``tokens_revoked``: forget the tokens; when the bot's token
        is gone, deactivate the team so the engine stops its schedules and deliveries."""
        workspace = context.team_id or team_of(body)
        enterprise = context.enterprise_id
        if self.store is not None:
            if bot and users is not None and not users:
                await self.store.async_delete_all(enterprise_id=enterprise, team_id=workspace)
            else:
                for user in users:
                    await self.store.async_delete_installation(
                        enterprise_id=enterprise, team_id=workspace, user_id=user
                    )
                if bot:
                    await self.store.async_delete_bot(enterprise_id=enterprise, team_id=workspace)
        if not bot:
            return
        team = TeamKey("slack", workspace)
        async with self.db.uow() as uow:
            await uow.session.execute(
                update(Team)
                .where(Team.platform == team.platform, Team.workspace_id == team.workspace_id)
                .values(active=False)
                .execution_options(synchronize_session=False)
            )
            await uow.commit()
        self.people.forget(team)
        log.warning("Slack workspace %s removed the app; its team is now inactive", workspace)

    def _installation_changed(self, enterprise_id: str, team_id: str) -> None:
        if self.authorize is not None:
            self.authorize.forget(enterprise_id, team_id)

    async def _installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        """After an OAuth install: welcome the installer by DM, show Slack's success page."""
        installation = args.installation
        if installation.bot_token and installation.user_id and installation.team_id:
            self.spawn(
                self._welcome(installation.team_id, installation.user_id, installation.bot_token)
            )
        response: BoltResponse = await args.default.success(args)
        return response

    async def _welcome(self, workspace: str, user: str, token: str) -> None:
        client = self.web_client(token)
        origin = Origin(team_id=workspace, user_id=user, surface="dm", place_kind="dm")
        try:
            actor, place = await self.who_and_where(origin, client)
            help_effects = await self.bot.handle(Command(actor, "help", place))
        except Exception:
            log.exception("welcoming the installer failed")
            return
        await self._execute([_reply(WELCOME), *help_effects], origin, actor, place, client)


def _reply(text: str) -> Effect:
    return Reply(Message(text, (Text(text),)))


async def _default_failure(args: Any) -> BoltResponse:
    response: BoltResponse = await args.default.failure(args)
    return response
