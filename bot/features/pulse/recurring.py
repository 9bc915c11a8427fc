"""Templates, weekly pulses and their trend in the ``team`` view.

A weekly pulse is a :class:`PulseSeries` row plus a team-level ``WeeklyLocal`` schedule
(``pulse.weekly``). Each firing closes the series' previous poll if it is still open and
posts the next one, which closes on its own schedule before the following week's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain.parsing import format_clock
from bot.domain.zones import safe_zone
from bot.features.pulse.arguments import (
    AT,
    DAY,
    GAP_BEFORE_NEXT,
    OPEN_MINUTES,
    SERIES,
    TEMPLATE,
    template_or_error,
)
from bot.features.pulse.chart import trend_chart
from bot.features.pulse.polls import (
    close_poll,
    open_poll,
    poll_k,
    pulses,
    require_creator,
    target_channel,
)
from bot.features.pulse.tally import (
    TrendRow,
    WeekResult,
    effective_k,
    trend_rows,
    validate_deadline,
)
from bot.features.pulse.templates import PulseTemplates, get_pulse_templates
from bot.features.pulse.views import deadline_text, kind_text, series_line
from bot.features.pulse.window import hold, weekly_slot
from bot.features.team.commands import team_section
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.events import Place
from bot.kernel.syntax import Call
from bot.kernel.ui import Block, Image, Message, Option, Select, Text
from bot.scheduling import Due, WeeklyLocal, cancel_schedule, get_schedule, set_schedule

__all__ = [
    "WEEKLY_JOB",
    "ask_template",
    "schedule_command",
    "templates",
    "templates_message",
    "trend_blocks",
    "weekly_job",
]

log = logging.getLogger(__name__)

WEEKLY_JOB = "pulse.weekly"
FULL_DAY = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_SERIES = 20


def templates(ctx: Context) -> PulseTemplates:
    return get_pulse_templates(ctx.settings.content_dir or None)


# --- pulse templates ------------------------------------------------------------------------


def templates_message(ctx: Context) -> Message:
    lines = []
    for t in templates(ctx):
        about = f"\n   _{t.about}_" if t.about else ""
        lines.append(f"• `{t.id}` — *{t.question}* ({kind_text(t.kind)}){about}")
    text = (
        "*Ready-made pulse questions*\n"
        + "\n".join(lines)
        + "\n\nAsk one now with the menu below or `pulse ask <name> [closes 2d]`; admins can "
        "repeat one every week with `pulse schedule weekly fri 15:00 <name>`."
    )
    choose = Select(
        "Ask one now…",
        "pulse:template",
        tuple(Option(t.question[:75], t.id) for t in templates(ctx)),
    )
    return Message("Ready-made pulse questions", (Text(text), choose))


async def ask_template(
    ctx: Context, template_id: str, *, closes_at: datetime | None = None
) -> list[Effect]:
    """Post a template's question now (from the menu or `pulse ask <id>`)."""
    from bot.features.pulse.tally import DEFAULT_OPEN

    require_creator(ctx)
    template = template_or_error(ctx, template_id)
    channel = target_channel(ctx)
    closes = closes_at or ctx.now + DEFAULT_OPEN
    held = await hold(ctx, template.spec, closes_at=closes, channel=channel, template=template.id)
    if held is not None:
        return held
    poll, effects = await open_poll(
        ctx, template.spec, closes_at=closes, channel=channel, template=template.id
    )
    return [*effects, _asked_reply(poll.number, channel, closes, ctx.zone.key)]


def _asked_reply(number: int, channel: Place, closes: datetime, zone: str) -> Reply:
    return reply(
        f"Posted anonymous pulse #{number} to #{channel.name or channel.id}. It closes "
        f"{deadline_text(closes, zone)}; `pulse close {number}` closes it sooner, "
        f"`pulse results {number}` shows the results after."
    )


# --- pulse schedule -------------------------------------------------------------------------


