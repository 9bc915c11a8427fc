"""Ready-made questions (templates) and weekly pulses: `pulse templates`, `pulse ask
TEMPLATE`, `pulse schedule …` and the weekly job. Their trend in the ``team`` view is
:mod:`bot.features.pulse.team_trends`.

A weekly pulse is a :class:`PulseSeries` row plus a team-level ``WeeklyLocal`` schedule
(``pulse.weekly``). Each firing closes the series' previous poll if it is still open and
posts the next one, which closes on its own schedule before the following week's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain.parsing import (
    format_clock,
)
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
from bot.features.pulse.models import PulseSeries
from bot.features.pulse.polls import (
    close_poll,
    open_poll,
    require_creator,
    target_channel,
)
from bot.features.pulse.series_store import WeeklyPulses
from bot.features.pulse.spec import DEFAULT_OPEN, validate_deadline
from bot.features.pulse.store import Pulses
from bot.features.pulse.templates import PulseTemplate, PulseTemplates, get_pulse_templates
from bot.features.pulse.views import deadline_text, kind_text, series_line
from bot.features.pulse.window import hold, weekly_slot
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.events import Place
from bot.kernel.syntax import Call
from bot.kernel.ui import Message, Option, Select, Text
from bot.scheduling import Due, WeeklyLocal, cancel_schedule, get_schedule, set_schedule

__all__ = [
    "WEEKLY_JOB",
    "ask_template",
    "schedule_command",
    "templates",
    "templates_message",
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
    weekly = ctx.store(WeeklyPulses)
    existing = await weekly.active()
    for series in existing:
        if (series.template, series.weekday, series.at) == (template.id, weekday, format_clock(at)):
            raise UserError(
                f"That pulse is already scheduled (#{series.number}). `pulse schedule` lists them."
            )
    if len(existing) >= MAX_SERIES:
        raise UserError(f"A team can have at most {MAX_SERIES} weekly pulses.")
    zone = ctx.zone.key
    series = await weekly.add(
        template=template.id,
        weekday=weekday,
        at=format_clock(at),
        zone=zone,
        channel=channel,
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
    return [_scheduled_reply(series, template, schedule.next_due_at, moved)]


def _scheduled_reply(
    series: PulseSeries, template: PulseTemplate, first: datetime | None, moved: str
) -> Reply:
    when = f" The first one goes out {deadline_text(first, series.zone)}." if first else ""
    lasts = (
        f"stays open {_duration_text(series.open_minutes)}"
        if series.open_minutes
        else "closes an hour before the next one"
    )
    return reply(
        f"Scheduled weekly pulse #{series.number}: every {FULL_DAY[series.weekday]} at "
        f"{series.at} ({series.zone}) I'll post “{template.question}” to "
        f"#{series.channel_name or series.channel_id}. Each one {lasts}.{when} "
        f"`pulse schedule off {series.number}` stops it." + (f" {moved}" if moved else "")
    )


def _duration_text(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p)


async def _stop_series(ctx: Context, number: int) -> list[Effect]:
    weekly = ctx.store(WeeklyPulses)
    series = await weekly.get(number)
    if series is None or not series.active:
        raise UserError(f"There is no active weekly pulse #{number}. `pulse schedule` lists them.")
    await weekly.stop(series)
    await cancel_schedule(ctx, kind=WEEKLY_JOB, ref=f"series:{series.id}", team_level=True)
    return [
        reply(
            f"Stopped weekly pulse #{number}. A poll of it that is open now still closes as "
            "planned, and past results stay in `team`."
        )
    ]


async def _list_series(ctx: Context) -> Reply:
    active = await ctx.store(WeeklyPulses).active()
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
    series = await ctx.store(WeeklyPulses).by_id(int(due.data.get("series_id", 0)))
    if series is None or not series.active:
        return []
    effects: list[Effect] = []
    for previous in await ctx.store(Pulses).open_of_series(series.id):
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
