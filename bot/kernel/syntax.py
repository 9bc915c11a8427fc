"""A command's grammar, declared once: its usages, each made of words and typed arguments.

From one declaration come the parser (the handler receives a :class:`Call` with typed
values), the answers to bad input, the usage lines of ``help <command>``, the platforms'
option shapes and autocompletion (see :mod:`bot.kernel.arguments` for the parts)::

    QUIET = clock_range()

    @flow.command("quiet", summary="…", syntax=(
        Usage(QUIET, help="no DMs between these two times"),
        Usage(OFF, help="allow DMs at any hour"),
        Usage(help="show your quiet hours"),
    ))
    async def quiet(ctx: Context, cmd: Call) -> list[Effect]:
        if cmd.bare: …
        if cmd.said(OFF): …
        start, end = cmd.value(QUIET)

The words come from :func:`bot.kernel.grammar.parse_command` (quotes, length, the name).
Of the usages that fit, the one that names the most words wins (``hours 8 until 18:00``
over ``hours N``), then the first declared. When none fits, the answer speaks of the usage
that got furthest: an argument's own error (``“25:00” isn't a time…``), what is missing
(``pulse close`` needs a pulse number), what is left over, or which words may come next.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.domain.parsing import InputError
from bot.kernel.arguments import Arg, Opt, Part, Piece, Word
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.grammar import ParsedCommand, did_you_mean
from bot.kernel.settings import Settings

__all__ = ["Call", "Syntax", "Usage"]

T = TypeVar("T")


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
        return self.example or " ".join(_sample(p) for p in self.parts if not isinstance(p, Opt))

    def __repr__(self) -> str:
        return f"Usage({self.text()!r})"


def _shown(part: Part) -> str:
    if isinstance(part, Word):
        return part.name
    if isinstance(part, Opt):
        return "[" + " ".join([part.head.name, *(_shown(p) for p in part.parts)]) + "]"
    return part.shown


def _sample(part: Word | Arg[Any]) -> str:
    return part.name if isinstance(part, Word) else part.example


@dataclass(frozen=True)
class Call:
    """What a handler receives: the usage that fitted, the words said (by their names, so
    ``quiz results`` says ``result``) and each argument's value."""

    name: str
    usage: Usage
    words: tuple[str, ...]
    values: Mapping[Arg[Any], Any]
    line: ParsedCommand = field(repr=False)

    @classmethod
    def alone(cls, name: str) -> Call:
        """The command typed with nothing after it (for a button that does the same)."""
        return cls(name, Usage(), (), {}, ParsedCommand(name, (), ""))

    @property
    def sub(self) -> str:
        """The first word said (the subcommand), or ``""``."""
        return self.words[0] if self.words else ""

    @property
    def bare(self) -> bool:
        """Nothing after the command's name."""
        return not self.words and not self.values

    def said(self, word: Word | str) -> bool:
        return (word.name if isinstance(word, Word) else word) in self.words

    def get(self, arg: Arg[T]) -> T | None:
        value: T | None = self.values.get(arg)
        return value

    def value(self, arg: Arg[T]) -> T:
        """The value of an argument the matched usage has (a bug to ask for another)."""
        value: T = self.values[arg]
        return value


@dataclass
class _Walk:
    """How far one usage got with the words typed."""

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


def _piece(line: ParsedCommand, start: int, end: int) -> Piece:
    words = line.args[start:end]
    text = " ".join(words)
    return Piece(text, words, _after(line.rest, start) if end == len(line.args) else text)


