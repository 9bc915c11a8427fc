"""The neutral UI model rendered as Slack Block Kit, modals and the Home tab.

Everything here is pure: values in, JSON-able dicts out. Slack refuses a whole message when
one block breaks a limit, so every limit is enforced here and over-long content is cut
gracefully (with a visible "…" or a note) rather than sent and lost.

Buttons and selects: a Slack ``action_id`` must be unique within a message, while the same
neutral key may appear twice, so the key travels in ``value`` (or the option's value) and the
``action_id`` is ``cf.<n>.<action>``; one listener matches ``^cf\\.`` and routes by value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.kernel.ui import (
    Block,
    Button,
    Buttons,
    Divider,
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

__all__ = [
    "ACTION_PATTERN",
    "ACTION_PREFIX",
    "FORM_PATTERN",
    "Attachment",
    "Limits",
    "Rendered",
    "escape",
    "form_callback_id",
    "form_id_from_callback",
    "modal_errors",
    "read_modal_values",
    "render_home",
    "render_message",
    "render_modal",
    "truncate",
]

ACTION_PREFIX = "cf."
ACTION_PATTERN = re.compile(r"^cf\.")
FORM_PATTERN = re.compile(r"^cf\.")


@dataclass(frozen=True)
class Limits:
    """Slack's documented limits (https://docs.slack.dev/reference/block-kit)."""

    message_blocks: int = 50
    view_blocks: int = 100
    section_text: int = 3000
    field_text: int = 2000
    fields_per_section: int = 10
    elements_per_actions: int = 25
    button_text: int = 75
    button_value: int = 2000
    action_id: int = 255
    select_options: int = 100
    option_text: int = 75
    option_value: int = 150
    placeholder: int = 150
    context_text: int = 3000
    fallback_text: int = 3000
    modal_title: int = 24
    modal_button: int = 24
    input_label: int = 2000
    input_max_length: int = 3000
    private_metadata: int = 3000
    callback_id: int = 255
    error_text: int = 300


LIMITS = Limits()
TRUNCATED_NOTE = "_…shortened: the rest did not fit in one Slack message._"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters, so that text
    from people (a poll question) can never become a mention such as ``<!channel>``."""
    return text.translate(_ESCAPES)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) or " ", "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _split_text(text: str, limit: int) -> list[str]:
    """Split at line breaks (then spaces) into chunks of at most ``limit`` characters."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            head, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]


Attachment = Image | File
"""Blocks Slack shows as uploaded files rather than inside the message."""


@dataclass
class Rendered:
    """A message as Slack takes it: fallback ``text``, ``blocks``, and files to upload."""

    text: str
    blocks: list[dict[str, Any]]
    attachments: list[Attachment]
    truncated: bool = False


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next_id(self, action: str) -> str:
        self.n += 1
        return truncate(f"{ACTION_PREFIX}{self.n}.{action}", LIMITS.action_id)


def _button(button: Button, counter: _Counter) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": _plain(button.label, LIMITS.button_text),
        "action_id": counter.next_id(button.action),
        "value": button.key[: LIMITS.button_value],
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def _select(select: Select, counter: _Counter) -> dict[str, Any] | None:
    options = []
    for option in select.options[: LIMITS.select_options]:
        try:
            value = action_id(select.action, option.value)
        except ValueError:
            continue  # a value too long to route is better left out than sent broken
        if len(value) > LIMITS.option_value:
            continue
        options.append({"text": _plain(option.label, LIMITS.option_text), "value": value})
    if not options:
        return None
    return {
        "type": "static_select",
        "action_id": counter.next_id(select.action),
        "placeholder": _plain(select.placeholder or "Choose…", LIMITS.placeholder),
        "options": options,
    }


def _block(
    block: Block, counter: _Counter, attachment_note: Callable[[Attachment], str | None]
) -> list[dict[str, Any]]:
    if isinstance(block, Text):
        return [
            {"type": "section", "text": _mrkdwn(chunk)}
            for chunk in _split_text(escape(block.text), LIMITS.section_text)
        ]
    if isinstance(block, Fields):
        items = [
            _mrkdwn(truncate(f"*{escape(f.label)}*\n{escape(f.value) or '—'}", LIMITS.field_text))
            for f in block.fields
        ]
        step = LIMITS.fields_per_section
        return [
            {"type": "section", "fields": items[i : i + step]} for i in range(0, len(items), step)
        ]
    if isinstance(block, Buttons):
        elements = [_button(b, counter) for b in block.buttons]
        step = LIMITS.elements_per_actions
        return [
            {"type": "actions", "elements": elements[i : i + step]}
            for i in range(0, len(elements), step)
        ]
    if isinstance(block, Select):
        element = _select(block, counter)
        return [{"type": "actions", "elements": [element]}] if element else []
    if isinstance(block, Image | File):
        note = attachment_note(block)
        if not note:
            return []
        return [{"type": "context", "elements": [_mrkdwn(truncate(note, LIMITS.context_text))]}]
    if isinstance(block, Divider):
        return [{"type": "divider"}]
    return []


