"""REST calls that are not answers to an interaction: DMs, channel posts and edits.

Used by the interaction executor (for ``SendDirect``/``Post``/``Update`` effects) and by the
notifier (for scheduled deliveries). A DM channel is opened once per person
(``POST /users/@me/channels``) and remembered in memory and in the database.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord.homes import Homes
from adapters.discord.render import render_message
from bot.events import TeamKey
from bot.ui import Message

__all__ = ["UNKNOWN_CHANNEL", "Outbound", "error_code"]

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003


def error_code(error: discord.HTTPException) -> int:
    """Discord's JSON error code (``50007`` …), or 0 when the body had none."""
    return int(getattr(error, "code", 0) or 0)


class Outbound:
    def __init__(self, client: discord.Client, homes: Homes) -> None:
        self.client = client
        self.homes = homes

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
                **render_message(message).send_kwargs(), **extra
            )
        except discord.NotFound as error:
            if error_code(error) != UNKNOWN_CHANNEL:
                raise
            # A remembered channel that Discord no longer knows: open a fresh one, once.
            log.info("DM channel %s of %s is gone; opening a new one", channel_id, user_id)
            data: Any = await self.client.http.start_private_message(int(user_id))
            await self.homes.remember_dm_channel(team, user_id, str(data["id"]))
            return await self._channel(int(data["id"]), dm=True).send(
                **render_message(message).send_kwargs(), **extra
            )

    async def post(
        self, channel_id: str, message: Message, *, nonce: str | None = None
    ) -> discord.Message:
        extra: dict[str, Any] = {"nonce": nonce} if nonce else {}
        return await self._channel(int(channel_id)).send(
            **render_message(message).send_kwargs(), **extra
        )

    async def edit(self, channel_id: str, message_id: str, message: Message) -> None:
        partial = self._channel(int(channel_id)).get_partial_message(int(message_id))
        await partial.edit(**render_message(message).edit_kwargs())
