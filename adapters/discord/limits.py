"""Discord's documented limits, in one place, and the one helper that respects them."""

from __future__ import annotations

__all__ = [
    "BUTTONS_PER_ROW",
    "BUTTON_LABEL",
    "CHOICES",
    "CHOICE_NAME",
    "CHOICE_VALUE",
    "COMMAND_COMBINED",
    "COMMAND_DESCRIPTION",
    "COMMAND_NAME",
    "CONTENT",
    "CUSTOM_ID",
    "EMBEDS",
    "EMBED_DESCRIPTION",
    "EMBED_TOTAL",
    "FIELDS",
    "FIELD_NAME",
    "FIELD_VALUE",
    "LABEL_DESCRIPTION",
    "LABEL_TEXT",
    "MODAL_COMPONENTS",
    "MODAL_TITLE",
    "OPTIONS_PER_COMMAND",
    "OPTION_DESCRIPTION",
    "OPTION_LABEL",
    "OPTION_VALUE",
    "PLACEHOLDER",
    "ROWS",
    "SELECT_OPTIONS",
    "TEXT_INPUT_PLACEHOLDER",
    "TEXT_INPUT_VALUE",
    "clip",
]

# Messages
CONTENT = 2000
EMBEDS = 10
EMBED_DESCRIPTION = 4096
EMBED_TOTAL = 6000
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024

# Components
ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
OPTION_LABEL = 100
OPTION_VALUE = 100
OPTION_DESCRIPTION = 100
PLACEHOLDER = 150

# Modals
MODAL_TITLE = 45
MODAL_COMPONENTS = 5
LABEL_TEXT = 45
LABEL_DESCRIPTION = 100
TEXT_INPUT_PLACEHOLDER = 100
TEXT_INPUT_VALUE = 4000

# Application commands
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
COMMAND_COMBINED = 4000  # every name, description and choice of one command, together
OPTIONS_PER_COMMAND = 25
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters; otherwise cut at the last line break or
    space in the final fifth (so a word or line is not split when avoidable) and end with
    an ellipsis. The result is never longer than ``limit``."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    cut = text[: limit - 1]
    floor = int(limit * 0.8)
    for separator in ("\n", " "):
        index = cut.rfind(separator)
        if index >= floor:
            cut = cut[:index]
            break
    return cut.rstrip() + ELLIPSIS


SNOWFLAKE_MAX = (1 << 64) - 1


def bounded_snowflake(text: str) -> int | None:
    """A Discord id from untrusted text: 1–20 ASCII digits within 64 bits, else ``None``
    (an oversized or non-numeric id never reaches a request or the database)."""
    if not (0 < len(text) <= 20 and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= SNOWFLAKE_MAX else None
