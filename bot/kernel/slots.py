"""The kernel's catalogue of meeting points between features (see :mod:`bot.kernel.hooks`).

Each slot says what it carries, who provides it and who gathers it. A feature provides with
``flow.provide(SLOT, value)`` or ``@flow.provides(SLOT)``; another gathers with
``ctx.provided(SLOT)``. Neither imports the other, and the payloads are kernel types only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.hooks import Slot
from bot.kernel.settings import Settings
from bot.kernel.ui import Block, Button, Field, Message

__all__ = [
    "BEFORE_FORGET",
    "CHECKIN_SETUP",
    "CHECKIN_TIME_CHECKS",
    "DASHBOARD_LINES",
    "DND_WORDING",
    "EARLY_START",
    "END_OF_DAY",
    "LATE_BY_CHOICE",
    "LOGGED_OFF",
    "LOGOFF_DAYS",
    "LOGOFF_SETUP",
    "LOGOFF_TIME",
    "MY_SETTINGS",
    "QUIET_HOURS_SET",
    "REMINDER_ADDONS",
    "TEAM_REPORTS",
    "TEAM_SECTIONS",
    "TIP_LOOKUP",
    "WORKING_LATE",
    "DndWording",
    "LogoffDayView",
    "LogoffOutcome",
    "LogoffSetup",
    "ReminderAddon",
    "TeamReport",
    "TeamSection",
    "TipText",
]

Effects = Awaitable[list[Effect]]


# --- the team view ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamSection:
    """A section of the ``team`` view: ``render`` returns its blocks (without the title); an
    empty list hides it. Aggregates only, and only for groups of at least k people."""

    title: str
    render: Callable[[Context], Awaitable[Sequence[Block]]]


TEAM_SECTIONS: Slot[TeamSection] = Slot(
    "team sections", "sections of the `team` view (quiz, pulse, late choices); the team feature"
)


# --- log-off ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogoffSetup:
    """How another feature sets a person's log-off reminder (the quiz's one-click set-up).
    Both raise ``UserError`` for a time inside quiet hours; both return the confirmation."""

    fixed: Callable[[Context, time], Effects]  # daily at this local time, on workdays
    hours: Callable[[Context, float], Effects]  # integration: this many hours after `start`


LOGOFF_SETUP: Slot[LogoffSetup] = Slot("log-off set-up", "provided by log-off; used by the quiz")

# After a person logged off for ``day`` (``late``: the day ran past its target): the answers
# of the right-to-disconnect feature (the late-choice tap, the Slack snooze), in order.
LOGGED_OFF: Slot[Callable[[Context, date, bool], Effects]] = Slot("logged off")

# After "Working late today" for ``day``: e.g. a Slack pause is lifted, the late-choice tap.
WORKING_LATE: Slot[Callable[[Context, date], Effects]] = Slot("working late")


@dataclass(frozen=True, slots=True)
class ReminderAddon:
    """What another feature adds to a log-off reminder DM: a line of text, a button."""

    line: str = ""
    button: Button | None = None


# Asked when a log-off reminder goes out (``at_target``: the log-off time itself, not a
# snooze or a heads-up); what it returns is appended to the DM.
REMINDER_ADDONS: Slot[Callable[[Context, bool], Awaitable[ReminderAddon]]] = Slot(
    "reminder add-ons"
)


# --- personal settings and data ----------------------------------------------------------

# After a person changed their quiet hours: a line to add to the answer (e.g. Slack offers to
# match its Do Not Disturb), or "".
QUIET_HOURS_SET: Slot[Callable[[Context], Awaitable[str]]] = Slot("quiet hours set")

# Before `forget` deletes a person's data: each feature lets go of what it holds elsewhere
# (a Slack token is revoked, the team's quiz view counts the leaving as a change).
BEFORE_FORGET: Slot[Callable[[Context], Awaitable[None]]] = Slot("before forget")


# --- content -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TipText:
    """A tip as the content files word it (translatable): a title, a one-sentence summary and
    its points."""

    title: str
    summary: str
    points: tuple[str, ...] = ()


# A tip by id (``know_your_limits``, ``prioritize_self_care`` …) in the wording of the team's
# content files (``settings.content_dir``, else the built-in ones), or None when there is no
# such tip. Provided by the quiz (its tips file); check-in nudges word their advice with it.
TIP_LOOKUP: Slot[Callable[[Settings, str], TipText | None]] = Slot(
    "tip lookup", "tips by id from the content files; provided by the quiz, used by check-in"
)


# --- platform presence --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DndWording:
    """How the core words what a platform's Do Not Disturb schedule suggests, for the adapter
    that reads the schedule (a ``Presence`` of action ``dnd_read``): ``proposal(start_ts,
    end_ts, zone_key, current)`` offers matching quiet hours (``None`` when they match or make
    no sense); ``error_line(code)`` says why the schedule could not be read."""

    proposal: Callable[[int, int, str, str], Message | None]
    error_line: Callable[[str], str]


DND_WORDING: Slot[DndWording] = Slot(
    "dnd wording", "provided by the Slack DND feature; gathered by the Slack adapter"
)


# --- log-off days, check-ins and the working window ------------------------------------

LogoffOutcome = Literal["on_time", "late", "working_late", "no_answer", "open"]


@dataclass(frozen=True, slots=True)
class LogoffDayView:
    """One member-local day of log-off.

    ``outcome``: ``on_time`` (logged off by the target + 15 min), ``late`` (logged off after
    that), ``working_late`` (pressed "Working late today"), ``no_answer`` (a reminder went
    out and was never answered), ``open`` (today, not answered yet)."""

    day: date
    target: time | None  # local target (fixed time, or the hours-mode reminder time)
    outcome: LogoffOutcome
    snoozes: int
    logged_off_at: time | None  # local clock time of "I'm logging off" / `done`
    started_at: time | None = None  # local clock time of `start` (integration mode)


# The person's log-off days from ``since`` (member-local) to today, oldest first; days with
# neither a reminder nor an answer are absent. Provided by log-off; the check-in dashboard,
# the weekly summary and the nudges read them.
LOGOFF_DAYS: Slot[Callable[[Context, date], Awaitable[list[LogoffDayView]]]] = Slot("log-off days")

# The person's own log-off time (the fixed reminder, or the hard stop of integration mode),
# ``None`` when they never set one. Provided by log-off; the weekly summary goes out then.
LOGOFF_TIME: Slot[Callable[[Context], Awaitable[time | None]]] = Slot("log-off time")

# Sets the end of the person's working day, which is their log-off time: the hard stop in
# integration mode, else the fixed reminder (``workday 09:00-17:30``, moving a reminder out
# of quiet hours). Provided by log-off; returns the confirmation.
END_OF_DAY: Slot[Callable[[Context, time], Effects]] = Slot("end of day")

# ``start`` while the log-off reminder is at a fixed time (given as HH:MM): an early start
# opens today's working window earlier. Provided by the right to disconnect.
EARLY_START: Slot[Callable[[Context, str | None], Effects]] = Slot("early start")

# Sets the daily check-in at this local time, as ``checkin at HH:MM`` does (and asks first,
# like it, about a time outside the working window). Provided by check-in.
CHECKIN_SETUP: Slot[Callable[[Context, time], Effects]] = Slot("check-in set-up")

# Asked before the daily check-in is set at a time: a question to answer first (e.g. the time
# is outside the working window), or ``None`` to go ahead.
CHECKIN_TIME_CHECKS: Slot[Callable[[Context, time], Reply | None]] = Slot("check-in time checks")

# The late evenings since a day that the person marked as their own choice: the check-in
# nudges say nothing about those.
LATE_BY_CHOICE: Slot[Callable[[Context, date], Awaitable[set[date]]]] = Slot("late by choice")

# A line for the end of the private dashboard (``me``), or "".
DASHBOARD_LINES: Slot[Callable[[Context], Awaitable[str]]] = Slot("dashboard lines")

# The person's own rules and reminders in ``settings``, as fields, in order.
MY_SETTINGS: Slot[Callable[[Context], Awaitable[Sequence[Field]]]] = Slot("my settings")


@dataclass(frozen=True, slots=True)
class TeamReport:
    """``team <word>``: a report on the whole team (never one person) that a feature adds."""

    word: str
    run: Callable[[Context], Effects]


TEAM_REPORTS: Slot[TeamReport] = Slot("team reports", "`team <word>` reports; the team feature")
