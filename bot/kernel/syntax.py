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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.domain.parsing import InputError
from bot.kernel.arguments import Arg, Word
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.grammar import ParsedCommand, did_you_mean
from bot.kernel.settings import Settings
from bot.kernel.usage import Usage, Walk, complete, piece
from bot.kernel.usage import walk as walk_along

__all__ = ["Call", "Syntax", "Usage"]

T = TypeVar("T")
_SHORT = 120  # characters of usage lines listed in full in an answer


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
        takes = self.takes_words
        walks = [walk_along(u, n, line, takes_words=takes) for n, u in enumerate(self.usages)]
        fitting = [w for w in walks if not w.fail]
        best = max(fitting, key=lambda w: (w.said, -w.order), default=None)
        # A usage whose words were said but whose arguments did not fit is what was meant,
        # rather than one that fits by reading those words as an argument.
        if best is None or any(w.fail and w.said > best.said for w in walks):
            raise self._refusal(name, line, walks, ctx)
        if best.usage.admin and not ctx.is_admin:
            raise UserError(best.usage.admin)
        values: dict[Arg[Any], Any] = {}
        for arg, start, end in best.taken:
            values[arg] = self._read(best.usage, arg, line, (start, end), ctx)
        return Call(name, best.usage, tuple(best.words), values, line)

    @staticmethod
    def _read(
        usage: Usage, arg: Arg[Any], line: ParsedCommand, span: tuple[int, int], ctx: Context
    ) -> Any:
        try:
            return arg.value(piece(line, *span), ctx)
        except InputError as error:
            raise UserError(f"{error} {usage.hint}".strip()) from None

    def _refusal(
        self, name: str, line: ParsedCommand, walks: list[Walk], ctx: Context
    ) -> UserError:
        tokens = line.args
        failed = [w for w in walks if w.fail]
        shown = [w for w in failed if not w.usage.hidden] or failed
        deepest = max(w.at for w in shown)
        here = [w for w in shown if w.at == deepest]
        on_word = [w for w in here if w.fail == "word"]
        specific = [w for w in here if w.fail != "word"]
        chosen = specific[0] if specific else here[0]
        admins = [chosen] if specific else [w for w in on_word if w.part is not None]
        if admins and all(w.usage.admin for w in admins) and not ctx.is_admin:
            return UserError(admins[0].usage.admin)
        prefix = " ".join([name, *(t.lower() for t in tokens[:deepest])])
        if chosen.fail == "extra":
            return _left_over(name, chosen, " ".join(tokens[deepest:]))
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
        understood = [w for w in failed if w.at == deepest and w.fail == "word"]
        return _unknown_word(name, prefix, tokens[deepest:], on_word, understood)

    # --- what platforms show -----------------------------------------------------------------

    def tails(self) -> tuple[str, ...]:
        """Each listed usage after the command's name (``""`` for the name alone)."""
        return tuple(u.text() for u in self.visible)

    def suggestions(self) -> tuple[str, ...]:
        """The listed usages worth offering as suggestions: those with a word (``off``,
        ``at HH:MM``) or shown by example (``mon-fri``), not those that are placeholders only
        (``HH:MM``, ``N``)."""
        return tuple(
            u.text()
            for u in self.visible
            if u.parts and (u.example or any(isinstance(p, Word) for p in u.parts))
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
            for candidate in complete(usage.parts, tokens, open_end, settings):
                if candidate not in found:
                    found.append(candidate)
        return found


def _left_over(name: str, walk: Walk, extra: str) -> UserError:
    """Words after a complete usage: what the usage takes, and what was not understood."""
    said = " ".join([name, *walk.words])
    nouns = [part.noun for part, _start, _end in walk.taken]
    takes = (
        f"`{said}` takes {_either(nouns, 'and')}, e.g. `{name} {walk.usage.sample()}`;"
        if nouns
        else f"`{said}` takes nothing more:"
    )
    return UserError(f"{takes} I don't know what to do with “{_clip(extra)}”, so nothing was done.")


def _unknown_word(
    name: str,
    prefix: str,
    rest: tuple[str, ...],
    listed: list[Walk],
    understood: list[Walk],
) -> UserError:
    """A word that no usage has at this place: the closest, and the usages that may come
    (in full while they are short, else by their words)."""
    names: list[str] = []
    lines: list[str] = []
    for failed in listed:
        if isinstance(failed.part, Word) and failed.part.name not in names:
            names.append(failed.part.name)
            lines.append(f"{name} {failed.usage.text()}")
    synonyms: dict[str, str] = {}
    for failed in understood:  # hidden usages' words count for "did you mean"
        if isinstance(failed.part, Word):
            synonyms.update({w: failed.part.name for w in failed.part.words if w not in synonyms})
    short = sum(len(line) for line in lines) <= _SHORT
    choices = [f"`{line}`" for line in lines] if short else [f"`{prefix} {n}`" for n in names]
    more = (
        f"Try {_either(choices)} — `/crossfade help {name}` explains each."
        if names
        else f"`/crossfade help {name}` shows how to use it."
    )
    if not rest:
        return UserError(f"`{prefix}` needs more. {more}")
    guess = did_you_mean(rest[0], list(synonyms))
    hint = f" Did you mean `{prefix} {synonyms[guess]}`?" if guess else ""
    return UserError(f"I don't know `{prefix} {_clip(rest[0], 20)}`.{hint} {more}")


def _either(names: list[str], joint: str = "or") -> str:
    if len(names) <= 1:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + f" {joint} {names[-1]}"


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
