"""What ``pulse …`` reads: its declared arguments (see :mod:`bot.kernel.syntax`).

The one-line question (``ask "Question?" yesno closes 2d``) is read by the pulse's own parser
(:func:`bot.features.pulse.tally.parse_ask`): the grammar hands it the words with their
quotes. Weekly pulses are read here in full: ``schedule weekly fri 15:00 TEMPLATE [closes 2d]``
and ``schedule off N``, for admins.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.bounds import small_int
from bot.domain.parsing import InputError, TooLong, parse_duration, parse_weekday
from bot.features.pulse.spec import MIN_OPEN
from bot.features.pulse.templates import PulseTemplate, get_pulse_templates
from bot.kernel.arguments import OFF, Arg, Opt, Piece, Word, arg, clock, weekday, words
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.settings import Settings
from bot.kernel.syntax import Usage

__all__ = [
    "AT",
    "DAY",
    "GAP_BEFORE_NEXT",
    "NUMBER",
    "OPEN_MINUTES",
    "QUESTION",
    "QUOTED_QUESTION",
    "SCHEDULE_USAGES",
    "SERIES",
    "TEMPLATE",
    "quoted",
    "template_names",
    "template_or_error",
]

# A weekly poll closes this long before the next one opens, so its results land first.
GAP_BEFORE_NEXT = timedelta(hours=1)
USAGE = (
    "Schedule a weekly pulse like this: `pulse schedule weekly fri 15:00 workload` "
    "(`pulse templates` lists the questions)."
)
ADMINS_ONLY = "Only team admins can schedule or stop recurring pulses."


def template_names(typed: str, settings: Settings) -> list[str]:
    """The templates whose name starts with what was typed (for autocomplete)."""
    ids = get_pulse_templates(settings.content_dir or None).ids
    return [i for i in ids if i.startswith(typed.strip().lower())]


def template_or_error(ctx: Context, template_id: str) -> PulseTemplate:
    templates = get_pulse_templates(ctx.settings.content_dir or None)
    found = templates.get(template_id)
    if found is None:
        ids = ", ".join(f"`{i}`" for i in templates.ids)
        raise UserError(f"There is no template “{template_id[:30]}”. Templates: {ids}.")
    return found


def quoted(piece: Piece) -> bool:
    """Whether the question was typed in quotes."""
    return piece.raw.startswith(('"', "'"))


def _poll_number(text: str) -> int:
    cleaned = text.strip().lstrip("#")
    number = small_int(cleaned)
    if number is None:
        raise InputError(f"“{cleaned[:20]}” isn't a pulse number. `pulse list` shows them.")
    return number


def _weekday(text: str) -> int:
    if any(mark in text for mark in ",-–") or text.lower() in ("weekdays", "daily", "everyday"):
        raise InputError("Pick one day of the week for a weekly pulse.")
    return parse_weekday(text)


def _open_minutes(text: str) -> int:
    too_long = InputError(
        "A weekly pulse can stay open from 5 minutes to 6 days and 23 hours, so that it "
        "closes before the next one."
    )
    try:
        length = parse_duration(text, maximum=timedelta(days=7))
    except TooLong:
        raise too_long from None
    if length < MIN_OPEN or length > timedelta(days=7) - GAP_BEFORE_NEXT:
        raise too_long
    return int(length.total_seconds() // 60)


def _series_number(text: str) -> int:
    number = small_int(text.lstrip("#"))
    if number is None:
        raise InputError("Which one? `pulse schedule off 2` (`pulse schedule` lists them).")
    return number


QUESTION = words(
    '"Question?" scale|yesno|options a,b,c [closes 2d]',
    noun="a question and its kind",
    example='"Is your workload sustainable?" yesno',
    complete=template_names,
)
# `pulse "Question?" yesno` — the "ask" was left out; the meaning is plain.
QUOTED_QUESTION = words(QUESTION.shown, noun=QUESTION.noun, example=QUESTION.example, looks=quoted)
NUMBER = arg("ID", _poll_number, noun="a pulse number", example="3", greedy=False)

SCHEDULE = Word("schedule")
DAY = weekday("fri", parse=_weekday)
AT = clock("15:00", example="15:00")
TEMPLATE: Arg[PulseTemplate] = Arg(
    "TEMPLATE",
    lambda piece, ctx: template_or_error(ctx, piece.text),
    noun="a template's name",
    example="workload",
    greedy=False,
    complete=template_names,
)
OPEN_MINUTES = arg("2d", _open_minutes, noun="how long it stays open", example="2d")
OPEN_FOR = Opt(Word("closes", "open", "for"), OPEN_MINUTES)
SERIES = arg("N", _series_number, noun="a weekly pulse's number", example="2", greedy=False)
SCHEDULE_USAGES = (
    Usage(
        SCHEDULE,
        Word("weekly", "every"),
        DAY,
        AT,
        TEMPLATE,
        OPEN_FOR,
        admin=ADMINS_ONLY,
        hint=USAGE,
        help="admins: ask a ready-made question every week at this day and time",
    ),
    Usage(SCHEDULE, help="list the weekly pulses"),
    Usage(
        SCHEDULE,
        OFF.plus("cancel", "remove", "delete"),
        SERIES,
        admin=ADMINS_ONLY,
        help="stop weekly pulse number N",
    ),
    Usage(SCHEDULE, DAY, AT, TEMPLATE, OPEN_FOR, admin=ADMINS_ONLY, hint=USAGE, hidden=True),
    Usage(SCHEDULE, Word("daily", "monthly"), admin=ADMINS_ONLY, hidden=True, more=True),
)
