"""How log-off speaks: local times, the reminder's buttons, a day's outcome in a line."""

from __future__ import annotations

from datetime import datetime, time

from bot.features.logoff.models import LogoffDay
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Update
from bot.kernel.ui import Button, Buttons, Message, Text

__all__ = [
    "DONE",
    "LATE",
    "SNOOZE_ACTION",
    "answered",
    "clock_of",
    "day_line",
    "local",
    "reminder_buttons",
    "when",
]

DONE = "logoff:done"
SNOOZE_ACTION = "logoff:snooze"
LATE = "logoff:late"


def local(ctx: Context, instant: datetime | None) -> datetime | None:
    return instant.astimezone(ctx.zone) if instant is not None else None


def clock_of(ctx: Context, instant: datetime | None) -> time | None:
    """The member-local clock time of ``instant``, to the minute."""
    at = local(ctx, instant)
    return at.time().replace(second=0, microsecond=0) if at is not None else None


def when(ctx: Context, instant: datetime | None) -> str:
    """``today 17:30``, ``tomorrow 17:30`` or ``Mon 9 Mar 17:30`` in the member's zone."""
    at = local(ctx, instant)
    if at is None:
        return "nothing scheduled"
    days = (at.date() - ctx.local_today).days
    label = {0: "today", 1: "tomorrow"}.get(days, f"{at:%a} {at.day} {at:%b}")
    return f"{label} {at:%H:%M}"


def day_line(ctx: Context, day: LogoffDay) -> str:
    at = local(ctx, day.logged_off_at)
    if day.outcome == "on_time" and at:
        return f"Today: logged off at {at:%H:%M}, on time."
    if day.outcome == "late" and at:
        return f"Today: logged off at {at:%H:%M}, later than planned."
    if day.outcome == "working_late":
        return "Today: working late." + (f" Logged off at {at:%H:%M}." if at else "")
    started = local(ctx, day.started_at)
    return f"Today: started at {started:%H:%M}." if started else "Today: not logged off yet."


def answered(ctx: Context, text: str) -> list[Effect]:
    """Replace the reminder's buttons with the answer (repeat presses see the same)."""
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, Message(text, (Text(text),)))]
    return [reply(text)]


def reminder_buttons(day: str, extra: tuple[Button, ...] = ()) -> Buttons:
    """The reminder's answers for the local ``day`` (ISO), then what other features add."""
    return Buttons(
        (
            Button("I'm logging off", DONE, day, "primary"),
            Button("Snooze 15 min", SNOOZE_ACTION, day),
            Button("Working late today", LATE, day),
            *extra,
        )
    )
