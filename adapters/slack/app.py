"""Crossfade on Slack: a Bolt ``AsyncApp`` whose listeners acknowledge at once and hand the
work to background tasks that ask the core and carry out its effects.

The adapter is assembled from parts of one concern each: the Bolt app for the settings
(:mod:`adapters.slack.bolt`), the listeners that acknowledge and spawn
(:mod:`adapters.slack.listeners`), the work of asking the core and carrying out its effects
(:mod:`adapters.slack.handling`) and the workspaces' lifecycle
(:mod:`adapters.slack.lifecycle`). The background tasks are tracked and drained on shutdown.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.common import InFlight
from adapters.slack.authorize import StoredAuthorize
from adapters.slack.bolt import (
    BOT_SCOPES,
    SingleToken,
    SlackConfigError,
    authorization_url,
    build_bolt_app,
    multi_workspace,
)
from adapters.slack.connect import UserTokens
from adapters.slack.handling import Handling
from adapters.slack.home import HomeTab
from adapters.slack.lifecycle import Workspaces
from adapters.slack.listeners import FORM_DEADLINE, Listeners
from adapters.slack.notifier import SlackNotifier, TokenSource
from adapters.slack.oauth import InstallationStore
from adapters.slack.people import People
from adapters.slack.receipts import EventReceipts
from bot.kernel.app import Bot
from bot.kernel.clock import Clock
from bot.kernel.services import Services
from bot.kernel.settings import Settings
from bot.kernel.slots import DND_WORDING
from bot.kernel.storage.db import Database
from bot.kernel.teams import TeamLifecycle

__all__ = ["BOT_SCOPES", "SlackAdapter", "SlackConfigError", "authorization_url"]

log = logging.getLogger(__name__)

NO_TOKEN = (
    "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
    "SLACK_CLIENT_SECRET (OAuth installs into many workspaces)."
)


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
        self.in_flight = InFlight("Slack")
        self.people = People(db, clock=clock, default_timezone=settings.default_timezone)
        self.handling = Handling(
            bot=bot,
            people=self.people,
            home=HomeTab(bot=bot, spawn=self.spawn, delay=home_delay),
            session=session,
            web_client=self.web_client,
            concurrent=1 if db.is_sqlite else 10,
        )
        self.workspaces = Workspaces(
            teams=TeamLifecycle(db, default_timezone=settings.default_timezone),
            people=self.people,
            spawn=self.spawn,
            welcome=self.handling.welcome,
        )
        self.listeners = Listeners(
            handling=self.handling,
            workspaces=self.workspaces,
            receipts=EventReceipts(db, clock=clock),
            spawn=self.spawn,
            form_deadline=form_deadline,
        )
        self.tokens: TokenSource = self._installations()
        self.app = build_bolt_app(
            settings,
            client=self.web_client(None if self.multi_workspace else settings.slack_bot_token),
            db=db,
            clock=clock,
            store=self.workspaces.store,
            authorize=self.workspaces.authorize,
            on_installed=self.workspaces.installed,
        )
        self.listeners.register(self.app)

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

    def _installations(self) -> TokenSource:
        """Where the bot tokens come from: the installation store (OAuth installs), else
        ``SLACK_BOT_TOKEN``."""
        settings = self.settings
        if self.multi_workspace:
            store = InstallationStore(
                self.db,
                client_id=settings.slack_client_id,
                default_timezone=settings.default_timezone,
                on_change=self.workspaces.installation_changed,
            )
            self.workspaces.store = store
            self.workspaces.authorize = StoredAuthorize(store)
            return store
        if not settings.slack_bot_token:
            raise SlackConfigError(NO_TOKEN)
        return SingleToken(settings.slack_bot_token)

    @property
    def multi_workspace(self) -> bool:
        return multi_workspace(self.settings)

    @property
    def form_deadline(self) -> float:
        """Seconds the core gets to judge a modal before Slack's deadline."""
        return self.listeners.form_deadline

    @form_deadline.setter
    def form_deadline(self, seconds: float) -> None:
        self.listeners.form_deadline = seconds

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
            # the core's words for a Do Not Disturb proposal (the feature that makes it)
            dnd_wording=next(iter(self.bot.router.provided(DND_WORDING)), None),
        )

    async def token_works(self) -> bool:
        """One workspace: whether Slack accepts ``SLACK_BOT_TOKEN`` (the team is active
        again if it does)."""
        return await self.workspaces.token_works(self.web_client(self.settings.slack_bot_token))

    # --- background work -----------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after the acknowledgement; it is tracked until it ends."""
        self.in_flight.spawn(work)

    async def drain(self, within: float = 30.0) -> None:
        """Wait until every background task (including ones they start) has ended."""
        await self.in_flight.drain(within)

    async def close(self) -> None:
        """Finish what was acknowledged (briefly), then release the connection pool."""
        with contextlib.suppress(TimeoutError):
            await self.drain(within=5.0)
        self.in_flight.cancel()
        await self.session.close()
