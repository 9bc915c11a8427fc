"""End-of-day log-off reminders: ``logoff``, ``done``, ``start``, ``hours``.

Public for other flows:
* :func:`set_logoff` / :func:`set_hours` — set the person up (the quiz's result buttons);
* :func:`logoff_days` — the per-local-day record (check-in insights, the dashboard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from bot.effects import Effect
from bot.router import Context, Flow

__all__ = ["LogoffDayView", "flow", "logoff_days", "set_hours", "set_logoff"]

flow = Flow("logoff")

Outcome = Literal["on_time", "late", "working_late", "no_answer", "open"]


@dataclass(frozen=True, slots=True)
class LogoffDayView:
    """One member-local day of log-off.

    ``outcome``: ``on_time`` (logged off by the target + 15 min), ``late`` (logged off after
    that), ``working_late`` (pressed "Working late today"), ``no_answer`` (a reminder went
    out and was never answered), ``open`` (today, not answered yet)."""

    day: date
    target: time | None  # local target (fixed time, or the hours-mode reminder time)
    outcome: Outcome
    snoozes: int
    logged_off_at: time | None  # local clock time of "I'm logging off" / `done`
    started_at: time | None = None  # local clock time of `start` (integration mode)


async def set_logoff(ctx: Context, at: time) -> list[Effect]:
    """Fixed log-off reminder at ``at`` (member-local) on workdays, with the wind-down
    heads-up; replaces integration mode. Returns the confirmation to show."""
    raise NotImplementedError  # filled in by the log-off issue (in progress)


async def set_hours(ctx: Context, hours: float) -> list[Effect]:
    """Integration mode: remind ``hours`` after ``start`` (never later than the hard stop,
    which keeps its current value or defaults to 19:00). Returns the confirmation."""
    raise NotImplementedError


async def logoff_days(ctx: Context, since: date) -> list[LogoffDayView]:
    """The member's log-off days from ``since`` (member-local) to today, oldest first; days
    with neither a reminder nor an answer are absent."""
    raise NotImplementedError


_ = datetime  # used by the full implementation
