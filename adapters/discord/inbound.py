"""Discord interactions and DMs → core events, in one place.

A guild is a team (``Actor.workspace_id`` is the guild id). Admin means the member may
*Manage Server* (or is an administrator), read from the permissions Discord sends with every
guild interaction — never a remembered flag. A DM carries no guild and no permissions: it
belongs to the guild a pressed component was sent for, or else to the person's home guild
(see :mod:`adapters.discord.homes`), and it is never an admin's (a demoted admin must not
keep their rights in DMs; admin commands run in the server).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.homes import Home
from bot.kernel.events import Action, Actor, Command, DirectText, FormSubmit, MessageRef, Place
from bot.kernel.ui import split_action_id

__all__ = [
    "PLATFORM",
    "Origin",
    "action_event",
    "command_event",
    "dm_actor",
    "form_event",
    "guild_origin",
    "is_admin",
    "modal_values",
    "place_of",
    "text_event",
]

PLATFORM = "discord"


@dataclass(frozen=True, slots=True)
class Origin:
    """Who did something and where, as the core sees it."""

    actor: Actor
    place: Place


def is_admin(permissions: discord.Permissions) -> bool:
    """Admin commands are for members who may manage the server."""
    return bool(permissions.manage_guild or permissions.administrator)


def _name(user: discord.abc.User) -> str:
    return user.display_name or user.name


def place_of(channel: Any, channel_id: int | None) -> Place:
    """A guild channel (or thread) is a channel; anything else is the DM with the bot."""
    ident = str(channel_id or getattr(channel, "id", None) or "")
    if channel is None or getattr(channel, "guild", None) is None:
        return Place("dm", ident)
    return Place.channel(ident, getattr(channel, "name", "") or ident, private=hidden(channel))


def hidden(channel: Any) -> bool:
    """Whether @everyone cannot see the channel (a thread follows its parent): what is asked
    there stays there. Unknown (no cached overwrites) counts as visible."""
    target: Any = getattr(channel, "parent", None) or channel
    guild: Any = getattr(target, "guild", None)
    if getattr(channel, "type", None) == discord.ChannelType.private_thread:
        return True
    try:
        return not target.permissions_for(guild.default_role).view_channel
    except (AttributeError, TypeError):
        return False


def guild_origin(interaction: discord.Interaction[Any]) -> Origin | None:
    """The origin of a guild interaction; ``None`` in a DM."""
    if interaction.guild_id is None:
        return None
    actor = Actor(
        PLATFORM,
        str(interaction.guild_id),
        str(interaction.user.id),
        _name(interaction.user),
        None,
        is_admin(interaction.permissions),
        zone_unknown=True,  # Discord never tells bots a zone: the core asks once
    )
    return Origin(actor, place_of(interaction.channel, interaction.channel_id))


def dm_actor(user: discord.abc.User, home: Home) -> Actor:
    return Actor(PLATFORM, home.guild_id, str(user.id), _name(user), None, False, zone_unknown=True)


def command_event(origin: Origin, *, name: str, argument: str | None) -> Command:
    """``/crossfade <name> <argument>`` as the text the core parses."""
    text = name if not argument else f"{name} {argument.strip()}"
    return Command(origin.actor, text, origin.place)


def action_event(
    origin: Origin, interaction: discord.Interaction[Any], *, key: str, value: str | None
) -> Action:
    """A click: the core key from the ``custom_id`` (or a select's chosen value)."""
    action, key_value = split_action_id(key)
    message = interaction.message
    ref = MessageRef(origin.place, str(message.id)) if message is not None else None
    return Action(origin.actor, action, key_value if value is None else value, ref, origin.place)


def modal_values(components: Any) -> dict[str, str]:
    """Field values of a modal submission: text inputs give ``value``, string selects
    ``values`` (the first is taken); labels and action rows are looked through. Anything
    not shaped as Discord documents it is skipped, never raised on."""
    values: dict[str, str] = {}
    for component in components if isinstance(components, list) else ():
        if not isinstance(component, dict):
            continue
        kind = component.get("type")
        if kind == 1:
            values.update(modal_values(component.get("components")))
        elif kind == 18 and isinstance(component.get("component"), dict):
            values.update(modal_values([component["component"]]))
        elif "custom_id" in component:
            name = str(component["custom_id"])
            if "values" in component:
                chosen = component.get("values")
                first = chosen[0] if isinstance(chosen, list) and chosen else ""
                values[name] = str(first)
            else:
                values[name] = str(component.get("value") or "")
    return values


def form_event(origin: Origin, data: dict[str, Any]) -> FormSubmit:
    return FormSubmit(
        origin.actor,
        str(data.get("custom_id", "")),
        modal_values(data.get("components")),
        origin.place,
    )


def text_event(actor: Actor, content: str) -> DirectText:
    return DirectText(actor, content)