def _walk_parts(walk: _Walk, parts: tuple[Part, ...], line: ParsedCommand) -> None:
    tokens = line.args
    for n, part in enumerate(parts):
        here = tokens[walk.at] if walk.at < len(tokens) else None
        if isinstance(part, Opt):
            if here is not None and part.head.matches(here):
                walk.words.append(part.head.name)
                walk.at, walk.said = walk.at + 1, walk.said + 1
                _walk_parts(walk, part.parts, line)
                if walk.fail:
                    return
            continue
        if isinstance(part, Word):
            if here is None or not part.matches(here):
                walk.fail, walk.part = "word", part
                return
            walk.words.append(part.name)
            walk.at, walk.said = walk.at + 1, walk.said + 1
            continue
        end = _end(part, parts[n + 1 :], tokens, walk.at)
        if here is None or end <= walk.at:
            walk.fail, walk.part = "missing", part
            return
        if part.looks is not None and not part.looks(_piece(line, walk.at, end)):
            walk.fail, walk.part, walk.span = "shape", part, (walk.at, end)
            return
        walk.taken.append((part, walk.at, end))
        walk.at = end


def _after(rest: str, count: int) -> str:
    """``rest`` without its first ``count`` words, as typed."""
    pieces = rest.split(None, count)
    return pieces[count] if len(pieces) > count else ""


@dataclass(frozen=True)
class Syntax:
    """Every usage of one command, in the order ``help`` lists them."""

    usages: tuple[Usage, ...]

    @property
    def takes_words(self) -> bool:
        return any(u.parts for u in self.usages)

    @property
    def visible(self) -> tuple[Usage, ...]:
        return tuple(u for u in self.usages if not u.hidden)

    def lines(self, name: str) -> tuple[tuple[str, str], ...]:
        """(usage line, what it does) for ``help <command>``."""
        return tuple((f"{name} {u.text()}".strip(), u.help) for u in self.visible)

    # --- parsing ---------------------------------------------------------------------------

    def parse(self, name: str, line: ParsedCommand, ctx: Context) -> Call:
        """Read ``line`` by the usages, or raise :class:`UserError` saying what didn't fit."""
        walks = [self._walk(u, n, line) for n, u in enumerate(self.usages)]
        fitting = [w for w in walks if not w.fail]
        if not fitting:
            raise self._refusal(name, line, walks, ctx)
        best = max(fitting, key=lambda w: (w.said, -w.order))
        if best.usage.admin and not ctx.is_admin:
            raise UserError(best.usage.admin)
        values: dict[Arg[Any], Any] = {}
        for arg, start, end in best.taken:
            values[arg] = self._read(best.usage, arg, line, (start, end), ctx)
        return Call(name, best.usage, tuple(best.words), values, line)

    def _walk(self, usage: Usage, order: int, line: ParsedCommand) -> _Walk:
        walk = _Walk(usage, order)
        _walk_parts(walk, usage.parts, line)
        if not walk.fail and walk.at < len(line.args) and self.takes_words and not usage.more:
            walk.fail = "extra" if usage.parts else "word"
        return walk

    @staticmethod
    def _read(
        usage: Usage, arg: Arg[Any], line: ParsedCommand, span: tuple[int, int], ctx: Context
    ) -> Any:
        try:
            return arg.value(_piece(line, *span), ctx)
        except InputError as error:
            raise UserError(f"{error} {usage.hint}".strip()) from None

    def _refusal(
        self, name: str, line: ParsedCommand, walks: list[_Walk], ctx: Context
    ) -> UserError:
        tokens = line.args
        shown = [w for w in walks if not w.usage.hidden] or walks
        deepest = max(w.at for w in shown)
        here = [w for w in shown if w.at == deepest]
        on_word = [w for w in here if w.fail == "word"]
        specific = [w for w in here if w.fail != "word"]
        chosen = specific[0] if specific else here[0]
        admins = [chosen] if specific else on_word
        if admins and all(w.usage.admin for w in admins) and not ctx.is_admin:
            return UserError(admins[0].usage.admin)
        prefix = " ".join([name, *(t.lower() for t in tokens[:deepest])])
        if chosen.fail == "extra":
            extra = " ".join(tokens[deepest:])
            return UserError(
                f"`{prefix}` is complete on its own: I don't know what to do with "
                f"“{_clip(extra)}”, so nothing was done."
            )
        if chosen.fail == "missing" and isinstance(chosen.part, Arg):
            hint = f" {chosen.usage.hint}" if chosen.usage.hint else ""
            return UserError(
                f"`{prefix}` needs {chosen.part.noun}, e.g. `{prefix} {chosen.part.example}`.{hint}"
            )
        if chosen.fail == "shape" and isinstance(chosen.part, Arg):
            try:
                self._read(chosen.usage, chosen.part, line, chosen.span, ctx)
            except UserError as error:
                return error
            return UserError(
                f"That isn't {chosen.part.noun}: e.g. `{prefix} {chosen.part.example}`."
            )
        hidden = [w for w in walks if w.at == deepest and w.fail == "word"]
        return _unknown_word(name, prefix, tokens[deepest:], on_word, hidden)

    # --- what platforms show -----------------------------------------------------------------

    def tails(self) -> tuple[str, ...]:
        """Each listed usage after the command's name (``""`` for the name alone)."""
        return tuple(u.text() for u in self.visible)

    def suggestions(self) -> tuple[str, ...]:
        """The listed usages that can be sent as they read (``off``, ``at HH:MM`` reads as a
        hint too), without those that are one placeholder (``HH:MM``)."""
        return tuple(
            u.text()
            for u in self.visible
            if u.parts and (u.example or not (len(u.parts) == 1 and isinstance(u.parts[0], Arg)))
        )

    def lone_argument(self) -> Arg[Any] | None:
        """The argument when every listed usage is one part and one of them is that argument
        by its placeholder (``quiet HH:MM-HH:MM · off``): platforms name their field after
        it. ``None`` when usages take several parts or show examples (``mon-fri``)."""
        given = [u for u in self.visible if u.parts]
        if not given or any(len(u.parts) != 1 or " " in u.text() for u in given):
            return None
        for usage in given:
            part = usage.parts[0]
            if isinstance(part, Arg) and not usage.example:
                return part
        return None

    def complete(self, typed: str, settings: Settings) -> list[str]:
        """Whole argument strings for what has been typed after the command's name: an
        argument's own completions (zones, templates) in place, and for a half-typed word the
        usage it starts, filled with examples (``sched`` → ``schedule weekly fri 15:00 …``)."""
        tokens = typed.split()
        open_end = not typed or typed[-1].isspace()
        found: list[str] = []
        for usage in self.visible:
            for candidate in _complete(usage.parts, tokens, open_end, settings):
                if candidate not in found:
                    found.append(candidate)
        return found


