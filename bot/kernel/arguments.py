"""The pieces a command's usage is declared with: words, typed arguments, optional tails.

A :class:`Word` is something typed as it is (``off``, ``headsup``, ``result``), with its
synonyms; an :class:`Arg` is a value the person fills in (a time, a zone, a number), read by
one of the pure parsers of :mod:`bot.domain` and shown in usage lines by its placeholder
(``HH:MM``); an :class:`Opt` is an optional tail that starts with a word (``[closes 2d]``).
The usage lines, the parser, its error messages, the platforms' option types and
autocompletion are all read from these declarations (:mod:`bot.kernel.syntax`).

The synonyms of "off" live here, once: :data:`OFF`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, Generic, Literal, TypeVar

from bot.domain.parsing import (
    InputError,
    parse_away,
    parse_clock,
    parse_duration,
    parse_quiet,
    parse_weekday,
    parse_workdays,
)
from bot.domain.zones import ZoneMatch, resolve_zone, search_zones
from bot.kernel.context import Context
from bot.kernel.settings import Settings

__all__ = [
    "OFF",
    "Arg",
    "Opt",
    "Part",
    "Piece",
    "Word",
    "arg",
    "choice",
    "clock",
    "clock_range",
    "date_range",
    "duration",
    "has_digit",
    "integer",
    "text",
    "weekday",
    "weekdays",
    "words",
    "zone",
]

T = TypeVar("T")
OptionKind = Literal["string", "integer"]
Completer = Callable[[str, Settings], list[str]]


@dataclass(frozen=True, slots=True)
class Word:
    """A word typed as it is. The first of ``words`` is its name (what handlers see in
    :attr:`~bot.kernel.syntax.Call.words`); the others are synonyms, matched in any case."""

    words: tuple[str, ...]

    def __init__(self, *words: str) -> None:
        if not words:
            raise ValueError("a Word needs at least one word")
        object.__setattr__(self, "words", tuple(w.lower() for w in words))

    @property
    def name(self) -> str:
        return self.words[0]

    def matches(self, token: str) -> bool:
        return token.lower() in self.words

    def plus(self, *more: str) -> Word:
        """The same word with more synonyms (``OFF.plus("reset")`` where that also fits)."""
        return Word(*self.words, *(m for m in more if m.lower() not in self.words))


# Every command that can be switched off understands these; a command may add its own
# (`OFF.plus(...)`), never fewer. "no" is not among them: `holidays no` is Norway.
OFF = Word("off", "none", "clear", "stop", "disable")


@dataclass(frozen=True, slots=True)
class Piece:
    """The words an argument was given: ``text`` joined by single spaces (quotes removed),
    ``tokens`` one by one, ``raw`` as typed (quotes kept; pulse questions need to know)."""

    text: str
    tokens: tuple[str, ...]
    raw: str


Reader = Callable[[Piece, Context], T]


@dataclass(frozen=True, eq=False, slots=True)
class Arg(Generic[T]):
    """A value the person types. ``shown`` is its placeholder in usage lines (``HH:MM``),
    ``noun`` names it in a sentence ("a time"), ``example`` is a value that works
    (``17:30``). ``read`` turns the words into the value or raises :class:`InputError`
    with a sentence for the person.

    ``greedy`` arguments take every word up to the next word of their usage (``5 pm``,
    ``New York``); the others take one. ``looks`` is a quick test of shape that chooses
    between usages (``logoff 17:30`` against ``logoff off``); ``option`` and ``kind`` name
    and type it where a platform shows it as a field (Discord)."""

    shown: str
    read: Reader[T]
    noun: str
    example: str
    option: str = "input"
    kind: OptionKind = "string"
    greedy: bool = True
    looks: Callable[[Piece], bool] | None = None
    complete: Completer | None = field(default=None)

    def value(self, piece: Piece, ctx: Context) -> T:
        return self.read(piece, ctx)


@dataclass(frozen=True, slots=True)
class Opt:
    """An optional tail that starts with a word: ``Opt(Word("closes"), DEADLINE)`` is
    ``[closes 2d]``."""

    head: Word
    parts: tuple[Word | Arg[Any], ...]

    def __init__(self, head: Word, *parts: Word | Arg[Any]) -> None:
        object.__setattr__(self, "head", head)
        object.__setattr__(self, "parts", parts)


Part = Word | Arg[Any] | Opt


# --- the argument kinds --------------------------------------------------------------------


def arg(
    shown: str,
    parse: Callable[[str], T],
    *,
    noun: str,
    example: str,
    option: str = "input",
    greedy: bool = True,
    looks: Callable[[Piece], bool] | None = None,
    complete: Completer | None = None,
) -> Arg[T]:
    """An argument read by a pure parser of its text (``parse_holidays``)."""
    return Arg(
        shown,
        lambda piece, _ctx: parse(piece.text),
        noun=noun,
        example=example,
        option=option,
        greedy=greedy,
        looks=looks,
        complete=complete,
    )


def has_digit(piece: Piece) -> bool:
    """A shape test for times, dates and numbers: some digit was typed."""
    return any(c.isdigit() for c in piece.text)


def clock(
    shown: str = "HH:MM", *, noun: str = "a time", example: str = "17:30", option: str = "time"
) -> Arg[time]:
    """A time of day: ``17:30``, ``5pm``, ``5 pm``, ``17h30``."""
    return arg(shown, parse_clock, noun=noun, example=example, option=option, looks=has_digit)


def clock_range(
    shown: str = "HH:MM-HH:MM",
    *,
    parse: Callable[[str], tuple[Any, time]] | None = None,
    noun: str = "a start and an end time",
    example: str = "20:00-08:00",
    option: str = "hours",
    looks: Callable[[Piece], bool] = has_digit,
) -> Arg[tuple[Any, time]]:
    """Two times of day, ``20:00-08:00`` (it may cross midnight); ``parse`` words the
    errors for its command (default: quiet hours)."""
    return arg(shown, parse or parse_quiet, noun=noun, example=example, option=option, looks=looks)


def duration(
    shown: str = "2d",
    *,
    maximum: timedelta | None = None,
    noun: str = "a duration",
    example: str = "2d",
) -> Arg[timedelta]:
    """A positive duration, ``90m``, ``1h30m``, ``2d``, at most ``maximum`` (and a year)."""
    return arg(shown, lambda t: parse_duration(t, maximum=maximum), noun=noun, example=example)


def zone(shown: str = "Area/City", *, option: str = "zone") -> Arg[ZoneMatch]:
    """A time zone (``Europe/Berlin``, ``berlin``, ``New York``). Its value says which zone
    was meant, or offers close ones: the command decides how to answer a miss (a button per
    suggestion, or a sentence)."""
    return arg(
        shown,
        resolve_zone,
        noun="a time zone",
        example="Europe/Berlin",
        option=option,
        complete=lambda typed, _settings: search_zones(typed),
    )


def date_range(
    shown: str = "YYYY-MM-DD..YYYY-MM-DD", *, option: str = "dates"
) -> Arg[tuple[date, date]]:
    """A first and last day, both included (or one day), within a year of today."""
    return Arg(
        shown,
        lambda piece, ctx: parse_away(piece.text, today=ctx.local_today),
        noun="a first and a last day",
        example="2026-12-20..2027-01-02",
        option=option,
        looks=has_digit,
    )


def weekday(shown: str = "DAY", *, parse: Callable[[str], int] = parse_weekday) -> Arg[int]:
    """One day of the week (``fri``, ``Friday``): Monday is 0."""
    return arg(shown, parse, noun="a day of the week", example="fri", greedy=False)


def weekdays(shown: str = "mon-fri") -> Arg[int]:
    """A set of weekdays (``mon-fri``, ``mon,wed,fri``, ``sun-thu``, ``weekdays``): a mask,
    bit 0 = Monday."""
    return arg(shown, parse_workdays, noun="the days", example="mon-fri", option="days")


def integer(
    low: int,
    high: int,
    *,
    shown: str = "N",
    noun: str = "a whole number",
    example: str = "",
    refuse: Callable[[str], str] | None = None,
) -> Arg[int]:
    """A whole number from ``low`` to ``high`` (one word). ``refuse`` words the answer to
    anything else (it gets what was typed); by default it gives the range."""

    def parse(text: str) -> int:
        cleaned = text.strip()
        # Nine digits are beyond any bound here already; int() of them stays cheap.
        digits = cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 9
        if digits and low <= int(cleaned) <= high:
            return int(cleaned)
        if refuse is not None:
            raise InputError(refuse(cleaned))
        raise InputError(
            f"“{cleaned[:20]}” isn't {noun} from {low} to {high}; try e.g. {example or low}."
        )

    return Arg(
        shown,
        lambda piece, _ctx: parse(piece.text),
        noun=noun,
        example=example or str(low),
        option="number",
        kind="integer",
        greedy=False,
    )


def choice(
    *options: Word, shown: str = "", noun: str = "one of the choices", refuse: str = ""
) -> Arg[str]:
    """One of a few words, each with its synonyms: the value is the word's name
    (``choice(Word("on"), OFF)`` gives ``"on"`` or ``"off"``)."""
    names = [o.name for o in options]

    def parse(text: str) -> str:
        for option in options:
            if option.matches(text.strip()):
                return option.name
        listed = " or ".join(f"`{n}`" for n in names)
        raise InputError(refuse or f"“{text.strip()[:20]}” isn't one of the choices: {listed}.")

    return arg(shown or "|".join(names), parse, noun=noun, example=names[0], greedy=False)


def text(
    shown: str, *, noun: str, example: str, limit: int = 2000, option: str = "input"
) -> Arg[str]:
    """Free text, quoted or not (``"We don't expect replies after 18:00"``): the words as
    typed, quotes removed, at most ``limit`` characters."""

    def parse(value: str) -> str:
        if len(value) > limit:
            raise InputError(f"Keep it to {limit} characters — this is {len(value)}.")
        return value

    return arg(shown, parse, noun=noun, example=example, option=option)


def words(
    shown: str,
    *,
    noun: str,
    example: str,
    looks: Callable[[Piece], bool] | None = None,
    complete: Completer | None = None,
) -> Arg[Piece]:
    """The rest of the line, for a command that reads it itself (a pulse question with its
    kind and options): the value is the :class:`Piece`, with the raw text."""
    return Arg(
        shown,
        lambda piece, _ctx: piece,
        noun=noun,
        example=example,
        looks=looks,
        complete=complete,
    )
