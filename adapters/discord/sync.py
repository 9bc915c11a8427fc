"""``crossfade discord sync [--guild ID]``: publish the ``/crossfade`` command group.

Globally, commands reach every guild within about an hour; to one guild (for development)
at once. The payload is the same tree the running bot routes, built from the core's router.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from adapters.discord.client import configure_endpoints
from adapters.discord.commands import GROUP_NAME, plan
from adapters.discord.tree import build_group
from bot.kernel.registry import Router
from bot.kernel.settings import Settings

__all__ = ["SyncResult", "command_payload", "sync_commands"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncResult:
    guild_id: int | None
    commands: tuple[str, ...]  # subcommands (``logoff`` or ``reminders logoff``)

    def __str__(self) -> str:
        where = f"guild {self.guild_id}" if self.guild_id else "every guild (within about an hour)"
        return f"published /{GROUP_NAME} with {len(self.commands)} subcommands to {where}"


class _Unrouted:
    """The tree only needs callbacks to exist; syncing never invokes them."""

    async def on_command(self, interaction: Any, *, name: str, argument: str | None) -> None:
        return None

    def on_autocomplete(
        self, core_name: str, forms: tuple[str, ...], typed: str
    ) -> list[app_commands.Choice[str]]:
        return []


def _tree(client: discord.Client, router: Router) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    tree.add_command(build_group(plan(router), _Unrouted()))
    return tree


def command_payload(router: Router) -> list[dict[str, Any]]:
    """The JSON that ``sync`` sends (for checks against Discord's rules)."""
    client = discord.Client(intents=discord.Intents(guilds=True))
    tree = _tree(client, router)
    return [command.to_dict(tree) for command in tree.get_commands()]


def _names(tree: app_commands.CommandTree[discord.Client]) -> tuple[str, ...]:
    names: list[str] = []
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Command):
            names.append(command.qualified_name.removeprefix(GROUP_NAME + " "))
    return tuple(names)


async def sync_commands(settings: Settings, guild_id: int | None, router: Router) -> SyncResult:
    """Log in with ``DISCORD_TOKEN`` (no gateway connection) and overwrite the bot's
    commands globally, or in one guild when ``guild_id`` is given."""
    if not settings.discord_token:
        raise SystemExit("crossfade: DISCORD_TOKEN is not set")
    configure_endpoints(settings)
    client = discord.Client(intents=discord.Intents(guilds=True))
    tree = _tree(client, router)
    async with client:
        try:
            await client.login(settings.discord_token)
        except discord.LoginFailure as error:
            raise SystemExit(f"crossfade: Discord refused the token: {error}") from error
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            await tree.sync(guild=guild)
        else:
            await tree.sync()
    result = SyncResult(guild_id, _names(tree))
    log.info("%s", result)
    return result
