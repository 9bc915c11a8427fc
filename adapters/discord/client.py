"""The discord.py client: sharding, intents, endpoints, the command tree and event hooks.

Only non-privileged intents: ``guilds`` (guild joins and leaves, channel names) and
``dm_messages`` (text someone types in their DM with the bot; Discord sends the content of
DMs without the privileged message-content intent). Interactions need no intent at all.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.commands import plan
from adapters.discord.handler import Crossfade, on_message
from adapters.discord.tree import build_group
from adapters.discord.views import TEMPLATE, CoreComponent
from bot.kernel.settings import Settings

__all__ = [
    "CrossfadeClient",
    "CrossfadeTree",
    "Sharding",
    "configure_endpoints",
    "intents",
    "sharding_from",
]

log = logging.getLogger(__name__)

STALE_BUTTON = "That button is no longer in use. `/crossfade help` lists what you can do."
STALE_COMMAND = (
    "This command has changed since Discord last heard of it. Please try again in a minute, "
    "or use `/crossfade help`."
)


def intents() -> discord.Intents:
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.dm_messages = True
    return chosen


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at ``DISCORD_API_URL`` and ``DISCORD_GATEWAY_URL`` (Discord's own by
    default; a local Discord-compatible server in tests). Process-wide: discord.py keeps
    both as class attributes."""
    Route.BASE = settings.discord_api_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


@dataclass(frozen=True, slots=True)
class Sharding:
    """Which shards this process runs: ``count`` ``None`` asks Discord for its recommended
    count (and runs them all); ``ids`` ``None`` runs every shard of ``count``."""

    ids: tuple[int, ...] | None
    count: int | None


def sharding_from(settings: Settings) -> Sharding:
    """``DISCORD_SHARD_IDS`` (``0,1`` or ``0-3``) and ``DISCORD_SHARD_COUNT``; several
    instances each run some shards of the same bot against the same database."""
    text = settings.discord_shard_ids.strip()
    count = settings.discord_shard_count
    if not text:
        return Sharding(None, count)
    from bot.kernel.configcheck import parse_shard_ids

    ids = parse_shard_ids(text)
    if count is None:
        raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total of all instances)")
    bad = [i for i in ids if not 0 <= i < count]
    if bad:
        raise ValueError(
            f"shard ids {bad} are outside 0..{count - 1} (DISCORD_SHARD_COUNT={count})"
        )
    return Sharding(tuple(dict.fromkeys(ids)), count)


class CrossfadeTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            log.warning("stale command %s: run `crossfade discord sync`", interaction.data)
            if not interaction.response.is_done():
                await interaction.response.send_message(
                    STALE_COMMAND, ephemeral=interaction.guild_id is not None
                )
            return
        log.error("command failed", exc_info=error)


class CrossfadeClient(discord.AutoShardedClient):
    """One bot, several shards. ``identify_delay`` is discord.py's five seconds between
    shard identifies (Discord's limit); tests against a local Discord set it to zero."""

    def __init__(
        self,
        crossfade: Crossfade,
        *,
        sharding: Sharding | None = None,
        identify_delay: float = 5.0,
        guild_ready_timeout: float = 2.0,
        **options: Any,
    ) -> None:
        sharding = sharding or Sharding(None, None)
        if sharding.ids is not None:
            options["shard_ids"] = list(sharding.ids)
        super().__init__(
            intents=intents(),
            shard_count=sharding.count,
            guild_ready_timeout=guild_ready_timeout,
            max_ratelimit_timeout=30.0,
            # the default for every send and edit, also the adapter's plain-text answers
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.crossfade = crossfade
        crossfade.client = self
        self.identify_delay = identify_delay
        self.tree = CrossfadeTree(self)

    async def setup_hook(self) -> None:
        # Buttons and selects from every message ever sent are routed by their custom_id.
        self.add_dynamic_items(CoreComponent)
        self.tree.add_command(build_group(plan(self.crossfade.bot.router), self.crossfade))
        if self.shard_count is None:
            # Ask for the recommended count here, so that the configured gateway URL (not the
            # one in Discord's answer) is the one every shard connects to.
            self.shard_count, _url, _limits = await self.http.get_bot_gateway()
        log.info("Discord: shards %s of %s", self.shard_ids or "all", self.shard_count)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial and self.identify_delay:
            await asyncio.sleep(self.identify_delay)

    # --- events ----------------------------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction[discord.Client]) -> None:
        # Modals are routed by their custom_id (the core form id) on whichever instance
        # receives the submission, not through discord.py's in-memory modal store.
        if interaction.type is discord.InteractionType.modal_submit:
            await self.crossfade.on_modal(interaction)
        elif interaction.type is discord.InteractionType.component:
            data: Any = interaction.data or {}
            custom_id = str(data.get("custom_id", ""))
            if not TEMPLATE.fullmatch(custom_id) or not on_message(interaction):
                # Not one of ours (an id scheme from an old version), or an id that is not on
                # the message pressed (forged; discord.py would drop it): say so, never time out.
                await interaction.response.send_message(
                    STALE_BUTTON, ephemeral=interaction.guild_id is not None
                )

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is not None or message.author.bot or not message.content:
            return
        if isinstance(message.channel, discord.DMChannel):
            await self.crossfade.on_direct_message(message)

    async def on_shard_ready(self, shard_id: int) -> None:
        guilds = {g.id: g.name for g in self.guilds if g.shard_id == shard_id}
        await self.crossfade.reconcile_guilds(
            shard_id=shard_id, shard_count=self.shard_count or 1, guilds=guilds
        )

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.crossfade.on_guild_join(guild)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.crossfade.on_guild_remove(guild)
