"""Parsing ``/crossfade <sub> [args…]``: tolerant of smart quotes, unbalanced quotes and
over-long input, and never raising anything but :class:`InputError`."""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass

from bot.domain.parsing import InputError

__all__ = ["MAX_COMMAND_LENGTH", "ParsedCommand", "did_you_mean", "parse_command"]

MAX_COMMAND_LENGTH = 2000
_QUOTED = ("pulse", "poll")
_SMART_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "«": '"', "»": '"'}
)


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...]
    rest: str  # the text after the subcommand, as typed (quotes normalised)

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def parse_command(text: str) -> ParsedCommand:
    """Split a command line. An empty line is ``help``; the name is lower-cased."""
    if len(text) > MAX_COMMAND_LENGTH:
        raise InputError(
            f"That command is {len(text):,} characters long; the limit is "
            f"{MAX_COMMAND_LENGTH:,}. Try a shorter one — `/crossfade help` lists them all."
        )
    cleaned = text.translate(_SMART_QUOTES).replace("\x00", "").strip()
    if cleaned.lower().startswith("/crossfade"):
        cleaned = cleaned[len("/crossfade") :].strip()
    if not cleaned:
        return ParsedCommand("help", (), "")
    name, _, rest = cleaned.partition(" ")
    rest = rest.strip()
    lexer = shlex.shlex(rest, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        args = tuple(lexer)
    except ValueError:
        if name.lower() not in _QUOTED:
            # Only pulse questions are quoted; elsewhere a stray quote is just a character,
            # and the command's own check answers in its own words.
            return ParsedCommand(name.lower(), tuple(rest.split()), rest)
        raise InputError(
            'A quote is not closed. Put the question in matching quotes, e.g. `pulse ask "How '
            'was your week?" scale`.'
        ) from None
    return ParsedCommand(name.lower(), args, rest)


def did_you_mean(word: str, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    prefixed = [c for c in choices if c.startswith(word.lower()[:3])] if len(word) >= 3 else []
    return prefixed[0] if len(prefixed) == 1 else None
