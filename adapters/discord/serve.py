"""Running the Discord adapter: ``serve(services)`` runs the bot until cancelled.

Set ``DISCORD_TOKEN`` (and, for scale-out, ``DISCORD_SHARD_IDS``/``DISCORD_SHARD_COUNT``);
publish the commands once with ``crossfade discord sync``. See docs/discord.md.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord.client import CrossfadeClient, configure_endpoints, sharding_from
from adapters.discord.handler import Crossfade
from adapters.discord.notifier import DiscordNotifier
from bot.kernel.services import Services

__all__ = ["create_client", "run_client", "serve"]

log = logging.getLogger(__name__)


def create_client(services: Services, **options: Any) -> CrossfadeClient:
    """A client wired to the core, with the endpoints and shards from the settings.
    ``options`` reach :class:`CrossfadeClient` (tests shorten its start-up delays)."""
    settings = services.settings
    configure_endpoints(settings)
    crossfade = Crossfade(services.bot)
    options.setdefault("sharding", sharding_from(settings))
    return CrossfadeClient(crossfade, **options)


async def run_client(client: CrossfadeClient, services: Services) -> None:
    """Log in, give the scheduling engine the Discord notifier, and stay connected until
    cancelled (interactions in progress get a few seconds to finish)."""
    from bot.kernel.errors import StartupError  # printed by the CLI without a traceback

    token = services.settings.discord_token
    if not token:
        raise StartupError("DISCORD_TOKEN is not set")
    try:
        async with client:
            try:
                await client.login(token)
            except discord.LoginFailure as error:
                raise StartupError(f"Discord refused DISCORD_TOKEN ({error})") from error
            services.engine.add_notifier(
                DiscordNotifier(client.crossfade.outbound, rate=services.settings.discord_rate)
            )
            await client.connect(reconnect=True)
    finally:
        await client.crossfade.drain(5.0)


async def serve(services: Services) -> None:
    """Run the Discord bot until cancelled."""
    await run_client(create_client(services), services)
