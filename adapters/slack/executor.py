"""The core's effects carried out on Slack for one event.

Where a reply goes depends on where the event happened:

* the bot's DM (or the Home tab, or a modal opened there): a normal message in the DM;
* a channel, with a ``response_url`` (slash commands, buttons on messages, modals opened
  from a command): ``response_url`` — ephemeral for private replies, works in channels the
  bot is not in; without one, ``chat.postEphemeral``; and the DM when all else fails.

Nothing here raises: a Slack error is logged and, where the person would otherwise be left
without an answer, turned into a short private explanation.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.common import EffectSender, dispatch
from adapters.slack.inbound import Origin
from adapters.slack.messages import (
    attachment_label,
    error_code,
    post_ephemeral,
    post_message,
    update_message,
    upload_after,
)
from adapters.slack.people import People
from adapters.slack.render import Attachment, Rendered, render_message, render_modal
from bot.kernel.app import Bot
from bot.kernel.effects import Effect, FormErrors, OpenForm, Post, Reply, SendDirect, Update
from bot.kernel.events import MessageRef, Place, TeamKey
from bot.kernel.ui import Message, Text

__all__ = ["Executor", "form_metadata"]

log = logging.getLogger(__name__)

NO_TRIGGER = (
    "That opens a form, and Slack only lets me open one right after a command or a button "
    "press. Please run the command again."
)


def _dm_note(attachment: Attachment) -> str:
    return f"📎 {attachment_label(attachment)} — sent to you in a DM."


def form_metadata(origin: Origin, place: Place) -> dict[str, str]:
    """What a modal must remember to answer after submission (stored in the view)."""
    data = {"channel": place.id, "channel_name": place.name, "kind": place.kind}
    if origin.response_url:
        data["response_url"] = origin.response_url
    return data


class Executor(EffectSender[None]):
    """Carries out the effects of one Slack event, answering where it happened."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        people: People,
        bot: Bot,
        team: TeamKey,
        origin: Origin,
        place: Place,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.client = client
        self.people = people
        self.bot = bot
        self.team = team
        self.origin = origin
        self.place = place
        self.session = session

    async def run(self, effects: list[Effect]) -> None:
        """Carry out the effects in order; one failing never stops the others."""
        for effect in effects:
            try:
                await dispatch(self, effect)
            except SlackApiError as error:
                log.warning("%s failed on Slack: %s", type(effect).__name__, error_code(error))
            except Exception:
                log.exception("%s failed", type(effect).__name__)

    async def unsupported(self, effect: Effect) -> None:
        """A ``Presence`` is the outbox's, never an answer to an event."""

    async def reply(self, effect: Reply) -> None:
        await self.answer(effect.message, private=effect.private)

    async def send_direct(self, effect: SendDirect) -> None:
        channel = await self.people.dm_channel(self.team, effect.user.user_id, self.client)
        await post_message(self.client, channel, effect.message)

    async def update(self, effect: Update) -> None:
        await self.replace(effect.message_ref, effect.message)

    async def form_errors(self, effect: FormErrors) -> None:
        lines = "\n".join(f"• {name}: {text}" for name, text in effect.errors.items())
        await self.answer(Message("Please fix the form", (Text(f"Please fix:\n{lines}"),)))

    # --- replies -----------------------------------------------------------------------

    async def _dm(self) -> str:
        if self.place.kind == "dm" and self.place.id:
            return self.place.id
        return await self.people.dm_channel(self.team, self.origin.user_id, self.client)

    async def answer(self, message: Message, *, private: bool = True) -> None:
        """Answer the person where the event happened (see the module's docstring)."""
        if self.place.kind == "dm":
            await post_message(self.client, await self._dm(), message)
            return
        note = _dm_note if private else None
        rendered = render_message(message, attachment_note=note or (lambda _a: None))
        if self.origin.response_url and await self._respond(rendered, ephemeral=private):
            await self._attachments_after(rendered, private=private)
            return
        if private:
            try:
                await post_ephemeral(self.client, self.place.id, self.origin.user_id, rendered)
                await self._attachments_after(rendered, private=True)
                return
            except SlackApiError as error:
                log.info("ephemeral reply refused (%s); answering by DM", error_code(error))
        else:
            try:
                await self._with_join(self.place.id, post_message, message)
                return
            except SlackApiError as error:
                log.info("channel reply refused (%s); answering by DM", error_code(error))
        await post_message(self.client, await self._dm(), message)

    async def _respond(
        self, rendered: Rendered, *, ephemeral: bool, replace_original: bool = False
    ) -> bool:
        body: dict[str, Any] = {
            "text": rendered.text,
            "blocks": rendered.blocks,
            "response_type": "ephemeral" if ephemeral else "in_channel",
            "replace_original": replace_original,
        }
        try:
            webhook = AsyncWebhookClient(self.origin.response_url, session=self.session)
            response = await webhook.send_dict(body)
        except Exception as error:  # expired URL, network: the caller falls back
            log.info("response_url failed: %s", error)
            return False
        if response.status_code != 200:
            log.info("response_url answered %s: %s", response.status_code, response.body)
            return False
        return True

    async def _attachments_after(self, rendered: Rendered, *, private: bool) -> None:
        """Images and files of a reply sent through response_url or as an ephemeral (which
        cannot carry files): into the channel when the reply was public, else by DM."""
        if not rendered.attachments:
            return
        if not private and await upload_after(self.client, self.place.id, rendered.attachments):
            return
        await upload_after(self.client, await self._dm(), rendered.attachments)

    async def _with_join(self, channel: str, call: Any, *args: Any) -> Any:
        """Run ``call(client, channel, *args)``; when the bot is not in a public channel,
        join it (``channels:join``) and try once more."""
        try:
            return await call(self.client, channel, *args)
        except SlackApiError as error:
            if error_code(error) != "not_in_channel" or not channel.startswith("C"):
                raise
            await self.client.conversations_join(channel=channel)
            return await call(self.client, channel, *args)

    # --- posts and updates ---------------------------------------------------------------

    async def post(self, effect: Post) -> None:
        channel = effect.channel
        try:
            channel_id, ts = await self._with_join(channel.id, post_message, effect.message)
        except SlackApiError as error:
            code = error_code(error)
            log.info("posting to %s failed: %s", channel.id, code)
            name = channel.name or channel.id
            text = (
                f"I couldn't post in #{name} (Slack said `{code}`). If it is a private "
                f"channel, invite me there with `/invite @Crossfade`, then try again."
            )
            await self.answer(Message(text, (Text(text),)))
            return
        if effect.ref_key:
            ref = MessageRef(Place.channel(channel_id, channel.name), ts)
            await self.bot.remember_post(self.team, effect.ref_key, ref)

    async def replace(self, ref: MessageRef, message: Message) -> None:
        origin = self.origin
        if origin.ephemeral and origin.message_ts == ref.id and origin.response_url:
            # an ephemeral message cannot be chat.update'd; its response_url replaces it
            rendered = render_message(message, attachment_note=_dm_note)
            if await self._respond(rendered, ephemeral=True, replace_original=True):
                await self._attachments_after(rendered, private=True)
                return
        channel = ref.place.id
        if not channel and ref.place.kind == "dm":
            channel = await self._dm()
        try:
            await update_message(self.client, channel, ref.id, message)
        except SlackApiError as error:
            log.info("chat.update failed (%s); sending the new version instead", error_code(error))
            if ref.id == origin.message_ts:
                await self.answer(message)

    # --- forms -------------------------------------------------------------------------

    async def open_form(self, effect: OpenForm) -> None:
        if not self.origin.trigger_id:
            await self.answer(Message(NO_TRIGGER, (Text(NO_TRIGGER),)))
            return
        view = render_modal(effect.form, private_metadata=form_metadata(self.origin, self.place))
        try:
            await self.client.views_open(trigger_id=self.origin.trigger_id, view=view)
        except SlackApiError as error:
            log.info("views.open failed: %s", error_code(error))
            await self.answer(Message(NO_TRIGGER, (Text(NO_TRIGGER),)))
