"""Persistent components: one ``DynamicItem`` that stands for every button and select the bot
ever sent.

Each component's ``custom_id`` *is* the core's action key (``quiz:answer|3``; see
:func:`bot.kernel.ui.action_id`), so routing a click needs nothing but the id: the item class is
registered once at start-up (``Client.add_dynamic_items``) and discord.py rebuilds it from
any message the click came from — sent a minute ago, before a restart, or by another
instance.

A component in a DM carries its team: ``@<guild id in base 36>/`` before the core key, so a
press is recorded under the guild that sent the message even when the person uses the bot
in several guilds (a DM has no guild of its own). The handler believes the tag only when the
pressed id is one of the message's own components — the message comes from Discord, written
by the bot, and no one else can edit it.

Two ids are the adapter's own, never the core's (flows are named ``quiz``, ``pulse`` …):
``discord:more`` is the select that carries buttons that did not fit (its option values are
core keys), and ``discord:nop`` is never routed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord
from discord import ui

if TYPE_CHECKING:
    from typing import Self

__all__ = ["MORE", "TEMPLATE", "ComponentHandler", "CoreComponent", "tag", "untag"]

# ``flow:verb`` optionally followed by ``|value`` (anything, up to the 100-character limit),
# optionally preceded by the team tag of a DM.
TEMPLATE = re.compile(
    r"(?:@(?P<team>[0-9a-z]{1,13})/)?"
    r"(?P<action>[A-Za-z0-9_.\-]+:[A-Za-z0-9_.:\-]+)(?:\|(?P<value>.*))?",
    re.S,
)
_TAG = re.compile(r"@(?P<team>[0-9a-z]{1,13})/(?P<rest>.*)", re.S)
MORE = "discord:more"
CUSTOM_ID = 100
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def tag(custom_id: str, guild_id: str) -> str:
    """``custom_id`` marked with the guild it was sent for; unchanged without a guild or
    when the mark would not fit Discord's 100 characters (it then routes to the home)."""
    if not guild_id.isdigit() or len(guild_id) > 20:
        return custom_id
    tagged = f"@{_base36(int(guild_id))}/{custom_id}"
    return tagged if len(tagged) <= CUSTOM_ID else custom_id


def untag(custom_id: str) -> tuple[str | None, str]:
    """(guild id or ``None``, the core key) of a component id."""
    match = _TAG.fullmatch(custom_id)
    if match is None:
        return None, custom_id
    return str(int(match.group("team"), 36)), match.group("rest")


class ComponentHandler(Protocol):
    async def on_component(
        self, interaction: discord.Interaction[Any], *, custom_id: str, values: list[str]
    ) -> None: ...


class CoreComponent(ui.DynamicItem[ui.Item[Any]], template=TEMPLATE):
    """A button or string select whose ``custom_id`` is a core action key."""

    def __init__(self, item: ui.Item[Any], *, row: int | None = None) -> None:
        super().__init__(item, row=row)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: ComponentHandler | None = getattr(interaction.client, "crossfade", None)
        if handler is None:  # a client without the Crossfade handler: nothing to route to
            return
        values = list(getattr(self.item, "values", None) or [])
        await handler.on_component(interaction, custom_id=self.custom_id, values=values)
