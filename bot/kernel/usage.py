"""One way of typing a command (:class:`Usage`), and how far the words typed get along it.

The grammar's engine below :mod:`bot.kernel.syntax`: a :class:`Walk` reads the words of a
line against one usage's parts — a word must be one of its synonyms, an argument takes one
word or (greedy) every word up to the next word of the usage, an optional tail is read when
its first word comes — and says where and why it stopped. :func:`complete` reads a half-typed
line the same way, for autocompletion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.kernel.arguments import Arg, Opt, Part, Piece, Word
from bot.kernel.grammar import ParsedCommand
from bot.kernel.settings import Settings

__all__ = ["Usage", "Walk", "complete", "piece", "sample", "walk"]


class Usage:
    """One way of typing a command: its parts, and what ``help`` says about it.

    ``shown`` replaces the parts in the usage line with a placeholder (``YYYY-MM-DD`` for
    one day); ``example`` with a value that works as typed (``mon-fri``), which platforms
    also offer as a suggestion. ``hidden`` usages are understood but not listed (``checkin
    now``). ``admin`` makes a usage admins' only: it is the answer to anyone else, given
    before any argument is read. Words after a usage are refused unless ``more`` (or the
    command takes no words at all); ``hint`` follows the errors of its arguments."""

    __slots__ = ("admin", "example", "help", "hidden", "hint", "more", "parts", "shown")

    def __init__(
        self,
        *parts: Part,
        help: str = "",
        shown: str = "",
        example: str = "",
        hidden: bool = False,
        admin: str = "",
        more: bool = False,
        hint: str = "",
    ) -> None:
        self.parts = parts
        self.help = help
        self.shown = shown
        self.example = example
        self.hidden = hidden
        self.admin = admin
        self.more = more
        self.hint = hint

    def text(self) -> str:
        """The usage line after the command's name (``headsup N|off``)."""
        return self.example or self.shown or " ".join(_shown(p) for p in self.parts)

    def sample(self) -> str:
        """The usage with an example in each argument's place (``logoff 17:30``)."""
        return self.example or " ".join(sample(p) for p in self.parts if not isinstance(p, Opt))

    def __repr__(self) -> str:
        return f"Usage({self.text()!r})"


def _shown(part: Part) -> str:
    if isinstance(part, Word):
        return part.name
    if isinstance(part, Opt):
        return "[" + " ".join([part.head.name, *(_shown(p) for p in part.parts)]) + "]"
    return part.shown


def sample(part: Word | Arg[Any]) -> str:
    return part.name if isinstance(part, Word) else part.example


@dataclass
class Walk:
    """How far one usage got with the words typed (``fail`` says why it stopped)."""

    usage: Usage
    order: int
    words: list[str] = field(default_factory=list)
    taken: list[tuple[Arg[Any], int, int]] = field(default_factory=list)
    at: int = 0
    said: int = 0
    fail: str = ""  # "", "word", "missing", "shape" or "extra"
    part: Part | None = None
    span: tuple[int, int] = (0, 0)


def _stops(parts: Iterable[Part]) -> set[str]:
    """The words that end a greedy argument: those that may come right after it."""
    found: set[str] = set()
    for part in parts:
        if isinstance(part, Opt):
            found |= set(part.head.words)
            continue
        if isinstance(part, Word):
            found |= set(part.words)
        break
    return found


def _end(arg: Arg[Any], after: tuple[Part, ...], tokens: tuple[str, ...], at: int) -> int:
    if not arg.greedy or (after and isinstance(after[0], Arg)):
        return at + 1
    stops = _stops(after)
    for index in range(at, len(tokens)):
        if tokens[index].lower() in stops:
            return index
    return len(tokens)


def piece(line: ParsedCommand, start: int, end: int) -> Piece:
    words = line.args[start:end]
    text = " ".join(words)
    return Piece(text, words, _after(line.rest, start) if end == len(line.args) else text)


def _walk_parts(state: Walk, parts: tuple[Part, ...], line: ParsedCommand) -> None:
    tokens = line.args
    for n, part in enumerate(parts):
        here = tokens[state.at] if state.at < len(tokens) else None
        if isinstance(part, Opt):
            if here is not None and part.head.matches(here):
                state.words.append(part.head.name)
                state.at, state.said = state.at + 1, state.said + 1
                _walk_parts(state, part.parts, line)
                if state.fail:
                    return
            continue
        if isinstance(part, Word):
            if here is None or not part.matches(here):
                state.fail, state.part = "word", part
                return
            state.words.append(part.name)
            state.at, state.said = state.at + 1, state.said + 1
            continue
        end = _end(part, parts[n + 1 :], tokens, state.at)
        if here is None or end <= state.at:
            state.fail, state.part = "missing", part
            return
        if part.looks is not None and not part.looks(piece(line, state.at, end)):
            state.fail, state.part, state.span = "shape", part, (state.at, end)
            return
        state.taken.append((part, state.at, end))
        state.at = end


def _after(rest: str, count: int) -> str:
    """``rest`` without its first ``count`` words, as typed."""
    pieces = rest.split(None, count)
    return pieces[count] if len(pieces) > count else ""


def walk(usage: Usage, order: int, line: ParsedCommand, *, takes_words: bool) -> Walk:
    """Read ``line`` along ``usage``. Words left after it fail it ("extra"), unless the
    usage lets them be (``more``) or the command takes no words at all."""
    found = Walk(usage, order)
    _walk_parts(found, usage.parts, line)
    if not found.fail and found.at < len(line.args) and takes_words and not usage.more:
        found.fail = "extra" if usage.parts else "word"
    return found


def complete(
    parts: tuple[Part, ...], tokens: list[str], open_end: bool, settings: Settings
) -> list[str]:
    """Whole strings for a half-typed line along one usage's parts (see
    :meth:`bot.kernel.syntax.Syntax.complete`); ``open_end``: the last word is finished."""
    done = tokens if open_end else tokens[:-1]
    partial = "" if open_end else tokens[-1]
    flat = [p for p in parts if not isinstance(p, Opt)]
    said: list[str] = []
    for n, part in enumerate(flat):
        typed_whole = len(said) < len(done)
        if isinstance(part, Word):
            if typed_whole and part.matches(done[len(said)]):
                said.append(done[len(said)])
                continue
            if not typed_whole and partial and part.name.startswith(partial.lower()):
                return _fill([*said, part.name], flat[n + 1 :], settings)
            return []
        if part.complete is not None and (part.greedy or not typed_whole):
            here = " ".join([*done[len(said) :], partial]).strip()
            head = " ".join(said)
            return [f"{head} {c}".strip() for c in part.complete(here, settings)]
        if not typed_whole:
            return []
        said.append(done[len(said)])
    return []


def _fill(said: list[str], rest: list[Word | Arg[Any]], settings: Settings) -> list[str]:
    """A usage written out with examples, ending in its argument's completions."""
    words = list(said)
    for n, part in enumerate(rest):
        if isinstance(part, Arg) and part.complete is not None and n == len(rest) - 1:
            return [" ".join([*words, c]) for c in part.complete("", settings)]
        words.append(sample(part))
    return []
