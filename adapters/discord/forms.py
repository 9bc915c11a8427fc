"""Core forms → Discord modals (text inputs and string selects, each in a Label)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import ui

from adapters.discord import limits
from adapters.discord.limits import clip
from bot.kernel.ui import Form, FormField

__all__ = ["render_form"]

log = logging.getLogger(__name__)


def _input(item: FormField) -> ui.Item[Any]:
    if item.kind == "select":
        options = [
            discord.SelectOption(
                label=clip(o.label or "·", limits.OPTION_LABEL),
                value=o.value[: limits.OPTION_VALUE],
                default=bool(item.initial) and o.value == item.initial,
            )
            for o in item.options[: limits.SELECT_OPTIONS]
        ]
        select: ui.Select[Any] = ui.Select(
            custom_id=item.name[: limits.CUSTOM_ID],
            placeholder=clip(item.placeholder, limits.PLACEHOLDER) or None,
            options=options,
            required=item.required,
        )
        return select
    max_length = max(1, min(item.max_length or limits.TEXT_INPUT_VALUE, limits.TEXT_INPUT_VALUE))
    return ui.TextInput(
        custom_id=item.name[: limits.CUSTOM_ID],
        style=discord.TextStyle.paragraph if item.kind == "textarea" else discord.TextStyle.short,
        placeholder=clip(item.placeholder, limits.TEXT_INPUT_PLACEHOLDER) or None,
        default=item.initial[:max_length] or None,
        required=item.required,
        max_length=max_length,
    )


def render_form(form: Form) -> ui.Modal:
    """A modal whose ``custom_id`` is the form id and each input's ``custom_id`` the field
    name. Every field sits in a Label (Discord shows text inputs and string selects there);
    a form with more than five fields keeps the first five."""
    modal = ui.Modal(title=clip(form.title or "Crossfade", limits.MODAL_TITLE), custom_id=form.id)
    for item in form.fields[: limits.MODAL_COMPONENTS]:
        label = clip(item.label or item.name, limits.LABEL_TEXT)
        # A label too long for the 45-character title keeps its full text as the description.
        description = (
            clip(item.label, limits.LABEL_DESCRIPTION) if len(item.label) > len(label) else None
        )
        modal.add_item(ui.Label(text=label, description=description, component=_input(item)))
    if len(form.fields) > limits.MODAL_COMPONENTS:
        log.warning("form %s has %d fields; a Discord modal shows five", form.id, len(form.fields))
    return modal
