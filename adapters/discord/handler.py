"""The glue between discord.py's callbacks and the core: slash commands, clicks, modal
submissions, autocomplete, DM text and guild membership.

Nothing here knows a flow. A command's option text, a component's ``custom_id`` and a
modal's field values go to :meth:`bot.kernel.app.Bot.handle` as core events; the effects come back
through :class:`adapters.discord.executor.Responder`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

import discord
from discord import app_commands

from adapters.common import InFlight, or_apologise
from adapters.discord.commands import suggestions
from adapters.discord.executor import (
    DEFER_AFTER,
    FOREIGN_CHANNEL,
    Responder,
    execute_in_channel,
)
from adapters.discord.guilds import guild_joined, guild_left, reconcile_shard
from adapters.discord.homes import Home, Homes
from adapters.discord.inbound import (
    PLATFORM,
    Origin,
    action_event,
    command_event,
    dm_actor,
    form_event,
    guild_origin,
    place_of,
    text_event,
)
from adapters.discord.limits import CHOICE_NAME, clip
from adapters.discord.outbound import Outbound
from adapters.discord.views import MORE, untag
from bot.kernel.app import SORRY, Bot
from bot.kernel.events import Event, TeamKey
from bot.kernel.teams import TeamLifecycle
from bot.kernel.ui import split_action_id

__all__ = ["NO_HOME", "Crossfade", "on_message"]

log = logging.getLogger(__name__)

NO_HOME = (
    "Hi! I work inside a server: run `/crossfade help` in the server where you use me, "
    "and then you can use me here in our DMs too."
)
_CHANNEL_MENTION = re.compile(r"<#(\d{15,22})>")
_ANY_CHANNEL = re.compile(r"<#([^>|]*)")


def on_message(interaction: discord.Interaction[Any]) -> bool:
    """Whether the component id pressed is one of the message's own components (the
    message comes from Discord as the bot wrote it)."""
    data: Any = interaction.data or {}
    pressed = str(data.get("custom_id", ""))
    message = interaction.message
    if message is None:
        return False
    for row in getattr(message, "components", None) or []:
        for child in getattr(row, "children", [row]):
            if getattr(child, "custom_id", None) == pressed:
                return True
    return False


class Crossfade:
    """Routes Discord interactions to the core. ``client`` is set by the client itself."""

    def __init__(self, bot: Bot, *, homes: Homes | None = None, defer_after: float = DEFER_AFTER):
        self.bot = bot
        self.homes = homes or Homes(bot.db)
        self.defer_after = defer_after
        self.client: discord.Client | None = None
        self._outbound: Outbound | None = None
        self.in_flight = InFlight("Discord")
        self.teams = TeamLifecycle(bot.db, default_timezone=bot.settings.default_timezone)

    @property
    def outbound(self) -> Outbound:
        if self._outbound is None:
            assert self.client is not None, "the Discord client is not attached yet"
            self._outbound = Outbound(self.client, self.homes)
        return self._outbound

    async def drain(self, seconds: float = 10.0) -> None:
        """Wait up to ``seconds`` for interactions in progress (shutdown, and tests)."""
        with contextlib.suppress(TimeoutError):
            await self.in_flight.drain(seconds)

    # --- who and where ---------------------------------------------------------------

    async def origin(
        self, interaction: discord.Interaction[Any], *, sent_for: str | None = None
    ) -> Origin | None:
        """Who and where. In a DM the team is the one a pressed component was sent for
        (``sent_for``, already checked against the message), else the person's home."""
        origin = guild_origin(interaction)
        if origin is not None:
            return origin
        home = (
            Home(sent_for, False)
            if sent_for is not None
            else await self.homes.home_of(str(interaction.user.id))
        )
        if home is None:
            return None
        place = place_of(interaction.channel, interaction.channel_id)
        return Origin(dm_actor(interaction.user, home), place)

    @staticmethod
    def _named_channels(interaction: discord.Interaction[Any], text: str) -> str:
        """``<#123>`` (what Discord inserts for #channel) → ``<#123|name>``, so the core can
        show the channel's name; unknown channels stay as they are."""
        guild = interaction.guild

        def name(match: re.Match[str]) -> str:
            channel = guild.get_channel(int(match.group(1))) if guild is not None else None
            label = getattr(channel, "name", None)
            return f"<#{match.group(1)}|{label}>" if label else match.group(0)

        return _CHANNEL_MENTION.sub(name, text)

    async def _foreign_channel(
        self, interaction: discord.Interaction[Any], text: str
    ) -> str | None:
        """The first ``<#id>`` in ``text`` that is not a channel of the acting guild (the
        interaction's, or a DM's home): a channel id typed in a command is checked here,
        at the edge, before the core stores or uses it."""
        mentions = _ANY_CHANNEL.findall(text)
        if not mentions:
            return None
        guild_id: str | None = str(interaction.guild_id) if interaction.guild_id else None
        if guild_id is None:
            home = await self.homes.home_of(str(interaction.user.id))
            guild_id = home.guild_id if home is not None else None
        if guild_id is None:
            return None  # no team at all: the person is told where to start
        team = TeamKey(PLATFORM, guild_id)
        for channel_id in mentions:
            if not await self.outbound.belongs(team, channel_id):
                return str(channel_id)
        return None

    # --- interactions ----------------------------------------------------------------

    async def on_command(
        self, interaction: discord.Interaction[Any], *, name: str, argument: str | None
    ) -> None:
        if argument:
            foreign = await self._foreign_channel(interaction, argument)
            if foreign is not None:
                await interaction.response.send_message(
                    FOREIGN_CHANNEL.format("".join(c for c in foreign if c.isdigit())[:22]),
                    ephemeral=interaction.guild_id is not None,
                )
                return
            argument = self._named_channels(interaction, argument)
        await self._interaction(
            interaction, lambda origin: command_event(origin, name=name, argument=argument)
        )

    async def on_component(
        self, interaction: discord.Interaction[Any], *, custom_id: str, values: list[str]
    ) -> None:
        sent_for, custom_id = untag(custom_id)
        if sent_for is not None and not on_message(interaction):
            # A team tag that is not on the message pressed is forged: nothing happens.
            log.warning("component %r is not on its message; ignored", custom_id[:40])
            await interaction.response.defer()
            return
        if interaction.guild_id is not None:
            sent_for = None  # in a guild, the guild is the team
        if custom_id.startswith(MORE):
            # An overflow select: the chosen option's value is the core key itself.
            key, value = (values[0] if values else ""), None
        elif values:
            key, value = split_action_id(custom_id)[0], values[0]
        else:
            key, value = custom_id, None
        if not key:
            await interaction.response.defer()
            return
        await self._interaction(
            interaction,
            lambda origin: action_event(origin, interaction, key=key, value=value),
            sent_for=sent_for,
        )

    async def on_modal(self, interaction: discord.Interaction[Any]) -> None:
        data: Any = interaction.data or {}
        await self._interaction(interaction, lambda origin: form_event(origin, dict(data)))

    def on_autocomplete(
        self, core_name: str, forms: tuple[str, ...], typed: str
    ) -> list[app_commands.Choice[str]]:
        try:
            found = suggestions(self.bot.router, self.bot.settings, core_name, forms, typed)
        except Exception:  # a completion must never break typing
            log.exception("completion for %s failed", core_name)
            found = []
        return [app_commands.Choice(name=clip(s, CHOICE_NAME), value=s) for s in found]

    async def _interaction(
        self, interaction: discord.Interaction[Any], make: Any, *, sent_for: str | None = None
    ) -> None:
        async def apologise() -> None:
            await self._apologise(interaction)

        with self.in_flight.current():
            await or_apologise(
                self._answer(interaction, make, sent_for=sent_for),
                apologise=apologise,
                log=log,
                failed="interaction %s failed",
                args=(interaction.id,),
            )

    async def _answer(
        self, interaction: discord.Interaction[Any], make: Any, *, sent_for: str | None
    ) -> None:
        origin = await self.origin(interaction, sent_for=sent_for)
        if origin is None:
            await interaction.response.send_message(NO_HOME)
            return
        event: Event = make(origin)
        responder = Responder(
            interaction,
            bot=self.bot,
            outbound=self.outbound,
            actor=origin.actor,
            place=origin.place,
            defer_after=self.defer_after,
        )
        await responder.run(event)
        # After answering, so that the deadline never waits for this write; never on an
        # anonymous answer (it would date the vote), nor for someone the core no longer
        # knows (they have just used `forget`).
        if (
            interaction.guild_id is not None
            and not self.bot.is_anonymous(event)
            and await self.bot.knows(origin.actor.team, origin.actor.user_id)
        ):
            await self.homes.remember_home(
                guild_id=origin.actor.workspace_id,
                user_id=origin.actor.user_id,
                is_admin=origin.actor.is_admin,
            )

    @staticmethod
    async def _apologise(interaction: discord.Interaction[Any]) -> None:
        ephemeral = interaction.guild_id is not None
        try:
            if not interaction.response.is_done():
                await interaction.response.send_message(SORRY, ephemeral=ephemeral)
            else:
                await interaction.followup.send(SORRY, ephemeral=ephemeral)
        except discord.HTTPException:
            log.warning("could not apologise for interaction %s", interaction.id)

    # --- DMs -------------------------------------------------------------------------

    async def on_direct_message(self, message: discord.Message) -> None:
        """Text someone typed in their DM with the bot (no interaction to answer)."""
        with self.in_flight.current():
            try:
                home = await self.homes.home_of(str(message.author.id))
                if home is None:
                    await message.channel.send(NO_HOME)
                    return
                actor = dm_actor(message.author, home)
                effects = await self.bot.handle(text_event(actor, message.content))
                await execute_in_channel(
                    effects, message.channel, bot=self.bot, outbound=self.outbound, team=actor.team
                )
            except Exception:
                log.exception("DM %s failed", message.id)

    # --- guilds ----------------------------------------------------------------------

    async def on_guild_join(self, guild: discord.Guild) -> None:
        with self.in_flight.current():
            await guild_joined(self.teams, guild_id=guild.id, name=guild.name or "")

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        with self.in_flight.current():
            await guild_left(self.teams, guild_id=guild.id)
            self.homes.forget_guild(str(guild.id))

    async def reconcile_guilds(
        self, *, shard_id: int, shard_count: int, guilds: dict[int, str]
    ) -> None:
        with self.in_flight.current():
            await reconcile_shard(
                self.teams, shard_id=shard_id, shard_count=shard_count, guilds=guilds
            )
