"""The discord.py objects of ``/crossfade``: one app command per planned subcommand, whose
callback hands the option's text to the handler, and autocomplete wired to the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.commands import GROUP_DESCRIPTION, GROUP_NAME, SubcommandShape, TreeShape

__all__ = ["CommandHandler", "build_group"]


class CommandHandler(Protocol):
    async def on_command(
        self, interaction: discord.Interaction[Any], *, name: str, argument: str | None
    ) -> None: ...

    def on_autocomplete(
        self, core_name: str, forms: tuple[str, ...], typed: str
    ) -> list[app_commands.Choice[str]]: ...


Callback = Callable[..., Awaitable[None]]


def _callback(shape: SubcommandShape, handler: CommandHandler) -> Callback:
    core = shape.core_name
    option = shape.option
    if option is None:

        async def bare(interaction: discord.Interaction[Any]) -> None:
            await handler.on_command(interaction, name=core, argument=None)

        return bare
    if option.kind == "integer":
        if option.required:

            async def required_int(interaction: discord.Interaction[Any], value: int) -> None:
                await handler.on_command(interaction, name=core, argument=str(value))

            return required_int

        async def optional_int(
            interaction: discord.Interaction[Any], value: int | None = None
        ) -> None:
            argument = None if value is None else str(value)
            await handler.on_command(interaction, name=core, argument=argument)

        return optional_int
    if option.required:

        async def required_text(interaction: discord.Interaction[Any], value: str) -> None:
            await handler.on_command(interaction, name=core, argument=value)

        return required_text

    async def optional_text(
        interaction: discord.Interaction[Any], value: str | None = None
    ) -> None:
        await handler.on_command(interaction, name=core, argument=value)

    return optional_text


def _command(
    shape: SubcommandShape, handler: CommandHandler, parent: app_commands.Group
) -> app_commands.Command[Any, ..., None]:
    callback = _callback(shape, handler)
    option = shape.option
    if option is not None:
        callback = app_commands.rename(value=option.name)(callback)
        callback = app_commands.describe(value=option.description)(callback)
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=shape.name,
        description=shape.description,
        callback=callback,  # type: ignore[arg-type]  # built per shape, see _callback
        parent=parent,
    )
    if option is not None and option.kind == "string":
        core, forms = shape.core_name, option.forms

        async def autocomplete(
            interaction: discord.Interaction[Any], current: str
        ) -> list[app_commands.Choice[str]]:
            return handler.on_autocomplete(core, forms, current)

        command.autocomplete("value")(autocomplete)
    parent.add_command(command)
    return command


def build_group(shape: TreeShape, handler: CommandHandler) -> app_commands.Group:
    """The ``/crossfade`` group for a command tree, usable in guilds and in DMs with the bot."""
    root = app_commands.Group(
        name=GROUP_NAME,
        description=GROUP_DESCRIPTION,
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=True, private_channel=False
        ),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
    )
    for sub in shape.direct:
        _command(sub, handler, root)
    for name, text, subs in shape.groups:
        group = app_commands.Group(name=name, description=text, parent=root)
        for sub in subs:
            _command(sub, handler, group)
        root.add_command(group)
    return root
