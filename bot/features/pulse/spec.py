"""What a valid pulse poll is, and how what a person typed becomes one: the question, its
kind and answer labels (:class:`PollSpec`), the one-line ``pulse ask …`` and the deadline.

Pure: nothing here does I/O. Every parser raises :class:`InputError` with a sentence that
can be shown to the person as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.parsing import (
    DAY_NAMES,
    InputError,
    TooLong,
    format_day,
    parse_clock,
    parse_duration,
)
from bot.domain.text import look_alike_key, strip_invisible

__all__ = [
    "DEFAULT_OPEN",
    "KINDS",
    "KIND_WORDS",
    "MAX_OPEN",
    "MAX_OPTIONS",
    "MAX_OPTION_LENGTH",
    "MAX_QUESTION_LENGTH",
    "MIN_OPEN",
    "MIN_OPTIONS",
    "SCALE_LEGEND",
    "AskRequest",
    "Kind",
    "PollSpec",
    "build_spec",
    "parse_ask",
    "parse_deadline",
    "parse_kind",
    "parse_options",
    "validate_deadline",
    "validate_options",
    "validate_question",
]

Kind = Literal["scale", "yesno", "options"]
KINDS: tuple[Kind, ...] = ("scale", "yesno", "options")
_KIND_ALIASES: dict[str, Kind] = {
    "scale": "scale",
    "1-5": "scale",
    "rating": "scale",
    "yesno": "yesno",
    "yes/no": "yesno",
    "yes-no": "yesno",
    "options": "options",
    "option": "options",
    "choices": "options",
    "choice": "options",
}
KIND_WORDS = frozenset(_KIND_ALIASES)
_CLOSES_WORDS = ("closes", "close", "closing", "until", "deadline")

# Slack caps button text at 75 characters (Discord at 80); a question longer than a few
# lines stops being a pulse.
MAX_QUESTION_LENGTH = 300
MAX_OPTION_LENGTH = 75
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MIN_OPEN = timedelta(minutes=5)
MAX_OPEN = timedelta(days=30)
DEFAULT_OPEN = timedelta(days=2)
SCALE_OPTIONS = ("1", "2", "3", "4", "5")
SCALE_LEGEND = "1 = not at all · 5 = completely"
YESNO_OPTIONS = ("Yes", "No")


@dataclass(frozen=True, slots=True)
class PollSpec:
    """A validated poll: the question, its kind and the answer labels in button order."""

    question: str
    kind: Kind
    options: tuple[str, ...]
    legend: str = ""


# --- question, kind and options -------------------------------------------------------


def validate_question(text: str) -> str:
    """The question with runs of spaces folded; refuses empty and over-long questions."""
    cleaned = re.sub(r"[ \t]+", " ", strip_invisible(text.replace("\x00", ""))).strip()
    if not cleaned:
        raise InputError(
            'The question is empty. Write it in quotes: `pulse ask "How was your week?" scale`.'
        )
    if len(cleaned) > MAX_QUESTION_LENGTH:
        raise InputError(
            f"The question is {len(cleaned)} characters long; the limit is "
            f"{MAX_QUESTION_LENGTH}. A short question gets more answers."
        )
    return cleaned


def parse_kind(text: str) -> Kind:
    """``scale``/``1-5``, ``yesno``/``yes/no`` or ``options``/``choices`` → the kind."""
    kind = _KIND_ALIASES.get(text.strip().lower())
    if kind is None:
        raise InputError(
            f"“{_clip(text.strip())}” isn't a kind of poll. Use `scale` (1–5), `yesno`, or "
            "`options a,b,c`."
        )
    return kind


def parse_options(tokens: list[str] | str) -> tuple[str, ...]:
    """Answer labels from what was typed after ``options``.

    Commas separate options when there are any (``a, b, c`` or ``Far too much, About right``);
    otherwise each word or quoted phrase is one option (``Pizza Sushi "Fish and chips"``).
    """
    if isinstance(tokens, str):
        tokens = [tokens]
    joined = " ".join(tokens)
    parts = joined.split(",") if "," in joined or len(tokens) == 1 else list(tokens)
    return tuple(re.sub(r"\s+", " ", strip_invisible(part)).strip() for part in parts)


def validate_options(options: tuple[str, ...]) -> tuple[str, ...]:
    """2–10 distinct, non-empty labels of at most 75 characters each, none looking like
    another; invisible characters are removed first (see :mod:`bot.domain.text`)."""
    options = tuple(strip_invisible(option).strip() for option in options)
    if any(not option for option in options):
        raise InputError(
            "One of the options is empty (two commas in a row?). Separate options with single "
            "commas, e.g. Too much, About right, Too little."
        )
    if len(options) < MIN_OPTIONS:
        raise InputError(
            f"A poll needs at least {MIN_OPTIONS} options, separated by commas, e.g. Too much, "
            "About right, Too little."
        )
    if len(options) > MAX_OPTIONS:
        raise InputError(
            f"That's {len(options)} options; a pulse can have at most {MAX_OPTIONS}. Fewer "
            "choices also make answers quicker."
        )
    long = [o for o in options if len(o) > MAX_OPTION_LENGTH]
    if long:
        raise InputError(
            f"The option “{_clip(long[0])}” is {len(long[0])} characters long; buttons hold at "
            f"most {MAX_OPTION_LENGTH}."
        )
    seen: dict[str, str] = {}
    for option in options:
        key = look_alike_key(option)
        if key in seen:
            same = option.casefold() == seen[key].casefold()
            raise InputError(
                f"The option “{_clip(option)}” appears twice. Each option must differ."
                if same
                else f"The options “{_clip(seen[key])}” and “{_clip(option)}” look the same "
                "to a reader. Each option must look different."
            )
        seen[key] = option
    return options


def build_spec(
    question: str, kind: Kind, options: tuple[str, ...] = (), legend: str = ""
) -> PollSpec:
    """A validated :class:`PollSpec`; scale and yes/no polls take no options of their own."""
    checked = validate_question(question)
    if kind == "options":
        return PollSpec(checked, kind, validate_options(options))
    if options:
        raise InputError(
            f"A {'1–5 scale' if kind == 'scale' else 'yes/no'} poll has fixed answers, so it "
            "takes no options. For your own answers use `options a,b,c`."
        )
    if kind == "scale":
        return PollSpec(checked, kind, SCALE_OPTIONS, legend or SCALE_LEGEND)
    return PollSpec(checked, kind, YESNO_OPTIONS)


# --- the one-line command ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AskRequest:
    """``pulse ask …`` split into its parts (not yet validated)."""

    question: str
    kind: Kind
    options: tuple[str, ...]
    closes: str  # the deadline as typed; "" for the default
    kind_given: bool = True  # False: no kind was typed (the caller asks instead of guessing)


def parse_ask(tokens: list[str], *, quoted: bool) -> AskRequest:
    """Split the words after ``pulse ask``: ``"Question" [kind [options…]] [closes WHEN]``.

    ``quoted`` says whether the question was typed in quotes (then it is the first token);
    without quotes the question runs up to the last kind word (``scale``, ``yesno``,
    ``options``), so ``pulse ask How was your week? scale`` works too.
    """
    if not tokens:
        raise InputError(
            'What should I ask? E.g. `pulse ask "Is your workload sustainable?" yesno closes 2d`.'
        )
    closes = ""
    for index, token in enumerate(tokens):
        if index > 0 and token.lower() in _CLOSES_WORDS:
            closes = " ".join(tokens[index + 1 :]).strip()
            if not closes:
                raise InputError("When should it close? E.g. `closes 2d`, `closes fri 17:00`.")
            tokens = tokens[:index]
            break
    if quoted:
        question, rest = tokens[0], tokens[1:]
    else:
        kind_at = max(
            (i for i, t in enumerate(tokens) if i > 0 and t.lower() in _KIND_ALIASES), default=None
        )
        if kind_at is None:
            question, rest = " ".join(tokens), []
        else:
            question, rest = " ".join(tokens[:kind_at]), tokens[kind_at:]
    if not rest:
        return AskRequest(question, "scale", (), closes, kind_given=False)
    kind = parse_kind(rest[0])
    options = parse_options(rest[1:]) if rest[1:] else ()
    if kind == "options" and not options:
        raise InputError(
            "Which options? List them after `options`, separated by commas: "
            "`options Too much, About right, Too little`."
        )
    return AskRequest(question, kind, options, closes)


# --- deadlines ---------------------------------------------------------------------------


def parse_deadline(
    text: str, *, now: datetime, zone: ZoneInfo, default_time: time = time(17, 0)
) -> datetime:
    """When a poll closes, as a UTC instant.

    Accepts a duration (``2d``, ``36h``, ``in 90m``), a day (``fri``, ``tomorrow``,
    ``2026-03-06``) with an optional local time (``fri 15:00``), or ``today 17:00``. A day
    without a time means ``default_time`` in ``zone``.
    """
    cleaned = re.sub(r"\s+", " ", text.strip().lower())
    cleaned = cleaned.removeprefix("in ").removeprefix("at ").removeprefix("on ").strip()
    if not cleaned:
        return now + DEFAULT_OPEN
    if cleaned[0].isdigit() and not re.match(r"^\d{4}-\d{2}-\d{2}", cleaned):
        # "2d", "36h": a duration. Otherwise fall through to day names and times ("fri 15:00").
        try:
            return now + parse_duration(cleaned, maximum=MAX_OPEN)
        except TooLong:
            raise InputError(
                "A pulse can stay open for at most 30 days. Pick an earlier deadline, e.g. "
                "`closes 7d`."
            ) from None
        except InputError:
            pass  # not a duration: read it as a day and time below
    day_text, _, time_text = cleaned.partition(" ")
    local_now = now.astimezone(zone)
    day = _parse_day(day_text, local_now.date())
    if day is None:
        raise InputError(
            f"“{_clip(text.strip())}” isn't a deadline I understand. Use a duration such as "
            "`closes 2d` or `closes 36h`, or a day and time such as `closes fri 15:00` or "
            "`closes 2026-03-06 12:00`."
        )
    at = parse_clock(time_text) if time_text else default_time
    local = datetime.combine(day, at)
    # fold=0 picks the first of two repeated wall times; a gap is moved forward by zoneinfo.
    return local.replace(tzinfo=zone).astimezone(now.tzinfo)


def _parse_day(token: str, today: date) -> date | None:
    if token == "today":
        return today
    if token == "tomorrow":
        return today + timedelta(days=1)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", token):
        try:
            day = date.fromisoformat(token)
        except ValueError:
            return None
        if abs((day - today).days) > MAX_OPEN.days + 1:
            # Refused here, before a far-off year can overflow the zone arithmetic.
            raise InputError(
                f"{token} is too far away: a pulse can stay open for at most 30 days, "
                "e.g. `closes 7d`."
            )
        return day
    names = {name: i for i, name in enumerate(DAY_NAMES)}
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    names |= {name: i for i, name in enumerate(full)}
    if token in names:
        # The next such day, never today: "closes fri" said on a Friday means next week.
        ahead = (names[token] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


def validate_deadline(closes_at: datetime, *, now: datetime) -> datetime:
    """Refuses a deadline in the past, under five minutes away or more than 30 days away."""
    if closes_at <= now:
        raise InputError(
            f"That deadline ({format_day(closes_at.date(), now.date())}, {closes_at:%H:%M} UTC) "
            "is already past. Pick a time in the future, e.g. `closes 2d`."
        )
    if closes_at - now < MIN_OPEN:
        raise InputError("Give people at least 5 minutes to answer, e.g. `closes 1h`.")
    if closes_at - now > MAX_OPEN:
        raise InputError(
            "A pulse can stay open for at most 30 days. Pick an earlier deadline, e.g. `closes 7d`."
        )
    return closes_at


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