def _unknown_word(
    name: str,
    prefix: str,
    rest: tuple[str, ...],
    listed: list[_Walk],
    understood: list[_Walk],
) -> UserError:
    """A word that no usage has at this place: which words may come, and the closest."""
    names: list[str] = []
    for walk in listed:
        if isinstance(walk.part, Word) and walk.part.name not in names:
            names.append(walk.part.name)
    synonyms: dict[str, str] = {}
    for walk in understood:  # hidden usages' words count for "did you mean"
        if isinstance(walk.part, Word):
            synonyms.update({w: walk.part.name for w in walk.part.words if w not in synonyms})
    more = (
        f"After `{prefix}` comes {_either(names)} — `/crossfade help {name}` explains each."
        if names
        else f"`/crossfade help {name}` shows how to use it."
    )
    if not rest:
        return UserError(f"`{prefix}` needs more. {more}")
    guess = did_you_mean(rest[0], list(synonyms))
    hint = f" Did you mean `{prefix} {synonyms[guess]}`?" if guess else ""
    return UserError(f"I don't know `{prefix} {_clip(rest[0], 20)}`.{hint} {more}")


def _complete(
    parts: tuple[Part, ...], tokens: list[str], open_end: bool, settings: Settings
) -> list[str]:
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
        words.append(_sample(part))
    return []


def _either(names: list[str]) -> str:
    if len(names) <= 1:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
