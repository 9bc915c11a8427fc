"""The scheduling engine's Notifier for Slack: one lane per workspace (``slack:T123``).

The sender owns the generic parts (lane token bucket, ``Retry-After`` pauses, backoff,
giving up). This module turns one outbox effect into Web API calls and tells the sender
what happened, in the port's terms (:mod:`adapters.slack.outcomes`).

``account_inactive`` is ambiguous on Slack: the token's own account (the workspace or the
bot) is gone, or — as seen when a person's account is deactivated — the recipient is. One
``auth.test`` tells which. Beside the sender's per-lane limit, posts to one channel are
spaced by a second (Slack's documented pace for ``chat.postMessage``).

Idempotency (Slack has no idempotency key): every message the sender posts carries message
``metadata`` naming its outbox row (``event_type`` ``crossfade_outbox``, ``event_payload``
``{"row": key}``). Before a row whose outcome is uncertain is sent again, the sender asks
:meth:`WorkspaceNotifier.find_delivered`: one ``conversations.history`` call per DM (the
latest ``HISTORY_LIMIT`` messages, ``include_all_metadata``) for all of that DM's uncertain
rows. ``conversations.history`` is Tier 3 (50+ a minute) for an organisation's own app and
for Marketplace apps; a commercially distributed app outside the Marketplace gets 1 call a
minute and 15 messages — only uncertain rows are checked, so that stays rare, and a failed
look-up leaves the row uncertain and retries later. Channel posts are not looked up:
at-least-once.

A DM with a chart is two steps, and the sender records the first on the outbox row
(``steps``): the message is posted (with its metadata) and its ``ts`` recorded, then the
chart is uploaded. A row whose message exists — recorded, or found by the look-up — only
uploads; a failed upload is retried without posting the message again. The one repeat left:
an upload whose own answer is lost is uploaded again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.common import EffectSender, dispatch
from adapters.slack.connect import UserTokens, deliver_presence, dnd_message
from adapters.slack.messages import error_code, post_message, update_message, upload_attachments
from adapters.slack.outcomes import classify, http_status
from adapters.slack.people import People
from adapters.slack.render import render_message
from bot.delivery.notifier import DeliveryResult, Notifier
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.effects import Effect, Post, Presence, SendDirect, Update
from bot.kernel.events import TeamKey
from bot.kernel.slots import DndWording

__all__ = ["SlackNotifier", "TokenSource", "WorkspaceNotifier", "classify"]

log = logging.getLogger(__name__)

OnPosted = Callable[[str], Awaitable[bool]]

# Channels Slack paces at about one message a second.
CHANNEL_SPACING = 1.0
METADATA_EVENT = "crossfade_outbox"
HISTORY_LIMIT = 15  # what even a non-Marketplace app may read per call


def row_metadata(key: str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"row": key}}


class TokenSource(Protocol):
    async def bot_token(self, workspace_id: str) -> str | None:
        """The bot token of the workspace, or ``None`` when the app is not installed there."""


class WorkspaceNotifier:
    """Delivers one workspace's outbox rows (lane ``slack:<workspace id>``)."""

    # Slack allows several hundred messages a minute per workspace; 5/s = 300/min leaves
    # room for the answers to people's own commands on the same token.
    rate_per_second = 5.0
    burst = 10
    concurrency = 4

    def __init__(
        self,
        *,
        workspace_id: str,
        tokens: TokenSource,
        people: People,
        base_url: str,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rate: float = 5.0,
        user_tokens: UserTokens | None = None,
        clock: Clock | None = None,
        dnd_wording: DndWording | None = None,
    ) -> None:
        self.rate_per_second = rate  # CROSSFADE_SLACK_RATE
        self.user_tokens = user_tokens
        self.dnd_wording = dnd_wording
        self.clock = clock or SystemClock()
        self.lane = f"slack:{workspace_id}"
        self.team = TeamKey("slack", workspace_id)
        self.tokens = tokens
        self.people = people
        self.base_url = base_url
        self.session = session
        self.sleep = sleep
        self.monotonic = monotonic
        self._last_post: dict[str, float] = {}
        self._channel_locks: dict[str, asyncio.Lock] = {}

    async def _client(self) -> AsyncWebClient | None:
        token = await self.tokens.bot_token(self.team.workspace_id)
        if not token:
            return None
        # No retry handler for 429: the sender pauses the whole lane instead.
        return AsyncWebClient(
            token=token, base_url=self.base_url, session=self.session, retry_handlers=[]
        )

    async def _paced(self, channel: str, send: Callable[[], Awaitable[str]]) -> str:
        """Keep a second between two messages to the same channel."""
        lock = self._channel_locks.setdefault(channel, asyncio.Lock())
        async with lock:
            wait = self._last_post.get(channel, -CHANNEL_SPACING) + CHANNEL_SPACING
            wait -= self.monotonic()
            if wait > 0:
                await self.sleep(wait)
            try:
                return await send()
            finally:
                self._last_post[channel] = self.monotonic()

    async def deliver(self, effect: Effect) -> DeliveryResult:
        return await self.deliver_once(effect, "")

    async def find_delivered(self, rows: dict[str, Effect]) -> dict[str, str]:
        """Which of these rows' DMs Slack has already: ``{key: ts}``, one history call per
        DM. Raises ``SlackApiError`` (429 included) for the sender to retry later."""
        client = await self._client()
        if client is None:
            return {}
        by_user: dict[str, set[str]] = {}
        for key, effect in rows.items():
            if isinstance(effect, SendDirect):
                by_user.setdefault(effect.user.user_id, set()).add(key)
        found: dict[str, str] = {}
        for user, keys in by_user.items():
            channel = await self.people.dm_channel(self.team, user, client)
            history = await client.conversations_history(
                channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
            )
            for message in history.get("messages") or []:
                metadata = message.get("metadata") or {}
                row = (metadata.get("event_payload") or {}).get("row")
                if metadata.get("event_type") == METADATA_EVENT and row in keys:
                    found[str(row)] = str(message.get("ts") or "")
        return found

    steps = True  # deliver_once takes ``posted`` and ``on_posted`` (a DM with a chart)

    async def deliver_once(
        self,
        effect: Effect,
        key: str,
        *,
        posted: str | None = None,
        on_posted: OnPosted | None = None,
    ) -> DeliveryResult:
        """Send one ``SendDirect``, ``Post`` or ``Update`` (with ``key`` as its message
        metadata), or make a ``Presence`` call with the person's own token; never raises
        for Slack errors."""
        return await dispatch(_Delivery(self, key, posted=posted, on_posted=on_posted), effect)

    async def _dnd_read(self, effect: Presence, key: str) -> DeliveryResult:
        """``dnd.info`` with the bot token, then the proposal (or one line) as a DM."""
        client = await self._client()
        if client is None:
            return DeliveryResult.uninstalled("no_installation")
        if self.dnd_wording is None:
            return DeliveryResult.permanent("no wording for a Do Not Disturb proposal")
        found = await dnd_message(client, effect, self.dnd_wording)
        if isinstance(found, DeliveryResult):
            return found
        metadata = row_metadata(key) if key else None
        return await self._direct(client, SendDirect(effect.user, found), metadata)

    async def _direct(
        self, client: AsyncWebClient, effect: SendDirect, metadata: dict[str, Any] | None
    ) -> DeliveryResult:
        user = effect.user.user_id
        try:
            channel = await self.people.dm_channel(self.team, user, client)

            async def send() -> str:
                return (await post_message(client, channel, effect.message, metadata=metadata))[1]

            return DeliveryResult.sent(await self._paced(channel, send))
        except SlackApiError as error:
            if error_code(error) == "account_inactive":
                return await self._inactive(client, error)
            return classify(error, recipient_call=True)

    async def _chart_dm(
        self,
        client: AsyncWebClient,
        effect: SendDirect,
        metadata: dict[str, Any] | None,
        posted: str | None,
        on_posted: OnPosted | None,
    ) -> DeliveryResult:
        """The message (unless ``posted`` says it exists), its ts recorded, then the upload:
        an upload that fails is retried alone."""
        user = effect.user.user_id
        if posted is None:
            try:
                channel = await self.people.dm_channel(self.team, user, client)

                async def send() -> str:
                    message, meta = effect.message, metadata
                    return (
                        await post_message(client, channel, message, metadata=meta, upload=False)
                    )[1]

                posted = await self._paced(channel, send)
            except SlackApiError as error:
                if error_code(error) == "account_inactive":
                    return await self._inactive(client, error)
                return classify(error, recipient_call=True)
            if on_posted is not None and not await on_posted(posted):
                return DeliveryResult.transient("lease lost after the message was posted")
        channel = await self.people.dm_channel(self.team, user, client)
        attachments = render_message(effect.message).attachments
        await upload_attachments(client, channel, attachments)  # SlackApiError: retried alone
        return DeliveryResult.sent(posted)

    async def _inactive(self, client: AsyncWebClient, error: SlackApiError) -> DeliveryResult:
        try:
            await client.auth_test()
        except SlackApiError as auth_error:
            if http_status(auth_error) == 429 or http_status(auth_error) >= 500:
                return classify(auth_error)
            return DeliveryResult.uninstalled(error_code(auth_error))
        return DeliveryResult.blocked(error_code(error))


