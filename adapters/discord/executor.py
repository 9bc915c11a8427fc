"""Core effects → Discord interaction responses, follow-ups and REST calls.

Discord wants an answer to every interaction within 3 seconds and allows follow-ups for 15
minutes. The core usually answers in milliseconds; when it has not answered after
``defer_after`` seconds the interaction is deferred (a private "thinking…" for commands and
forms, a silent acknowledgement for clicks) and the effects become follow-ups.

The first effect decides the interaction response: an ``Update`` of the message that was
clicked becomes "update message" (so a quiz question turns into the next one in place), a
``Reply`` a new (ephemeral, if private) message, an ``OpenForm`` a modal. Everything after
that is a follow-up or a REST call.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from adapters.common import EffectSender, dispatch
from adapters.discord.outbound import ForeignChannel, Outbound, error_code
from adapters.discord.render import Rendered, render_form, render_message
from bot.kernel.app import Bot
from bot.kernel.effects import Effect, FormErrors, OpenForm, Post, Reply, SendDirect, Update
from bot.kernel.events import Actor, Event, MessageRef, Place, TeamKey
from bot.kernel.ui import Message, Text

__all__ = ["CANNOT_DM", "DEFER_AFTER", "Responder", "execute_in_channel"]

log = logging.getLogger(__name__)

DEFER_AFTER = 2.0  # seconds; Discord's deadline is 3, and the gateway takes its share
CANNOT_DM = 50007
CANNOT_DM_TEXT = (
    "I couldn't send you a DM: Discord says your privacy settings block direct messages "
    "from this server's members. Allow them (Server → Privacy Settings → Direct Messages) "
    "and try again."
)
FOREIGN_CHANNEL = (
    "I can only post in this server's channels, and <#{}> is not one of them. "
    "Choose a channel here (`settings channel here` inside it)."
)
NO_FORM_HERE = "That opens a form — please use the matching `/crossfade` command."
FORM_AFTER_DEFER = (
    "That took me a moment, and Discord only opens a form as the first answer. "
    "Please run the command again to open it."
)


def _text(text: str) -> Message:
    return Message(text, (Text(text),))


class Responder(EffectSender[None]):
    """Answers one interaction: runs the core within the deadline and executes its effects."""

    def __init__(
        self,
        interaction: discord.Interaction[Any],
        *,
        bot: Bot,
        outbound: Outbound,
        actor: Actor,
        place: Place,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.interaction = interaction
        self.bot = bot
        self.outbound = outbound
        self.actor = actor
        self.place = place
        self.defer_after = defer_after
        self.loading = False  # a deferred "thinking…" message still waiting for content

    # --- the deadline ----------------------------------------------------------------

    @property
    def responded(self) -> bool:
        return self.interaction.response.is_done()

    @property
    def in_guild(self) -> bool:
        return self.interaction.guild_id is not None

    async def run(self, event: Event) -> None:
        """Hand ``event`` to the core and answer with its effects."""
        effects = await self.handle(event)
        await self.execute(effects)

    async def handle(self, event: Event) -> list[Effect]:
        task = asyncio.ensure_future(self.bot.handle(event))
        done, _pending = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            await self.defer()
        return await task

    async def defer(self) -> None:
        if self.responded:
            return
        if self.interaction.type is discord.InteractionType.component:
            await self.interaction.response.defer()  # "deferred update": nothing visible
        else:
            await self.interaction.response.defer(ephemeral=self.in_guild, thinking=True)
            self.loading = True

    # --- effects ---------------------------------------------------------------------

    def _own_message_id(self) -> str | None:
        message = self.interaction.message
        return str(message.id) if message is not None else None

    def _ordered(self, effects: list[Effect]) -> list[Effect]:
        """An update of the clicked message goes first: only then can it be the response."""
        own = self._own_message_id()
        for index, effect in enumerate(effects):
            if isinstance(effect, Update) and own and effect.message_ref.id == own:
                return [effect, *effects[:index], *effects[index + 1 :]]
        return list(effects)

    async def execute(self, effects: list[Effect]) -> None:
        for effect in self._ordered(effects):
            try:
                await self._apply(effect)
            except discord.HTTPException as error:
                log.warning(
                    "Discord refused %s (HTTP %s, code %s): %s",
                    type(effect).__name__,
                    error.status,
                    error_code(error),
                    error.text,
                )
            except ForeignChannel as error:
                await self.answer(_text(FOREIGN_CHANNEL.format(error.channel_id)), private=True)
        await self._finish()

    async def _apply(self, effect: Effect) -> None:
        await dispatch(self, effect)

    async def unsupported(self, effect: Effect) -> None:
        """A ``Presence`` is the outbox's, never an answer to an interaction."""

    async def reply(self, effect: Reply) -> None:
        await self.answer(effect.message, private=effect.private)

    async def update(self, effect: Update) -> None:
        await self._update(effect.message_ref, effect.message)

    async def open_form(self, effect: OpenForm) -> None:
        await self._open_form(effect)

    async def form_errors(self, effect: FormErrors) -> None:
        lines = "\n".join(f"• {name}: {error}" for name, error in effect.errors.items())
        await self.answer(_text(f"Please check the form and try again:\n{lines}"), private=True)

    async def post(self, effect: Post) -> None:
        await self._post(effect)

    async def send_direct(self, effect: SendDirect) -> None:
        await self._send_direct(effect)

    def _render(self, message: Message) -> Rendered:
        """In a DM, the components carry the team the answer is for."""
        return render_message(message, team="" if self.in_guild else self.actor.workspace_id)

    async def answer(self, message: Message, *, private: bool) -> None:
        """Answer the person where they are; ephemeral when private (in a guild)."""
        ephemeral = private and self.in_guild
        rendered = self._render(message)
        if not self.responded:
            await self.interaction.response.send_message(
                ephemeral=ephemeral, **rendered.send_kwargs()
            )
            return
        if self.loading:
            self.loading = False
            if ephemeral or not self.in_guild:
                await self.interaction.edit_original_response(**rendered.edit_kwargs())
                return
            # The "thinking…" message is private; a public answer needs a message of its own.
            await self.interaction.delete_original_response()
        await self.interaction.followup.send(
            ephemeral=ephemeral, wait=True, **rendered.send_kwargs()
        )

    async def _update(self, ref: MessageRef, message: Message) -> None:
        if ref.id == self._own_message_id():
            rendered = self._render(message)
            if not self.responded:
                await self.interaction.response.edit_message(**rendered.edit_kwargs())
            else:
                await self.interaction.edit_original_response(**rendered.edit_kwargs())
            return
        if not ref.place.id:
            log.info("cannot update message %s: no channel id", ref.id)
            return
        await self.outbound.edit(self.actor.team, ref.place.id, ref.id, message)

    async def _open_form(self, effect: OpenForm) -> None:
        if self.responded:
            await self.answer(_text(FORM_AFTER_DEFER), private=True)
            return
        modal = render_form(effect.form)
        await self.interaction.response.send_modal(modal)
        # The submission is routed by its custom_id (the form id) on any instance, so the
        # modal object must not linger in this process's view store.
        modal.stop()

    async def _post(self, effect: Post) -> None:
        channel = effect.channel
        try:
            sent = await self.outbound.post(self.actor.team, channel.id, effect.message)
        except discord.Forbidden:
            await self.answer(
                _text(
                    f"I can't post in <#{channel.id}>. Please let me view the channel and send "
                    "messages there, or choose another one."
                ),
                private=True,
            )
            return
        if effect.ref_key:
            ref = MessageRef(Place.channel(channel.id, channel.name), str(sent.id))
            await self.bot.remember_post(self.actor.team, effect.ref_key, ref)

    async def _send_direct(self, effect: SendDirect) -> None:
        user = effect.user
        try:
            await self.outbound.send_direct(self.actor.team, user.user_id, effect.message)
        except discord.Forbidden as error:
            if error_code(error) == CANNOT_DM and user.user_id == self.actor.user_id:
                await self.answer(_text(CANNOT_DM_TEXT), private=True)
            else:
                raise

    async def _finish(self) -> None:
        """Make sure Discord got an answer, even when the core had nothing to say."""
        if not self.responded:
            if self.interaction.type is discord.InteractionType.component:
                await self.interaction.response.defer()
            else:
                await self.interaction.response.send_message("Done.", ephemeral=self.in_guild)
        elif self.loading:
            self.loading = False
            await self.interaction.edit_original_response(content="Done.")


