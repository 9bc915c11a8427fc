"""Neutral UI → Discord: content, embeds, persistent components and files; forms → modals.

Discord's limits are kept here, and nothing is ever refused for being too long: text is
clipped at a line or word with an ellipsis, buttons that do not fit the five rows of five
move into a "More…" select, selects keep their first 25 options, and a form keeps its first
five fields (flows are written to stay under that).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import ui

from adapters.discord import limits
from adapters.discord.components import render_view
from adapters.discord.forms import render_form
from adapters.discord.limits import clip
from bot.kernel.ui import (
    Divider,
    Field,
    Fields,
    File,
    Image,
    Message,
    Text,
)

__all__ = ["COLOUR", "NO_MENTIONS", "Rendered", "render_form", "render_message", "to_markdown"]

log = logging.getLogger(__name__)

COLOUR = discord.Colour(0x7C5CFF)
# Text the bot sends is inert: a pulse question or a display name holding ``@everyone``,
# ``<@id>`` or ``<@&role>`` shows as text and pings no one. The bot means no mention today;
# one it does mean must be allowed explicitly, message by message.
NO_MENTIONS = discord.AllowedMentions.none()

# --- text ----------------------------------------------------------------------------------

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])")
_LINK = re.compile(r"<(https?://[^|>\s]+)\|([^>]+)>")


def to_markdown(text: str) -> str:
    """The core's light markdown (Slack-like ``*bold*``, ``_italic_``, ``~strike~``,
    ``<url|label>``) as Discord markdown. Code spans are left as they are."""
    parts = _CODE.split(text)
    for index in range(0, len(parts), 2):  # even parts are outside code
        part = _BOLD.sub(r"**\1**", parts[index])
        part = _STRIKE.sub(r"~~\1~~", part)
        parts[index] = _LINK.sub(r"[\2](\1)", part)
    return "".join(parts)


# --- messages --------------------------------------------------------------------------


@dataclass
class _Section:
    text: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.text and not self.fields

    @property
    def body(self) -> str:
        return "\n\n".join(t for t in self.text if t.strip())


@dataclass
class Rendered:
    """One message as discord.py takes it. ``files`` are fresh objects: render again for a
    second send (a ``discord.File`` can be read once)."""

    content: str | None
    embeds: list[discord.Embed]
    view: ui.View | None
    files: list[discord.File]
    notes: list[str] = field(default_factory=list)

    def send_kwargs(self) -> dict[str, Any]:
        """For a new message (interaction response, follow-up, channel or DM message)."""
        kwargs: dict[str, Any] = {
            "embeds": self.embeds,
            "files": self.files,
            "allowed_mentions": NO_MENTIONS,
        }
        if self.content:
            kwargs["content"] = self.content
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """For replacing a message: every part is set, so nothing of the old one lingers."""
        return {
            "content": self.content,
            "embeds": self.embeds,
            "view": self.view,
            "attachments": self.files,
            "allowed_mentions": NO_MENTIONS,
        }


def _sections(message: Message) -> tuple[list[_Section], list[Image], list[File]]:
    sections = [_Section()]
    images: list[Image] = []
    files: list[File] = []
    for block in message.blocks:
        current = sections[-1]
        if isinstance(block, Text):
            if current.fields:
                current = _Section()
                sections.append(current)
            current.text.append(to_markdown(block.text))
        elif isinstance(block, Fields):
            current.fields.extend(block.fields)
        elif isinstance(block, Divider):
            if not current.empty:
                sections.append(_Section())
        elif isinstance(block, Image):
            images.append(block)
        elif isinstance(block, File):
            files.append(block)
    sections = [s for s in sections if not s.empty]
    if not sections and not images and not files:
        sections = [_Section([to_markdown(message.text or "…")])]
    return sections, images, files


def _embeds(sections: list[_Section], notes: list[str]) -> list[discord.Embed]:
    if len(sections) > limits.EMBEDS:
        # Fold the tail into the last embed as text lines, so nothing silently disappears.
        head, tail = sections[: limits.EMBEDS - 1], sections[limits.EMBEDS - 1 :]
        merged = _Section()
        for section in tail:
            merged.text.append(section.body)
            merged.text.extend(f"**{f.label}:** {f.value}" for f in section.fields)
        sections = [*head, merged]
        notes.append("sections folded into the tenth embed")
    budget = limits.EMBED_TOTAL
    embeds: list[discord.Embed] = []
    for section in sections:
        if budget <= 0:
            notes.append("embed text over 6,000 characters clipped")
            break
        description = clip(section.body, min(limits.EMBED_DESCRIPTION, budget))
        budget -= len(description)
        embed = discord.Embed(description=description or None, colour=COLOUR)
        shown = section.fields[: limits.FIELDS]
        for item in shown:
            name = clip(to_markdown(item.label) or "—", min(limits.FIELD_NAME, 100))
            value = clip(to_markdown(item.value) or "—", limits.FIELD_VALUE)
            if len(name) + len(value) > budget:
                notes.append("embed fields over 6,000 characters dropped")
                break
            budget -= len(name) + len(value)
            embed.add_field(name=name, value=value, inline=True)
        if len(section.fields) > limits.FIELDS:
            notes.append(f"{len(section.fields) - limits.FIELDS} fields over 25 dropped")
        embeds.append(embed)
    return embeds


def _body(message: Message, notes: list[str]) -> tuple[str | None, list[discord.Embed]]:
    sections, _images, _files = _sections(message)
    if not sections:
        return clip(to_markdown(message.text), limits.CONTENT) or None, []
    only = sections[0]
    if len(sections) == 1 and not only.fields and len(only.body) <= limits.CONTENT:
        return only.body or None, []
    embeds = _embeds(sections, notes)
    summary = to_markdown(message.text).strip()
    # The summary is what notifications show; skip it when it repeats the first paragraph.
    first = sections[0].text[0].strip() if sections[0].text else ""
    content = clip(summary, limits.CONTENT) if summary and summary != first else None
    return content, embeds


def _files(message: Message) -> list[discord.File]:
    files: list[discord.File] = []
    for image in message.images:
        files.append(
            discord.File(io.BytesIO(image.png), filename=image.filename, description=image.alt)
        )
    for item in message.files:
        files.append(discord.File(io.BytesIO(item.data), filename=item.filename))
    return files[:10]


def render_message(message: Message, *, team: str = "") -> Rendered:
    """Render one core message for Discord (see the module docstring for what degrades).
    ``team``: the guild a DM is sent for (its components carry it)."""
    notes: list[str] = []
    content, embeds = _body(message, notes)
    view = render_view(message, notes, team=team)
    files = _files(message)
    if not content and not embeds and not files:
        content = clip(to_markdown(message.text), limits.CONTENT) or "…"
    if notes:
        log.info("rendering %r for Discord: %s", message.text[:40], "; ".join(notes))
    return Rendered(content, embeds, view, files, notes)
