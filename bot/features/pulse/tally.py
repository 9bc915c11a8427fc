"""Pure rules of anonymous pulse polls: what a valid poll is, how a deadline is read, the k
threshold, tallies and percentages, and the keyed voter hash.

Nothing here does I/O. Every parser raises :class:`InputError` with a sentence that can be
shown to the person as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.anonymity import MIN_K, effective_k
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
    "MIN_K",
    "MIN_OPEN",
    "MIN_OPTIONS",
    "SCALE_LEGEND",
    "AskRequest",
    "Kind",
    "PollSpec",
    "Tally",
    "TrendPoint",
    "TrendRow",
    "WeekResult",
    "answers_needed",
    "build_spec",
    "effective_k",
    "needed_sentence",
    "new_secret",
    "parse_ask",
    "parse_deadline",
    "parse_kind",
    "parse_options",
    "percent_texts",
    "percentages",
    "summarise",
    "trend_rows",
    "validate_deadline",
    "validate_options",
    "validate_question",
    "voter_key",
    "week_of",
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
# Below three answers a result can name a person (two people who compare notes know the
# third). Teams may raise k, never lower it below this.
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


# --- anonymity: k and the voter key -------------------------------------------------------


def answers_needed(responses: int, k: int) -> int:
    """How many more answers a poll needed before its results could be shown (0 if none)."""
    return max(0, effective_k(k) - responses)


def needed_sentence(responses: int, k: int) -> str:
    """“1 more answer was needed” / “3 more answers were needed”."""
    n = answers_needed(responses, k)
    return f"{n} more answer{' was' if n == 1 else 's were'} needed"


def new_secret() -> str:
    """A fresh per-poll key for :func:`voter_key` (hex, 256 bits). Only polls opened before
    sealed ballots have one; new polls use ``bot.security.ballots.participation_mark``."""
    return secrets.token_hex(32)


def voter_key(secret: str, *, team_id: int, poll_id: int, user_id: str) -> str:
    """Who answered, as a keyed hash: enough to refuse a second vote, never a member id.

    The key is the poll's own secret, so the same person hashes differently in every poll
    and the hashes cannot be compared across polls or recomputed once the secret is erased
    at close."""
    message = f"{team_id}\x1f{poll_id}\x1f{user_id}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


# --- tallies --------------------------------------------------------------------------------


def _decimals(counts: list[int] | tuple[int, ...]) -> int:
    """0, or 1 when whole percentages would show two different counts as the same."""
    total = sum(counts)
    seen: dict[int, int] = {}
    for count in counts:
        whole = int(count * 100 / total + 0.5)
        if seen.setdefault(whole, count) != count:
            return 1
    return 0


def percentages(counts: list[int] | tuple[int, ...]) -> list[float]:
    """Each count's share, rounded on its own: equal counts always show equal percentages
    (1, 1, 1 → 33, 33, 33; the total need not be 100). One decimal when whole numbers would
    make different counts look equal (200 vs 201); all 0 when there are no answers."""
    total = sum(counts)
    if total == 0:
        return [0.0 for _ in counts]
    places = _decimals(counts)
    scale = 10**places
    return [int(c * 100 * scale / total + 0.5) / scale for c in counts]


def percent_texts(counts: list[int] | tuple[int, ...]) -> list[str]:
    """:func:`percentages` as people read them: ``33%`` or, when decimals are needed, ``49.9%``."""
    if not sum(counts):
        return ["0%" for _ in counts]
    places = _decimals(counts)
    return [f"{value:.{places}f}%" for value in percentages(counts)]


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts per answer, in button order."""

    labels: tuple[str, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.counts):
            raise ValueError("a tally needs one count per label")
        if any(c < 0 for c in self.counts):
            raise ValueError("counts are never negative")

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def percentages(self) -> list[float]:
        return percentages(self.counts)

    @property
    def percent_texts(self) -> list[str]:
        return percent_texts(self.counts)

    def mean(self) -> float | None:
        """The average answer of a scale whose labels are numbers; ``None`` otherwise."""
        if not self.total or not all(label.isdigit() for label in self.labels):
            return None
        return sum(int(label) * c for label, c in zip(self.labels, self.counts, strict=True)) / (
            self.total
        )

    def lines(self) -> list[str]:
        """``Yes — 7 (58%)`` per answer."""
        return [
            f"{label} — {count} ({pct})"
            for label, count, pct in zip(self.labels, self.counts, self.percent_texts, strict=True)
        ]


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- trends across weeks ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekResult:
    """One closed poll asked from a template; ``shown`` is whether it reached k."""

    template: str
    question: str
    kind: str
    asked_at: datetime
    tally: Tally
    shown: bool