async def schedule_command(ctx: Context, cmd: Call) -> list[Effect]:
    """`pulse schedule` (list), `pulse schedule weekly fri 15:00 TEMPLATE [closes 2d]`,
    `pulse schedule off N`."""
    if cmd.words == ("schedule",) and not cmd.values:
        return [await _list_series(ctx)]
    if cmd.said("off"):
        return await _stop_series(ctx, cmd.value(SERIES))
    if cmd.said("daily"):
        raise UserError("Recurring pulses are weekly: `pulse schedule weekly fri 15:00 workload`.")
    return await _add_series(ctx, cmd)


async def _add_series(ctx: Context, cmd: Call) -> list[Effect]:
    open_minutes = cmd.get(OPEN_MINUTES)
    template = cmd.value(TEMPLATE)
    weekday, at, moved = weekly_slot(ctx, cmd.value(DAY), cmd.value(AT))
    channel = target_channel(ctx)
    repo = pulses(ctx)
    existing = await repo.active_series()
    for series in existing:
        if (series.template, series.weekday, series.at) == (template.id, weekday, format_clock(at)):
            raise UserError(
                f"That pulse is already scheduled (#{series.number}). `pulse schedule` lists them."
            )
    if len(existing) >= MAX_SERIES:
        raise UserError(f"A team can have at most {MAX_SERIES} weekly pulses.")
    zone = ctx.zone.key
    series = await repo.add_series(
        template=template.id,
        weekday=weekday,
        at=format_clock(at),
        zone=zone,
        channel_id=channel.id,
        channel_name=channel.name or channel.id,
        open_minutes=open_minutes,
    )
    schedule = await set_schedule(
        ctx,
        kind=WEEKLY_JOB,
        rule=WeeklyLocal(weekday, at, zone),
        ref=f"series:{series.id}",
        data={"series_id": series.id},
        team_level=True,
    )
    first = schedule.next_due_at
    when = f" The first one goes out {deadline_text(first, zone)}." if first else ""
    lasts = (
        f"stays open {_duration_text(open_minutes)}"
        if open_minutes
        else "closes an hour before the next one"
    )
    return [
        reply(
            f"Scheduled weekly pulse #{series.number}: every {FULL_DAY[weekday]} at "
            f"{format_clock(at)} ({zone}) I'll post “{template.question}” to "
            f"#{channel.name or channel.id}. Each one {lasts}.{when} "
            f"`pulse schedule off {series.number}` stops it." + (f" {moved}" if moved else "")
        )
    ]


def _duration_text(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p)


async def _stop_series(ctx: Context, number: int) -> list[Effect]:
    series = await pulses(ctx).series(number)
    if series is None or not series.active:
        raise UserError(f"There is no active weekly pulse #{number}. `pulse schedule` lists them.")
    series.active = False
    await cancel_schedule(ctx, kind=WEEKLY_JOB, ref=f"series:{series.id}", team_level=True)
    return [
        reply(
            f"Stopped weekly pulse #{number}. A poll of it that is open now still closes as "
            "planned, and past results stay in `team`."
        )
    ]


async def _list_series(ctx: Context) -> Reply:
    active = await pulses(ctx).active_series()
    if not active:
        return reply(
            "No weekly pulses yet. Admins start one with `pulse schedule weekly fri 15:00 "
            "workload` (`pulse templates` lists the questions)."
        )
    lines = []
    for series in active:
        found = templates(ctx).get(series.template)
        question = found.question if found else f"(template `{series.template}` is gone)"
        line = series_line(series, question, day_names=FULL_DAY)
        schedule = await get_schedule(
            ctx, kind=WEEKLY_JOB, ref=f"series:{series.id}", team_level=True
        )
        if schedule is not None and schedule.next_due_at is not None:
            line += f" — next {deadline_text(schedule.next_due_at, series.zone)}"
        lines.append(line)
    return reply("*Weekly pulses*\n" + "\n".join(lines))


