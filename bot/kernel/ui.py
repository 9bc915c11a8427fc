"""The platform-neutral UI model.

Flows build :class:`Message` and :class:`Form` values; each adapter renders them (Slack Block
Kit, Discord components, console text) and degrades gracefully where its platform lacks a
feature. Everything here is a frozen value and can be serialised to JSON (for the outbox) and
back without loss.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Block",
    "Button",
    "Buttons",
    "Divider",
    "Field",
    "Fields",
    "File",
    "Form",
    "FormField",
    "Image",
    "Message",
    "Option",
    "Select",
    "Text",
    "action_id",
    "message_from_json",
    "message_to_json",
    "split_action_id",
]

# Discord custom_id is at most 100 characters; Slack action_id 255 and value 2000. Keeping the
# whole routing key under 100 characters lets every platform carry it verbatim.
MAX_ACTION_ID = 100

ButtonStyle = Literal["default", "primary", "danger"]


def action_id(action: str, value: str = "") -> str:
    """Join an action name (``quiz:answer``) and a value into one key (``quiz:answer|v``)."""
    key = f"{action}|{value}" if value else action
    if len(key) > MAX_ACTION_ID:
        raise ValueError(f"action id over {MAX_ACTION_ID} characters: {key[:40]}…")
    return key


def split_action_id(key: str) -> tuple[str, str]:
    """Inverse of :func:`action_id`."""
    action, _, value = key.partition("|")
    return action, value


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph of text (light markdown: *bold*, _italic_, `code`, bullet lines)."""

    text: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    value: str = ""
    style: ButtonStyle = "default"

    @property
    def key(self) -> str:
        return action_id(self.action, self.value)


@dataclass(frozen=True, slots=True)
class Buttons:
    """A row of buttons (adapters wrap long rows)."""

    buttons: tuple[Button, ...]
    kind: Literal["buttons"] = "buttons"


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Select:
    """A single-choice dropdown; choosing an option fires ``action`` with the option's value."""

    placeholder: str
    action: str
    options: tuple[Option, ...]
    kind: Literal["select"] = "select"


@dataclass(frozen=True, slots=True)
class Image:
    png: bytes
    alt: str
    filename: str = "chart.png"
    kind: Literal["image"] = "image"


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Fields:
    """Short label/value pairs shown side by side where the platform can."""

    fields: tuple[Field, ...]
    kind: Literal["fields"] = "fields"


@dataclass(frozen=True, slots=True)
class Divider:
    kind: Literal["divider"] = "divider"


@dataclass(frozen=True, slots=True)
class File:
    """A file for the person to download (e.g. their data export as JSON). Adapters upload
    it where the platform can (Slack files, Discord attachments) and otherwise say so."""

    data: bytes
    filename: str
    mime: str = "application/octet-stream"
    kind: Literal["file"] = "file"


Block = Text | Buttons | Select | Image | Fields | Divider | File


@dataclass(frozen=True, slots=True)
class Message:
    """What a person sees: a plain-text summary (notifications, fallbacks) and blocks."""

    text: str
    blocks: tuple[Block, ...] = ()

    @property
    def buttons(self) -> tuple[Button, ...]:
        return tuple(
            b for block in self.blocks if isinstance(block, Buttons) for b in block.buttons
        )

    @property
    def selects(self) -> tuple[Select, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Select))

    @property
    def images(self) -> tuple[Image, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Image))

    @property
    def files(self) -> tuple[File, ...]:
        return tuple(block for block in self.blocks if isinstance(block, File))

    @property
    def is_interactive(self) -> bool:
        return bool(self.buttons or self.selects)


@dataclass(frozen=True, slots=True)
class FormField:
    """A form input. ``kind`` is ``text`` (one line), ``textarea`` or ``select``."""

    name: str
    label: str
    kind: Literal["text", "textarea", "select"] = "text"
    required: bool = True
    max_length: int = 200
    placeholder: str = ""
    initial: str = ""
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    """A modal form. Submitting it produces a ``FormSubmit`` event with ``id`` and the values.

    ``id`` follows the action-id scheme (``pulse:create`` or ``checkin:note|2026-03-27``) so
    that any instance can route the submission without memory.
    """

    id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"


# --- JSON round trip (the outbox stores messages) ---------------------------------------


def _block_to_json(block: Block) -> dict[str, Any]:
    if isinstance(block, Text):
        return {"kind": "text", "text": block.text}
    if isinstance(block, Buttons):
        return {
            "kind": "buttons",
            "buttons": [
                {"label": b.label, "action": b.action, "value": b.value, "style": b.style}
                for b in block.buttons
            ],
        }
    if isinstance(block, Select):
        return {
            "kind": "select",
            "placeholder": block.placeholder,
            "action": block.action,
            "options": [{"label": o.label, "value": o.value} for o in block.options],
        }
    if isinstance(block, Image):
        return {
            "kind": "image",
            "png": base64.b64encode(block.png).decode("ascii"),
            "alt": block.alt,
            "filename": block.filename,
        }
    if isinstance(block, Fields):
        return {"kind": "fields", "fields": [[f.label, f.value] for f in block.fields]}
    if isinstance(block, File):
        return {
            "kind": "file",
            "data": base64.b64encode(block.data).decode("ascii"),
            "filename": block.filename,
            "mime": block.mime,
        }
    return {"kind": "divider"}


def _block_from_json(data: dict[str, Any]) -> Block:
    kind = data["kind"]
    if kind == "text":
        return Text(data["text"])
    if kind == "buttons":
        return Buttons(
            tuple(
                Button(b["label"], b["action"], b.get("value", ""), b.get("style", "default"))
                for b in data["buttons"]
            )
        )
    if kind == "select":
        return Select(
            data["placeholder"],
            data["action"],
            tuple(Option(o["label"], o["value"]) for o in data["options"]),
        )
    if kind == "image":
        return Image(base64.b64decode(data["png"]), data["alt"], data.get("filename", "chart.png"))
    if kind == "fields":
        return Fields(tuple(Field(label, value) for label, value in data["fields"]))
    if kind == "divider":
        return Divider()
    if kind == "file":
        return File(
            base64.b64decode(data["data"]),
            data["filename"],
            data.get("mime", "application/octet-stream"),
        )
    raise ValueError(f"unknown block kind {kind!r}")


def message_to_json(message: Message) -> dict[str, Any]:
    return {"text": message.text, "blocks": [_block_to_json(b) for b in message.blocks]}


def message_from_json(data: dict[str, Any]) -> Message:
    return Message(data["text"], tuple(_block_from_json(b) for b in data.get("blocks", [])))