class _Delivery(EffectSender[DeliveryResult]):
    """One outbox row of a workspace's lane, carried out by the effect's kind."""

    def __init__(
        self,
        lane: WorkspaceNotifier,
        key: str,
        *,
        posted: str | None,
        on_posted: OnPosted | None,
    ) -> None:
        self.lane = lane
        self.key = key
        self.metadata = row_metadata(key) if key else None
        self.posted = posted
        self.on_posted = on_posted

    async def presence(self, effect: Presence) -> DeliveryResult:
        lane = self.lane
        if effect.action == "dnd_read":
            return await lane._dnd_read(effect, self.key)
        if lane.user_tokens is None:
            return DeliveryResult.permanent("not_connected")
        return await deliver_presence(
            effect,
            tokens=lane.user_tokens,
            base_url=lane.base_url,
            now=lane.clock.now(),
            session=lane.session,
        )

    async def send_direct(self, effect: SendDirect) -> DeliveryResult:
        lane, metadata = self.lane, self.metadata

        async def send(client: AsyncWebClient) -> DeliveryResult:
            if render_message(effect.message).attachments:
                return await lane._chart_dm(client, effect, metadata, self.posted, self.on_posted)
            return await lane._direct(client, effect, metadata)

        return await self._with_client(effect, send)

    async def post(self, effect: Post) -> DeliveryResult:
        channel = effect.channel.id

        async def send(client: AsyncWebClient) -> DeliveryResult:
            async def post() -> str:
                metadata = self.metadata
                return (await post_message(client, channel, effect.message, metadata=metadata))[1]

            return DeliveryResult.sent(await self.lane._paced(channel, post))

        return await self._with_client(effect, send)

    async def update(self, effect: Update) -> DeliveryResult:
        ref = effect.message_ref

        async def send(client: AsyncWebClient) -> DeliveryResult:
            await update_message(client, ref.place.id, ref.id, effect.message)
            return DeliveryResult.sent(ref.id)

        return await self._with_client(effect, send)

    async def unsupported(self, effect: Effect) -> DeliveryResult:
        return await self._with_client(effect, None)

    async def _with_client(
        self, effect: Effect, send: Callable[[AsyncWebClient], Awaitable[DeliveryResult]] | None
    ) -> DeliveryResult:
        client = await self.lane._client()
        if client is None:
            return DeliveryResult.uninstalled("no_installation")
        if send is None:
            return DeliveryResult.permanent(f"cannot deliver {type(effect).__name__} on Slack")
        try:
            return await send(client)
        except SlackApiError as error:
            return classify(error)
        except (aiohttp.ClientError, TimeoutError) as error:
            return DeliveryResult.transient(type(error).__name__)


