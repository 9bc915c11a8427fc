"""Persistent components: one ``DynamicItem`` that stands for every button and select the bot
ever sent.

Each component's ``custom_id`` *is* the core's action key (``quiz:answer|3``; see
:func:`bot.ui.action_id`), so routing a click needs nothing but the id: the item class is
registered once at start-up (``Client.add_dynamic_items``) and discord.py rebuilds it from
any message the click came from — sent a minute ago, before a restart, or by another
instance.

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

__all__ = ["MORE", "TEMPLATE", "ComponentHandler", "CoreComponent"]

# ``flow:verb`` optionally followed by ``|value`` (anything, up to the 100-character limit).
TEMPLATE = re.compile(r"(?P<action>[A-Za-z0-9_.\-]+:[A-Za-z0-9_.:\-]+)(?:\|(?P<value>.*))?", re.S)
MORE = "discord:more"


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
