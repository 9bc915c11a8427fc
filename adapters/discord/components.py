"""Core buttons and selects → a persistent ``ui.View`` within Discord's component limits.

Each Buttons block starts its own row of up to five; if that needs more than five rows the
rows are packed; what still does not fit moves into a "More…" select whose option values
are core keys. Every item is a :class:`~adapters.discord.views.CoreComponent`, so it is
routed by its ``custom_id`` after any restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord import ui

from adapters.discord import limits
from adapters.discord.limits import clip
from adapters.discord.views import MORE, CoreComponent, tag
from bot.kernel.ui import Button, Buttons, Message, Select, action_id

__all__ = ["render_view"]

_STYLES = {
    "default": discord.ButtonStyle.secondary,
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
}


@dataclass(frozen=True, slots=True)
class _Entry:
    """One choice that a click can make: a core key and its label."""

    label: str
    key: str


def _button_item(button: Button, row: int, team: str) -> CoreComponent:
    item: ui.Button[Any] = ui.Button(
        label=clip(button.label or "·", limits.BUTTON_LABEL),
        style=_STYLES.get(button.style, discord.ButtonStyle.secondary),
        custom_id=tag(button.key, team),
    )
    return CoreComponent(item, row=row)


def _select_item(
    custom_id: str, placeholder: str, entries: list[tuple[str, str]], row: int, team: str
) -> Any:
    options = [
        discord.SelectOption(
            label=clip(label or "·", limits.OPTION_LABEL), value=value[: limits.OPTION_VALUE]
        )
        for label, value in entries[: limits.SELECT_OPTIONS]
    ]
    item: ui.Select[Any] = ui.Select(
        custom_id=tag(custom_id[: limits.CUSTOM_ID], team),
        placeholder=clip(placeholder, limits.PLACEHOLDER) or None,
        options=options,
    )
    return CoreComponent(item, row=row)


def _unique(custom_id: str, used: set[str]) -> str:
    """Discord refuses two components with one ``custom_id`` in a message; a select only
    needs its action (the value comes from the option), so a suffix after ``|`` is free."""
    if custom_id not in used:
        return custom_id
    for n in range(2, 100):
        candidate = f"{custom_id}|~{n}"
        if candidate not in used and len(candidate) <= limits.CUSTOM_ID:
            return candidate
    return custom_id


Row = list[Button] | Select


def _rows(message: Message, *, dense: bool) -> list[Row]:
    """Each Buttons block starts its own row(s) of five; ``dense`` packs buttons of
    consecutive blocks together (used when the blocks alone would need too many rows)."""
    rows: list[Row] = []
    seen: set[str] = set()
    pending: list[Button] = []

    def flush() -> None:
        for start in range(0, len(pending), limits.BUTTONS_PER_ROW):
            rows.append(pending[start : start + limits.BUTTONS_PER_ROW])
        pending.clear()

    for block in message.blocks:
        if isinstance(block, Buttons):
            pending.extend(b for b in block.buttons if b.key not in seen)
            seen.update(b.key for b in block.buttons)
            if not dense:
                flush()
        elif isinstance(block, Select) and block.options:
            flush()
            rows.append(block)
    flush()
    return rows


def _spill(row: Row) -> list[_Entry]:
    if isinstance(row, Select):
        return [_Entry(o.label, action_id(row.action, o.value)) for o in row.options]
    return [_Entry(b.label, b.key) for b in row]


def render_view(message: Message, notes: list[str], *, team: str = "") -> ui.View | None:
    """The view for ``message`` (``None`` without components); what degraded goes to ``notes``.
    ``team`` (a guild id) tags every component of a DM with the guild it was sent for."""
    rows = _rows(message, dense=False)
    if len(rows) > limits.ROWS:
        rows = _rows(message, dense=True)
        notes.append("button rows packed together")
    overflow: list[_Entry] = []
    if len(rows) > limits.ROWS:
        # The fifth row becomes a "More…" select that carries everything that did not fit.
        kept, rest = rows[: limits.ROWS - 1], rows[limits.ROWS - 1 :]
        overflow = [entry for row in rest for entry in _spill(row)]
        rows = kept
        if len(overflow) > limits.SELECT_OPTIONS:
            notes.append(f"{len(overflow) - limits.SELECT_OPTIONS} choices over 25 dropped")
        notes.append("buttons over five rows moved into a select")
    if not rows and not overflow:
        return None
    view = ui.View(timeout=None)
    used: set[str] = set()
    for index, row in enumerate(rows):
        if isinstance(row, Select):
            if len(row.options) > limits.SELECT_OPTIONS:
                notes.append(f"{len(row.options) - limits.SELECT_OPTIONS} options over 25 dropped")
            custom_id = _unique(row.action, used)
            entries = [(o.label, o.value) for o in row.options]
            view.add_item(_select_item(custom_id, row.placeholder, entries, index, team))
            used.add(custom_id)
        else:
            for button in row:
                view.add_item(_button_item(button, index, team))
                used.add(button.key)
    if overflow:
        entries = [(e.label, e.key) for e in overflow]
        view.add_item(_select_item(MORE, "More…", entries, len(rows), team))
    return view