async def weekly_job(ctx: Context, due: Due) -> list[Effect]:
    """A weekly pulse falls due: close last week's poll if still open, post this week's."""
    series = await pulses(ctx).series_by_id(int(due.data.get("series_id", 0)))
    if series is None or not series.active:
        return []
    effects: list[Effect] = []
    for previous in await pulses(ctx).open_in_series(series.id):
        effects += await close_poll(ctx, previous)
    template = templates(ctx).get(series.template)
    if template is None:
        log.warning("weekly pulse %s: template %r no longer exists", series.id, series.template)
        return effects
    if series.open_minutes:
        closes = due.due_at + timedelta(minutes=series.open_minutes)
    else:
        # Same wall time next week, in the series' zone (DST-safe), minus the gap.
        zone = safe_zone(series.zone)
        next_local = (due.due_at.astimezone(zone) + timedelta(days=7)).replace(tzinfo=None)
        closes = next_local.replace(tzinfo=zone).astimezone(due.due_at.tzinfo) - GAP_BEFORE_NEXT
    validate_deadline(closes, now=ctx.now)
    channel = Place.channel(series.channel_id, series.channel_name or series.channel_id)
    _, posted = await open_poll(
        ctx,
        template.spec,
        closes_at=closes,
        channel=channel,
        template=template.id,
        series_id=series.id,
        zone=series.zone,
        creator=False,
    )
    return [*effects, *posted]


# --- the trend in `team` --------------------------------------------------------------------


async def trend_blocks(ctx: Context) -> list[Block]:
    """Each template question's result week by week — only weeks where at least k answered."""
    history = await pulses(ctx).template_history()
    if not history:
        return []
    results = [
        WeekResult(
            template=poll.template or "",
            question=poll.question,
            kind=poll.kind,
            asked_at=poll.opened_at,
            tally=tally,
            shown=poll.responses >= poll_k(ctx, poll),
        )
        for poll, tally in history
    ]
    rows = trend_rows(results, zone=ctx.zone)
    if not rows:
        return []
    k = effective_k(ctx.team.k_threshold)
    blocks: list[Block] = []
    by_unit: dict[str, list[TrendRow]] = {}
    for row in rows:
        lines = [f"*{row.question}* — {row.unit}"]
        for point in row.points:
            lines.append(f"• week of {point.week:%d %b}: {point.text} · {point.answers} answers")
        if row.hidden:
            word = "week" if row.hidden == 1 else "weeks"
            lines.append(f"_{row.hidden} {word} not shown: fewer than {k} people answered._")
        if not row.points:
            lines.append("_No week had enough answers to show yet._")
        if row.change:
            lines.append(f"_{row.change}_")
        blocks.append(Text("\n".join(lines)))
        if len(row.points) >= 2 and row.value_unit:
            by_unit.setdefault(row.value_unit, []).append(row)
    for unit, charted in by_unit.items():
        shown = [p.week for row in charted for p in row.points]
        # Every week from the first to the last, so a hidden week shows as a gap.
        weeks = [
            min(shown) + timedelta(weeks=i) for i in range((max(shown) - min(shown)).days // 7 + 1)
        ]
        series = [
            (row.question, [(f"{p.week:%d %b}", p.value) for p in row.points]) for row in charted
        ]
        png = await trend_chart(
            series,
            weeks=[f"{w:%d %b}" for w in weeks],
            title="Pulse trend by week",
            unit=unit,
            limits=(1.0, 5.0) if "1–5" in unit else (0.0, 100.0),
        )
        alt = "Trend by week: " + "; ".join(
            f"{name}: " + ", ".join(f"week of {week} {value:.1f}" for week, value in points)
            for name, points in series
        )
        blocks.append(Image(png, alt[:1900], filename="pulse-trend.png"))
    return blocks


@team_section("Pulse trends", order=20)
async def _pulse_trends(ctx: Context) -> list[Block]:
    return await trend_blocks(ctx)
