"""Neutral UI → terminal text: buttons as `[1] Label`, images as `[image: alt, N bytes]`."""

from __future__ import annotations

import re

from bot.kernel.ui import Buttons, Divider, Fields, Form, Image, Message, Select, Text

__all__ = ["render_form", "render_message", "visible"]

INDENT = "  "

# Characters a terminal would act on or reorder rather than show: C0/C1 controls (escape
# sequences could recolour or rewrite the screen), bidi embeddings, overrides and isolates
# (text that reads differently from what it is), zero-width and line-separator characters.
# The zero-width joiner stays: emoji sequences use it.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200c\u200e\u200f"
    "\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def visible(text: str) -> str:
    """``text`` with every control or bidi character shown as its code (``\\u202e``)."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_BOLD = re.compile(r"(?<![\w*])\*(\S(?:[^*\n]*\S)?)\*(?![\w*])")


def _indent(text: str) -> str:
    # A terminal shows no bold: drop the *markers* but keep `code` and _italics_ readable.
    text = _BOLD.sub(r"\1", text)
    return "\n".join(INDENT + line if line else "" for line in text.splitlines())


def render_message(message: Message) -> str:
    """The lines a person reads, buttons numbered from 1 across the whole message."""
    if not message.blocks:
        return _indent(message.text)
    lines: list[str] = []
    number = 0
    for block in message.blocks:
        if isinstance(block, Text):
            lines.append(_indent(block.text))
        elif isinstance(block, Fields):
            lines.extend(f"{INDENT}{f.label}: {f.value}" for f in block.fields)
        elif isinstance(block, Buttons):
            labels = []
            for button in block.buttons:
                number += 1
                labels.append(f"[{number}] {button.label}")
            lines.append(INDENT + "  ".join(labels))
        elif isinstance(block, Select):
            options = "  ".join(f"({i}) {o.label}" for i, o in enumerate(block.options, 1))
            lines.append(f"{INDENT}<{block.placeholder}> {options}")
        elif isinstance(block, Image):
            lines.append(f"{INDENT}[image: {block.alt}, {len(block.png):,} bytes]")
        elif isinstance(block, Divider):
            lines.append(INDENT + "─" * 20)
        else:  # blocks added later degrade to their text if they have one
            text = getattr(block, "text", None) or getattr(block, "filename", None)
            size = len(getattr(block, "data", b"") or b"")
            if text and size:
                lines.append(f"{INDENT}[file: {text}, {size:,} bytes]")
            elif text:
                lines.append(_indent(str(text)))
    return "\n".join(lines)


def render_form(form: Form) -> str:
    lines = [f"{INDENT}┌ {form.title}"]
    for field in form.fields:
        flags = "" if field.required else " (optional)"
        extra = ""
        if field.kind == "select":
            extra = " — one of: " + ", ".join(o.value for o in field.options)
        elif field.max_length:
            extra = f" — up to {field.max_length} characters"
        lines.append(f"{INDENT}│ {field.name}: {field.label}{flags}{extra}")
    lines.append(f"{INDENT}└ fill with `:fill name=value …`, then `:submit`")
    return "\n".join(lines)
