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
from adapters.discord.limits import clip
from adapters.discord.views import MORE, CoreComponent
from bot.ui import (
    Button,
    Buttons,
    Divider,
    Field,
    Fields,
    File,
    Form,
    FormField,
    Image,
    Message,
    Select,
    Text,
    action_id,
)

__all__ = ["COLOUR", "Rendered", "render_form", "render_message", "to_markdown"]

log = logging.getLogger(__name__)

COLOUR = discord.Colour(0x7C5CFF)
_STYLES = {
    "default": discord.ButtonStyle.secondary,
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
}

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
        kwargs: dict[str, Any] = {"embeds": self.embeds, "files": self.files}
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


@dataclass(frozen=True, slots=True)
class _Entry:
    """One choice that a click can make: a core key and its label."""

    label: str
    key: str


def _button_item(button: Button, row: int) -> CoreComponent:
    item: ui.Button[Any] = ui.Button(
        label=clip(button.label or "·", limits.BUTTON_LABEL),
        style=_STYLES.get(button.style, discord.ButtonStyle.secondary),
        custom_id=button.key,
    )
    return CoreComponent(item, row=row)


def _select_item(custom_id: str, placeholder: str, entries: list[tuple[str, str]], row: int) -> Any:
    options = [
        discord.SelectOption(
            label=clip(label or "·", limits.OPTION_LABEL), value=value[: limits.OPTION_VALUE]
        )
        for label, value in entries[: limits.SELECT_OPTIONS]
    ]
    item: ui.Select[Any] = ui.Select(
        custom_id=custom_id[: limits.CUSTOM_ID],
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


def _view(message: Message, notes: list[str]) -> ui.View | None:
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
            view.add_item(_select_item(custom_id, row.placeholder, entries, index))
            used.add(custom_id)
        else:
            for button in row:
                view.add_item(_button_item(button, index))
                used.add(button.key)
    if overflow:
        entries = [(e.label, e.key) for e in overflow]
        view.add_item(_select_item(MORE, "More…", entries, len(rows)))
    return view


def _files(message: Message) -> list[discord.File]:
    files: list[discord.File] = []
    for image in message.images:
        files.append(
            discord.File(io.BytesIO(image.png), filename=image.filename, description=image.alt)
        )
    for item in message.files:
        files.append(discord.File(io.BytesIO(item.data), filename=item.filename))
    return files[:10]


def render_message(message: Message) -> Rendered:
    """Render one core message for Discord (see the module docstring for what degrades)."""
    notes: list[str] = []
    content, embeds = _body(message, notes)
    view = _view(message, notes)
    files = _files(message)
    if not content and not embeds and not files:
        content = clip(to_markdown(message.text), limits.CONTENT) or "…"
    if notes:
        log.info("rendering %r for Discord: %s", message.text[:40], "; ".join(notes))
    return Rendered(content, embeds, view, files, notes)


# --- forms -----------------------------------------------------------------------------


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
