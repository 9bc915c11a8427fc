"""The App Home tab: ``views.publish`` of the core's home page, on ``app_home_opened`` and
again shortly after the person changes something (coalesced, so ten quick button presses
publish once)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.messages import attachment_label, error_code
from adapters.slack.render import Attachment, render_home
from bot.kernel.app import Bot
from bot.kernel.events import Actor

__all__ = ["HomeTab"]

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], None]


def _note(attachment: Attachment) -> str:
    return f"📈 {attachment_label(attachment)} — charts and files appear in messages, not here."


class HomeTab:
    def __init__(self, *, bot: Bot, spawn: Spawn, delay: float = 1.0) -> None:
        self.bot = bot
        self.spawn = spawn
        self.delay = delay
        self._opened: set[tuple[str, str]] = set()
        self._pending: set[tuple[str, str]] = set()

    async def publish(self, client: AsyncWebClient, actor: Actor, *, create: bool = True) -> None:
        """Render and publish the person's Home tab now. ``create=False`` (a refresh after
        something they did) never creates the person: after `forget` the refreshed tab is
        empty and nothing about them is written."""
        message = await self.bot.home(actor, create=create)
        view = render_home(message, attachment_note=_note)
        try:
            await client.views_publish(user_id=actor.user_id, view=view)
        except SlackApiError as error:
            log.warning("views.publish failed: %s", error_code(error))
            return
        self._opened.add((actor.workspace_id, actor.user_id))

    def refresh_soon(self, client: AsyncWebClient, actor: Actor) -> None:
        """Republish after ``delay`` if this person has looked at their Home tab (in this
        process); several calls within the delay publish once."""
        key = (actor.workspace_id, actor.user_id)
        if key not in self._opened or key in self._pending:
            return
        self._pending.add(key)

        async def later() -> None:
            try:
                await asyncio.sleep(self.delay)
            finally:
                self._pending.discard(key)
            await self.publish(client, actor, create=False)

        self.spawn(later())