def _fit(blocks: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], bool]:
    """At most ``limit`` blocks. Buttons and selects are what a person acts on, so when
    something must go it is the other blocks from the end, and a note says so."""
    if len(blocks) <= limit:
        return blocks, False
    budget = limit - 1  # room for the note
    interactive = [i for i, b in enumerate(blocks) if b["type"] == "actions"][:budget]
    keep = set(interactive)
    for index, _block_value in enumerate(blocks):
        if len(keep) >= budget:
            break
        keep.add(index)
    kept = [b for i, b in enumerate(blocks) if i in keep]
    note = {"type": "context", "elements": [_mrkdwn(TRUNCATED_NOTE)]}
    # the note goes after the last kept non-interactive block, before trailing buttons
    position = len(kept)
    while position > 0 and kept[position - 1]["type"] == "actions":
        position -= 1
    kept.insert(position, note)
    return kept, True


def _no_note(_attachment: Attachment) -> str | None:
    return None


def render_message(
    message: Message,
    *,
    limit: int = LIMITS.message_blocks,
    attachment_note: Callable[[Attachment], str | None] = _no_note,
) -> Rendered:
    """Block Kit for ``message``. Images and files are returned apart, to be uploaded;
    ``attachment_note`` may put a context line where one would have been."""
    counter = _Counter()
    blocks: list[dict[str, Any]] = []
    for block in message.blocks:
        blocks.extend(_block(block, counter, attachment_note))
    if not blocks and message.text.strip():
        blocks = [
            {"type": "section", "text": _mrkdwn(chunk)}
            for chunk in _split_text(escape(message.text), LIMITS.section_text)
        ]
    blocks, cut = _fit(blocks, limit)
    text = truncate(escape(message.text), LIMITS.fallback_text) or " "
    attachments = [b for b in message.blocks if isinstance(b, Image | File)]
    return Rendered(text=text, blocks=blocks, attachments=attachments, truncated=cut)


def render_home(
    message: Message, *, attachment_note: Callable[[Attachment], str | None]
) -> dict[str, Any]:
    """The App Home tab view for ``message`` (``views.publish``)."""
    rendered = render_message(message, limit=LIMITS.view_blocks, attachment_note=attachment_note)
    return {"type": "home", "blocks": rendered.blocks}


# --- modals -------------------------------------------------------------------------------


def form_callback_id(form_id: str) -> str:
    return truncate(f"{ACTION_PREFIX}{form_id}", LIMITS.callback_id)


def form_id_from_callback(callback_id: str) -> str:
    return callback_id.removeprefix(ACTION_PREFIX)


def _input(field: FormField) -> dict[str, Any]:
    element: dict[str, Any]
    if field.kind == "select":
        options = [
            {"text": _plain(o.label, LIMITS.option_text), "value": o.value}
            for o in field.options[: LIMITS.select_options]
            if len(o.value) <= LIMITS.option_value
        ]
        element = {
            "type": "static_select",
            "action_id": "value",
            "placeholder": _plain(field.placeholder or "Choose…", LIMITS.placeholder),
            "options": options or [{"text": _plain("—", 5), "value": "-"}],
        }
        initial = next((o for o in options if o["value"] == field.initial), None)
        if initial is not None:
            element["initial_option"] = initial
    else:
        max_length = max(1, min(field.max_length, LIMITS.input_max_length))
        element = {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": field.kind == "textarea",
            "max_length": max_length,
        }
        if field.placeholder:
            element["placeholder"] = _plain(field.placeholder, LIMITS.placeholder)
        if field.initial:
            element["initial_value"] = field.initial[:max_length]
    return {
        "type": "input",
        "block_id": field.name[:255],
        "optional": not field.required,
        "label": _plain(field.label, LIMITS.input_label),
        "element": element,
    }


def render_modal(form: Form, *, private_metadata: dict[str, str]) -> dict[str, Any]:
    """The modal view for ``form`` (``views.open``). ``private_metadata`` travels with the
    view and comes back on submission (where the form was opened, how to answer)."""
    metadata = json.dumps(private_metadata, separators=(",", ":"))
    if len(metadata) > LIMITS.private_metadata:
        # The response URL is the only long value; without it the answer goes by DM.
        metadata = json.dumps(
            {k: v for k, v in private_metadata.items() if k != "response_url"},
            separators=(",", ":"),
        )
    return {
        "type": "modal",
        "callback_id": form_callback_id(form.id),
        "title": _plain(form.title, LIMITS.modal_title),
        "submit": _plain(form.submit_label or "Submit", LIMITS.modal_button),
        "close": _plain("Cancel", LIMITS.modal_button),
        "private_metadata": metadata,
        "blocks": [_input(f) for f in form.fields[: LIMITS.view_blocks]],
    }


def read_modal_values(view: dict[str, Any]) -> dict[str, str]:
    """The submitted values of a modal, by field name (empty string when left empty)."""
    values: dict[str, str] = {}
    state = view.get("state")
    state_values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(state_values, dict):
        return values
    for block_id, elements in state_values.items():
        for element in elements.values() if isinstance(elements, dict) else ():
            if not isinstance(element, dict):
                continue
            if element.get("type") == "static_select":
                selected = element.get("selected_option")
                chosen = selected.get("value") if isinstance(selected, dict) else None
                values[str(block_id)] = str(chosen or "")
            else:
                values[str(block_id)] = str(element.get("value") or "")
    return values


def modal_errors(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """``response_action: errors`` content: messages under the fields they concern. An error
    for a name the modal has no field for goes under the first field, so it is seen."""
    block_ids = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
    shown: dict[str, str] = {}
    for name, message in errors.items():
        target = name if name in block_ids else (block_ids[0] if block_ids else name)
        text = truncate(message, LIMITS.error_text)
        shown[target] = f"{shown[target]} {text}" if target in shown else text
    return shown
