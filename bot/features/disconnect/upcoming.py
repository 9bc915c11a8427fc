"""``next``: what Crossfade will send me in the next 7 days, and why not the rest.

Every scheduled DM of the person, day by day in local time, with the reason for each one that
will not come (weekend, holiday, away, quiet hours, outside the working window) and the
daylight-saving changes ahead flagged. It asks the same functions the dispatcher asks
(``skip_reason`` and ``bot.domain.window.decide``), so the forecast is what happens.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain.parsing import format_day
from bot.domain.schedule import PersonalRules, holiday_name, skip_reason
from bot.domain.schedule_rules import DailyLocal, Once
from bot.domain.workweek import last_workday
from bot.domain.zones import format_offset
from bot.features.disconnect.store import Upcoming
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.registry import Flow
from bot.kernel.storage.models.scheduling import Schedule
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Message, Text
from bot.scheduling import member_rules
from bot.scheduling.window import verdict_for

__all__ = ["flow", "forecast"]

flow = Flow("next")

DAYS = 7
LABELS = {
    "logoff.heads_up": "wind-down heads-up",
    "logoff.remind": "log-off reminder",
    "logoff.hours_heads_up": "wind-down heads-up",
    "logoff.hours": "log-off reminder (hours since `start`)",
    "logoff.snooze": "snoozed log-off reminder",
    "checkin": "daily check-in",
    "checkin-summary": "weekly summary",
}
REASONS = {
    "workday": "not a workday",
    "away": "you're away",
    "quiet": "inside your quiet hours",
}


@flow.command(
    "next",
    summary="what Crossfade will send you in the next 7 days, and why not the rest",
    syntax=(Usage(help="what the bot will send you in the next 7 days, and why not the rest"),),
    section="Reminders",
    aliases=("upcoming",),
)
async def upcoming(ctx: Context, cmd: Call) -> list[Effect]:
    lines = await forecast(ctx)
    text = "\n".join(lines)
    return [Reply(Message("What Crossfade will send you in the next 7 days", (Text(text),)))]


async def forecast(ctx: Context) -> list[str]:
    rows = await ctx.store(Upcoming).active(ctx.member)
    rules = member_rules(ctx.member, ctx.team)
    window = ctx.work_window
    head = (
        f"*Next 7 days* ({rules.zone.key}; working window {window.label()}; strict mode "
        f"{'on' if ctx.team.strict_disconnect else 'off'}):"
    )
    lines = [head]
    end = ctx.now + timedelta(days=DAYS)
    for offset in range(DAYS):
        day = ctx.local_today + timedelta(days=offset)
        items = sorted(_items(ctx, rows, rules, day, end))
        change = _dst_change(rules, day)
        if change:
            lines.append(f"⚠ {format_day(day, ctx.local_today)}: {change}")
        if items:
            lines.append(f"*{format_day(day, ctx.local_today)}*")
            lines += [f"  {clock} {text}" for clock, text in items]
    if len(lines) == 1:
        lines.append("Nothing scheduled. `logoff 17:30` or `checkin at 17:00` set something up.")
    return lines


def _items(
    ctx: Context, rows: list[Schedule], rules: PersonalRules, day: date, end: datetime
) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for row in rows:
        rule = row.rule
        label = LABELS.get(row.kind)
        if label is None:
            continue
        if isinstance(rule, Once):
            local = rule.at.astimezone(rules.zone)
            if local.date() == day and row.next_due_at is not None and ctx.now < rule.at < end:
                items.append((f"{local:%H:%M}", label))
            continue
        if not isinstance(rule, DailyLocal):
            continue
        local = datetime.combine(day, rule.at, rules.zone)
        if local <= ctx.now:
            continue
        if row.kind == "checkin-summary" and not _summary_day(ctx, day):
            continue
        items.append((f"{local:%H:%M}", _status(ctx, row, rules, label, local)))
    return items


def _summary_day(ctx: Context, day: date) -> bool:
    return day.weekday() == last_workday(ctx.member.workdays)


def _status(ctx: Context, row: Schedule, rules: PersonalRules, label: str, local: datetime) -> str:
    day = local.date()
    if row.done_through is not None and day <= row.done_through:
        return f"{label} — not coming: already done or skipped today"
    reason = skip_reason(row.rule, rules, local)
    if reason == "holiday":
        name = holiday_name(rules.holidays or "", day) or "public holiday"
        return f"{label} — not coming: holiday ({name})"
    if reason == "workday":
        weekend = day.weekday() >= 5
        return f"{label} — not coming: {'weekend' if weekend else REASONS[reason]}"
    if reason is not None:
        return f"{label} — not coming: {REASONS.get(reason, reason)}"
    values = {c: getattr(ctx.member, c) for c in ("work_start", "work_end", "checkin_outside_ok")}
    values["early_start_at"] = ctx.member.early_start_at
    verdict = verdict_for(row.kind, values, ctx.team, rules, local)
    if verdict.action == "drop":
        return f"{label} — not coming: {verdict.reason} (strict mode)"
    if verdict.action == "defer" and verdict.until is not None:
        return f"{label} — waits for your working day: {verdict.until:%a %H:%M}"
    if verdict.category == "asked":
        return f"{label} (outside your window, as you asked)"
    return label


def _dst_change(rules: PersonalRules, day: date) -> str:
    zone = rules.zone
    before = datetime.combine(day, time(0), zone)
    after = datetime.combine(day + timedelta(days=1), time(0), zone)
    if before.utcoffset() == after.utcoffset():
        return ""
    return (
        f"clocks change ({format_offset(zone, before)} → {format_offset(zone, after)}); "
        "your times stay in local time"
    )
