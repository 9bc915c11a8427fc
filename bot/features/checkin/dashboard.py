"""``me``: the private dashboard, and the weekly summary DM (same numbers, same chart).

Numbers come from :mod:`bot.features.checkin.insights`; the chart from
:mod:`bot.features.checkin.chart`, rendered in a worker thread. Nothing here is ever
posted to a channel.
"""

from __future__ import annotations

import logging
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select

from bot.domain.parsing import format_workdays, parse_clock, workday_set
from bot.domain.zones import safe_zone
from bot.features.checkin import records
from bot.features.checkin.chart import ChartDay, checkin_chart
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

__all__ = [
    "PURGE_KIND",
    "SUMMARY_KIND",
    "chart_days",
    "dashboard_message",
    "ensure_purge",
    "last_workday",
    "logoff_time",
    "schedule_weekly_summary",
    "weekly_summary",
]

log = logging.getLogger(__name__)

SUMMARY_KIND = "checkin-summary"
PURGE_KIND = "checkin-purge"
PURGE_AT = time(3, 0)
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
    schedule = await _get_schedule(ctx, "checkin")
    at = getattr(getattr(schedule, "rule", None), "at", None)
    if isinstance(at, time):
        return (
            f"Daily check-in: {at:%H:%M} on {format_workdays(ctx.member.workdays)} "
            f"({ctx.zone.key}). `checkin off` stops it."
        )
    return "No daily check-in scheduled: `checkin at 17:00` sends one on your workdays."


# --- the weekly summary ------------------------------------------------------------------


def last_workday(mask: int) -> int:
    """The weekday (Monday = 0) that ends the person's working week: the workday followed by
    the longest run of days off (Friday for Mon–Fri, Thursday for Sun–Thu)."""
    days = workday_set(mask)
    best, best_gap = 4, 0
    for day in sorted(days):
        gap = 0
        while gap < 7 and (day + gap + 1) % 7 not in days:
            gap += 1
        if gap > best_gap:
            best, best_gap = day, gap
    return best


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


# --- schedules (the engine of the log-off issue runs them) -------------------------------


def _engine() -> Any | None:
    try:
        import bot.scheduling as engine
    except ImportError:
        return None
    return engine


async def _get_schedule(ctx: Context, kind: str) -> Any:
    engine = _engine()
    if engine is None:
        return None
    return await engine.get_schedule(ctx, kind=kind, member=ctx.member)


async def logoff_time(ctx: Context) -> time:
    """The person's log-off time (fixed mode: the reminder; integration mode: the hard stop),
    else the team's default."""
    try:
        from bot.features.logoff.models import LogoffSettings
    except ImportError:
        settings = None
    else:
        settings = await ctx.session.scalar(
            select(LogoffSettings).where(
                LogoffSettings.team_id == ctx.team.id, LogoffSettings.member_id == ctx.member.id
            )
        )
    candidates = []
    if settings is not None:
        candidates = [settings.at if settings.mode == "fixed" else settings.hard_stop]
    for text in [*candidates, ctx.team.default_logoff, "17:30"]:
        if text:
            try:
                return parse_clock(text)
            except ValueError:
                continue
    return time(17, 30)


async def schedule_weekly_summary(ctx: Context) -> None:
    """A daily member-local schedule at log-off time; the job only speaks on the last
    workday of the week, so away days, holidays and quiet hours are honoured for free."""
    engine = _engine()
    if engine is None:
        return
    at = await logoff_time(ctx)
    await engine.set_schedule(
        ctx,
        kind=SUMMARY_KIND,
        rule=engine.DailyLocal(at),
        member=ctx.member,
        # its own "Skip today" would read oddly on a summary
        data={"no_skip": True},
    )


async def ensure_purge(ctx: Context) -> None:
    """The team's retention purge: every night at 03:00 in the team's zone. Seven weekly
    schedules (one per weekday) rather than a self-renewing one-off, so a night missed
    while the bot was down never ends the chain."""
    engine = _engine()
    if engine is None:
        return
    if await engine.get_schedule(ctx, kind=PURGE_KIND, ref="6", team_level=True) is not None:
        return
    zone = safe_zone(ctx.team.default_timezone).key
    for weekday in range(7):
        await engine.set_schedule(
            ctx,
            kind=PURGE_KIND,
            ref=str(weekday),
            rule=engine.WeeklyLocal(weekday, PURGE_AT, zone),
            team_level=True,
        )