@dataclass(frozen=True, slots=True)
class TrendPoint:
    week: date  # the Monday of the local week the poll was asked in
    value: float
    text: str
    answers: int


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One template question across weeks. ``hidden`` counts weeks where no poll reached k."""

    template: str
    question: str
    unit: str
    value_unit: str  # the axis of a chart ("" when a single number does not summarise it)
    points: tuple[TrendPoint, ...]
    hidden: int
    change: str


def week_of(instant: datetime, zone: ZoneInfo) -> date:
    """The Monday of the local week containing ``instant``."""
    local = instant.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def summarise(kind: str, tally: Tally) -> tuple[float, str]:
    """One number and a short text for a tally: the average of a scale, the share of Yes, or
    the share of the most chosen option (with every option's share in the text)."""
    pcts = tally.percentages
    texts = tally.percent_texts
    if kind == "scale":
        mean = tally.mean() or 0.0
        return mean, f"{mean:.1f} of 5"
    if kind == "yesno":
        return float(pcts[0]), f"{texts[0]} yes"
    top = max(range(len(pcts)), key=lambda i: (tally.counts[i], -i)) if pcts else 0
    text = " · ".join(f"{label} {pct}" for label, pct in zip(tally.labels, texts, strict=True))
    return float(pcts[top]) if pcts else 0.0, text


_UNITS = {
    "scale": ("average answer, 1–5", "average (1–5)"),
    "yesno": ("share answering yes", "% yes"),
    "options": ("share of each answer", ""),
}


def trend_rows(results: list[WeekResult], *, zone: ZoneInfo) -> list[TrendRow]:
    """Group closed template polls by template and local week. A week shows only polls that
    reached k themselves (polls below k are never merged into a bigger group); a week where
    none did is counted in ``hidden`` and shows nothing."""
    order: list[str] = []
    by_template: dict[str, list[WeekResult]] = {}
    for result in sorted(results, key=lambda r: r.asked_at):
        if result.template not in by_template:
            order.append(result.template)
        by_template.setdefault(result.template, []).append(result)
    rows: list[TrendRow] = []
    for template in order:
        items = by_template[template]
        latest = items[-1]
        weeks: dict[date, list[WeekResult]] = {}
        for item in items:
            if item.kind == latest.kind and item.tally.labels == latest.tally.labels:
                weeks.setdefault(week_of(item.asked_at, zone), []).append(item)
        points: list[TrendPoint] = []
        hidden = 0
        for week in sorted(weeks):
            shown = [w for w in weeks[week] if w.shown]
            if not shown:
                hidden += 1
                continue
            counts = tuple(
                sum(w.tally.counts[i] for w in shown) for i in range(len(latest.tally.labels))
            )
            merged = Tally(latest.tally.labels, counts)
            value, text = summarise(latest.kind, merged)
            points.append(TrendPoint(week, value, text, merged.total))
        unit, value_unit = _UNITS.get(latest.kind, ("", ""))
        rows.append(
            TrendRow(
                template=template,
                question=latest.question,
                unit=unit,
                value_unit=value_unit,
                points=tuple(points),
                hidden=hidden,
                change=_change(latest.kind, points),
            )
        )
    return rows


def _change(kind: str, points: list[TrendPoint]) -> str:
    if len(points) < 2 or kind == "options":
        return ""
    before, now = points[-2], points[-1]
    delta = now.value - before.value
    since = f"since the week of {before.week.day} {before.week:%b}"
    if kind == "scale":
        if abs(delta) < 0.05:
            return f"No change {since}."
        return f"{'Up' if delta > 0 else 'Down'} {abs(delta):.1f} {since}."
    if round(delta) == 0:
        return f"No change {since}."
    return f"{'Up' if delta > 0 else 'Down'} {abs(round(delta))} points {since}."