class SlackNotifier:
    """The wildcard notifier (``slack:*``): the sender asks it for each workspace's lane."""

    lane = "slack:*"

    def __init__(
        self,
        *,
        tokens: TokenSource,
        people: People,
        base_url: str,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rate: float = WorkspaceNotifier.rate_per_second,
        user_tokens: UserTokens | None = None,
        clock: Clock | None = None,
        dnd_wording: DndWording | None = None,
    ) -> None:
        self.rate = rate
        self.user_tokens = user_tokens
        self.dnd_wording = dnd_wording
        self.clock = clock
        self.tokens = tokens
        self.people = people
        self.base_url = base_url
        self.session = session
        self.sleep = sleep
        self.monotonic = monotonic
        self._lanes: dict[str, WorkspaceNotifier] = {}

    def for_lane(self, lane: str) -> Notifier:
        notifier = self._lanes.get(lane)
        if notifier is None:
            notifier = WorkspaceNotifier(
                workspace_id=lane.split(":", 1)[1],
                tokens=self.tokens,
                people=self.people,
                base_url=self.base_url,
                session=self.session,
                sleep=self.sleep,
                monotonic=self.monotonic,
                rate=self.rate,
                user_tokens=self.user_tokens,
                clock=self.clock,
                dnd_wording=self.dnd_wording,
            )
            self._lanes[lane] = notifier
        return notifier