async def execute_in_channel(
    effects: list[Effect],
    channel: discord.abc.Messageable,
    *,
    bot: Bot,
    outbound: Outbound,
    team: TeamKey,
) -> None:
    """Effects of an event that was not an interaction (text in a DM): replies become plain
    messages in ``channel``; a form cannot open without an interaction."""
    sender = _ChannelSender(channel, bot=bot, outbound=outbound, team=team)
    for effect in effects:
        try:
            await dispatch(sender, effect)
        except (discord.HTTPException, ForeignChannel) as error:
            log.warning("Discord refused %s: %s", type(effect).__name__, error)


class _ChannelSender(EffectSender[None]):
    """Answers in a DM channel without an interaction."""

    def __init__(
        self, channel: discord.abc.Messageable, *, bot: Bot, outbound: Outbound, team: TeamKey
    ) -> None:
        self.channel = channel
        self.bot = bot
        self.outbound = outbound
        self.team = team

    async def unsupported(self, effect: Effect) -> None:
        """A ``Presence`` is the outbox's."""

    async def reply(self, effect: Reply) -> None:
        rendered = render_message(effect.message, team=self.team.workspace_id)
        await self.channel.send(**rendered.send_kwargs())

    async def send_direct(self, effect: SendDirect) -> None:
        await self.outbound.send_direct(self.team, effect.user.user_id, effect.message)

    async def post(self, effect: Post) -> None:
        sent = await self.outbound.post(self.team, effect.channel.id, effect.message)
        if effect.ref_key:
            place = Place.channel(effect.channel.id, effect.channel.name)
            await self.bot.remember_post(self.team, effect.ref_key, MessageRef(place, str(sent.id)))

    async def update(self, effect: Update) -> None:
        ref = effect.message_ref
        if ref.place.id:
            await self.outbound.edit(self.team, ref.place.id, ref.id, effect.message)

    async def open_form(self, effect: OpenForm) -> None:
        await self.channel.send(NO_FORM_HERE)

    async def form_errors(self, effect: FormErrors) -> None:
        lines = "\n".join(f"• {name}: {error}" for name, error in effect.errors.items())
        await self.channel.send(f"Please check:\n{lines}")
