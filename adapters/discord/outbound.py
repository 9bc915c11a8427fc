"""REST calls that are not answers to an interaction: DMs, channel posts and edits.

Used by the interaction executor (for ``SendDirect``/``Post``/``Update`` effects) and by the
notifier (for scheduled deliveries). A DM channel is opened once per person
(``POST /users/@me/channels``) and remembered in memory and in the database.

Tenancy lives here, once: every post and edit names the team it is made for, and a channel
that is not in that team's guild is refused (:class:`ForeignChannel`) before any request
goes out. A channel id can come from a setting, a form id or a stored reference — wherever
it came from, an admin of one guild cannot make the bot write into another. The guild of a
channel never changes, so the answer is cached.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord.homes import LRU, Homes
from adapters.discord.limits import bounded_snowflake
from adapters.discord.render import render_message
from bot.kernel.events import TeamKey
from bot.kernel.ui import Message

__all__ = ["UNKNOWN_CHANNEL", "ForeignChannel", "Outbound", "error_code"]

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003


class ForeignChannel(Exception):
    """The channel is not in the acting team's guild (or does not exist): nothing was sent."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(f"channel {channel_id} is not in this guild")
        self.channel_id = channel_id


DM = "dm"  # the cached "guild" of a DM channel


def error_code(error: discord.HTTPException) -> int:
    """Discord's JSON error code (``50007`` …), or 0 when the body had none."""
    return int(getattr(error, "code", 0) or 0)


class Outbound:
    def __init__(self, client: discord.Client, homes: Homes) -> None:
        self.client = client
        self.homes = homes
        self._guild_of: LRU[int, str] = LRU(20_000)

    async def guild_of(self, channel_id: int) -> str | None:
        """The guild id of a channel, ``"dm"`` for a DM channel, ``None`` if Discord does
        not know it (or shows it to the bot)."""
        known = self._guild_of.get(channel_id)
        if known is not None:
            return known
        cached = self.client.get_channel(channel_id)
        if cached is not None:
            guild = getattr(cached, "guild", None)
            found = str(guild.id) if guild is not None else DM
        else:
            try:
                data: Any = await self.client.http.get_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                return None
            found = str(data.get("guild_id") or "") or (DM if data.get("type") in (1, 3) else "")
            if not found:
                return None
        self._guild_of.put(channel_id, found)
        return found

    async def belongs(self, team: TeamKey, channel_id: str, *, dm_ok: bool = False) -> bool:
        """Whether ``channel_id`` is a channel of ``team``'s guild (or, with ``dm_ok``, a
        DM channel of the bot's)."""
        number = bounded_snowflake(channel_id)
        if number is None or team.platform != "discord":
            return False
        guild = await self.guild_of(number)
        return guild == team.workspace_id or (dm_ok and guild == DM)

    async def _checked(self, team: TeamKey, channel_id: str, *, dm_ok: bool = False) -> int:
        if not await self.belongs(team, channel_id, dm_ok=dm_ok):
            log.warning("refused: channel %s is not in guild %s", channel_id, team.workspace_id)
            raise ForeignChannel(channel_id)
        return int(channel_id)

    async def dm_channel_id(self, team: TeamKey, user_id: str) -> int:
        """The bot's DM channel with this person, opened at most once per person."""
        known = await self.homes.dm_channel_of(user_id)
        if known:
            return int(known)
        data: Any = await self.client.http.start_private_message(int(user_id))
        channel_id = str(data["id"])
        await self.homes.remember_dm_channel(team, user_id, channel_id)
        return int(channel_id)

    def _channel(self, channel_id: int, *, dm: bool = False) -> discord.PartialMessageable:
        kind = discord.ChannelType.private if dm else None
        return self.client.get_partial_messageable(channel_id, type=kind)

    async def send_direct(
        self, team: TeamKey, user_id: str, message: Message, *, nonce: str | None = None
    ) -> discord.Message:
        """``nonce``: discord.py sends it with ``enforce_nonce``, so Discord answers a repeat
        within its window with the first message instead of creating a second."""
        channel_id = await self.dm_channel_id(team, user_id)
        extra: dict[str, Any] = {"nonce": nonce} if nonce else {}
        try:
            return await self._channel(channel_id, dm=True).send(
                **render_message(message, team=team.workspace_id).send_kwargs(), **extra
            )
        except discord.NotFound as error:
            if error_code(error) != UNKNOWN_CHANNEL:
                raise
            # A remembered channel that Discord no longer knows: open a fresh one, once.
            log.info("DM channel %s of %s is gone; opening a new one", channel_id, user_id)
            data: Any = await self.client.http.start_private_message(int(user_id))
            await self.homes.remember_dm_channel(team, user_id, str(data["id"]))
            return await self._channel(int(data["id"]), dm=True).send(
                **render_message(message, team=team.workspace_id).send_kwargs(), **extra
            )

    async def post(
        self, team: TeamKey, channel_id: str, message: Message, *, nonce: str | None = None
    ) -> discord.Message:
        """A message in a channel of ``team``'s guild (:class:`ForeignChannel` otherwise)."""
        number = await self._checked(team, channel_id)
        extra: dict[str, Any] = {"nonce": nonce} if nonce else {}
        return await self._channel(number).send(**render_message(message).send_kwargs(), **extra)

    async def edit(self, team: TeamKey, channel_id: str, message_id: str, message: Message) -> None:
        """Replace a message in ``team``'s guild or in a DM with the bot."""
        number = await self._checked(team, channel_id, dm_ok=True)
        ident = bounded_snowflake(message_id)
        if ident is None:
            raise ForeignChannel(channel_id)
        partial = self._channel(number).get_partial_message(ident)
        await partial.edit(**render_message(message, team=team.workspace_id).edit_kwargs())
