"""``me``: the private dashboard, and the weekly summary DM (same numbers, same chart).

Numbers come from :mod:`bot.features.checkin.insights`; the chart from
:mod:`bot.features.checkin.chart`, rendered in a worker thread. Nothing here is ever
posted to a channel.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.domain.parsing import format_workdays
from bot.features.checkin import records
from bot.features.checkin.chart import ChartDay, checkin_chart
from bot.features.checkin.daily import daily_time
from bot.features.checkin.insights import (
    ENERGY_LABELS,
    HOURS_LABELS,
    DayEntry,
    LogoffDay,
    WindowStats,
    WorkCalendar,
    mood_trend,
    on_time,
    streaks,
    window,
)
from bot.features.checkin.records import day_label
from bot.kernel.context import Context
from bot.kernel.ui import Block, Button, Buttons, Divider, Field, Fields, Image, Message, Text

__all__ = ["chart_days", "dashboard_message", "weekly_summary"]

log = logging.getLogger(__name__)

_MOOD_FACE = {1: "😣", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}


# --- numbers as text ---------------------------------------------------------------------


def _short(day: date) -> str:
    """``2 Mar`` (chart titles stay short enough for a phone-sized preview)."""
    return f"{day.day} {day:%b}"


def _one(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _share(part: int, whole: int) -> str:
    return "no answers yet" if not whole else f"{part} of {_days(whole)}"


def _day_line(
    day: date, entry: DayEntry | None, calendar: WorkCalendar, joined: date | None = None
) -> str:
    name = f"`{day:%a} {day.day:>2}`"
    if entry is None:
        if joined is not None and day < joined:
            return f"{name} before your first check-in"
        return f"{name} {'no check-in' if calendar.counts(day) else 'day off'}"
    parts = []
    if entry.mood is not None:
        parts.append(f"{_MOOD_FACE.get(entry.mood, '')} {entry.mood}")
    if entry.energy:
        parts.append(f"energy {ENERGY_LABELS.get(entry.energy, entry.energy)}")
    if entry.hours:
        parts.append(f"{HOURS_LABELS.get(entry.hours, entry.hours)} h")
    if entry.took_break is not None:
        parts.append("break " + ("✓" if entry.took_break else "✗"))
    if entry.downtime is not None:
        parts.append("downtime " + ("✓" if entry.downtime else "✗"))
    return f"{name} " + " · ".join(parts)


def _stats_fields(week: WindowStats, month: WindowStats, ontime_text: str) -> Fields:
    return Fields(
        (
            Field("Check-ins (7 / 30 days)", f"{week.checkins} / {month.checkins}"),
            Field("Mood (7 / 30 days)", f"{_one(week.mood)} / {_one(month.mood)}"),
            Field(
                "Energy (7 / 30 days)", f"{week.energy_label or '—'} / {month.energy_label or '—'}"
            ),
            Field(
                "Hours a day (7 / 30 days)",
                f"{_one(week.hours, '~{:.1f}')} / {_one(month.hours, '~{:.1f}')}",
            ),
            Field("Real breaks (7 days)", _share(week.breaks, week.break_answers)),
            Field("Downtime (7 days)", _share(week.downtime, week.downtime_answers)),
            Field("Logged off on time (30 days)", ontime_text),
        )
    )


def _ontime_text(records_: list[LogoffDay], today: date) -> str:
    result = on_time(records_, today=today, days=30)
    if result.percent is None:
        return "no log-off reminders answered yet"
    return f"{result.percent}% ({result.on_time} of {_days(result.answered)})"


def _trend_text(entries: list[DayEntry], today: date) -> str:
    trend = mood_trend(entries, today=today)
    if trend.direction == "unknown":
        return ""
    words = {"up": "up", "down": "down", "steady": "about the same as"}
    if trend.direction == "steady":
        return f"Mood this week is about the same as last week ({_one(trend.now)})."
    return (
        f"Mood is {words[trend.direction]} this week: {_one(trend.now)} against "
        f"{_one(trend.before)} the week before."
    )


# --- the chart ---------------------------------------------------------------------------


def chart_days(
    entries: list[DayEntry], logoffs: list[LogoffDay], *, first: date, last: date
) -> list[ChartDay]:
    """One :class:`ChartDay` per date from ``first`` to ``last``, gaps left empty."""
    by_day = {e.day: e for e in entries}
    logoff_by_day = {r.day: r for r in logoffs}
    days = []
    day = first
    while day <= last:
        entry = by_day.get(day)
        record = logoff_by_day.get(day)
        days.append(
            ChartDay(
                day=day,
                mood=entry.mood if entry else None,
                energy=entry.energy if entry else None,
                hours=entry.hours if entry else None,
                logoff=record.at if record else None,
                late=(record.outcome == "late") if record else None,
                target=record.target if record else None,
            )
        )
        day += timedelta(days=1)
    return days


async def _chart_block(
    entries: list[DayEntry], logoffs: list[LogoffDay], *, first: date, last: date, title: str
) -> Image | None:
    days = chart_days(entries, logoffs, first=first, last=last)
    if not any(d.mood or d.energy or d.hours or d.logoff for d in days):
        return None
    try:
        png = await checkin_chart(days, title=title)
    except Exception:  # a chart failure must not cost the person their numbers
        log.exception("rendering the check-in chart failed")
        return None
    span = (last - first).days + 1
    alt = f"Chart of your last {span} days: mood and energy, hours worked, log-off times"
    return Image(png, alt, filename=f"crossfade-{first:%Y%m%d}-{last:%Y%m%d}.png")


# --- the dashboard -----------------------------------------------------------------------


async def dashboard_message(ctx: Context, *, days: int = 7) -> Message:
    """``me``: streak, the week at a glance, 7/30-day averages, trend, on-time % and a chart
    of the last ``days`` (7 or 30) days."""
    today = ctx.local_today
    since = today - timedelta(days=max(days, 30) + 7)
    entries = await records.entries(ctx, since=since)
    logoffs = await records.logoff_records(ctx, since=since)
    calendar = records.calendar_for(ctx)
    dates = await records.all_dates(ctx)
    streak = streaks(dates, calendar=calendar, today=today)
    week = window(entries, today=today, days=7)
    month = window(entries, today=today, days=30)

    blocks: list[Block] = [Text("*Your dashboard* — only you can see this.")]
    if not entries and not logoffs:
        blocks.append(
            Text(
                "Nothing to show yet. `/crossfade checkin` takes 30 seconds, and "
                "`/crossfade checkin at 17:00` sends one on your workdays."
            )
        )
        blocks.append(Buttons((Button("Check in now", "checkin:start"),)))
        return Message("Your dashboard: nothing yet", tuple(blocks))

    blocks.append(Text(_streak_text(streak.current, streak.best)))
    by_day = {e.day: e for e in entries}
    joined = min(dates, default=None)
    glance = [
        _day_line(day, by_day.get(day), calendar, joined)
        for day in (today - timedelta(days=offset) for offset in range(6, -1, -1))
    ]
    blocks.append(Text("*The week at a glance*\n" + "\n".join(glance)))
    blocks.append(_stats_fields(week, month, _ontime_text(logoffs, today)))
    trend = _trend_text(entries, today)
    if trend:
        blocks.append(Text(trend))
    for line in await records.nudge_lines(ctx, today=today):
        blocks.append(Text(line))
    first = today - timedelta(days=days - 1)
    title = f"Last {days} days · {_short(first)} – {_short(today)}"
    image = await _chart_block(entries, logoffs, first=first, last=today, title=title)
    if image is not None:
        blocks.append(image)
    blocks.append(Divider())
    blocks.append(Text(await _schedule_line(ctx)))
    other = 30 if days == 7 else 7
    blocks.append(
        Buttons(
            (
                Button("Check in now", "checkin:start"),
                Button(f"Show {other} days", "checkin:me", str(other)),
            )
        )
    )
    return Message(f"Your dashboard: streak {streak.current}", tuple(blocks))


def _streak_text(current: int, best: int) -> str:
    """``🔥 Streak: 3 workdays in a row (best 5)``, or, with no streak, how to start one."""
    if current == 0:
        record = f" Your best so far: {best} in a row." if best else ""
        return f"No check-in streak right now — check in today to start one.{record}"
    unit = "workday" if current == 1 else "workdays"
    return f"🔥 Streak: *{current} {unit} in a row* (best {best})"


async def _schedule_line(ctx: Context) -> str:
    at = await daily_time(ctx)
    if at is not None:
        return (
            f"Daily check-in: {at:%H:%M} on {format_workdays(ctx.member.workdays)} "
            f"({ctx.zone.key}). `checkin off` stops it."
        )
    return "No daily check-in scheduled: `checkin at 17:00` sends one on your workdays."


# --- the weekly summary ------------------------------------------------------------------


async def weekly_summary(ctx: Context, *, today: date) -> Message | None:
    """The week in numbers with the chart, or ``None`` when there is nothing to say."""
    first = today - timedelta(days=6)
    since = today - timedelta(days=40)
    entries = await records.entries(ctx, since=since)
    logoffs = await records.logoff_records(ctx, since=since)
    week = window(entries, today=today, days=7)
    week_logoffs = on_time(logoffs, today=today, days=7)
    if not week.checkins and not (week_logoffs.answered or week_logoffs.missed):
        return None
    calendar = records.calendar_for(ctx)
    streak = streaks(await records.all_dates(ctx), calendar=calendar, today=today)
    month = window(entries, today=today, days=30)
    # Name the working week (Mon 2 – Fri 6 Mar), though the numbers cover all seven days.
    start = next(
        (first + timedelta(days=i) for i in range(7) if calendar.counts(first + timedelta(days=i))),
        first,
    )
    blocks: list[Block] = [
        Text(
            f"*Your week* · {day_label(start)} – {day_label(today)}\n"
            f"{week.checkins} check-in{'s' if week.checkins != 1 else ''}, "
            f"streak {streak.current} (best {streak.best}). Only you get this summary."
        ),
        _stats_fields(week, month, _ontime_text(logoffs, today)),
    ]
    trend = _trend_text(entries, today)
    if trend:
        blocks.append(Text(trend))
    for line in await records.nudge_lines(ctx, today=today):
        blocks.append(Text(line))
    title = f"Last 7 days · {_short(first)} – {_short(today)}"
    image = await _chart_block(entries, logoffs, first=first, last=today, title=title)
    if image is not None:
        blocks.append(image)
    blocks.append(Text("Have a good weekend — `/crossfade me` shows this any time."))
    return Message(f"Your week: {week.checkins} check-ins", tuple(blocks))
