"""A pulse is posted only inside the asker's working window (strict mode).

A channel post is not a DM, but a poll posted at 21:00 still pings a channel in the evening
and asks the team to answer then. So in strict mode a pulse asked outside the asker's
window waits for the window's next start: the asker hears at once when it will be posted,
the poll stays open as long as it would have (its close moves by the same delay), and a
``pulse.deferred`` job posts it. A weekly pulse set for a time outside the window is moved
to the window's start on the asker's next workday, and the asker is told so.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any

from bot.domain.window import inside, next_window_start, outside_reason
from bot.features.pulse.polls import open_poll
from bot.features.pulse.series_store import HeldPulses
from bot.features.pulse.spec import DEFAULT_OPEN, PollSpec
from bot.features.pulse.views import deadline_text
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect
from bot.kernel.events import Place
from bot.scheduling import Due, Once, member_rules, set_schedule

__all__ = ["DEFERRED_JOB", "hold", "hold_until", "post_deferred", "waiting_lines", "weekly_slot"]

DEFERRED_JOB = "pulse.deferred"
# Not a DM: no Skip button, no personal rules (the window start was chosen with them), and
# posted late rather than never after an outage.
_CALL = {"ignore_rules": True, "no_skip": True, "run_late": True}
_FULL_DAY = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def hold_until(ctx: Context) -> datetime | None:
    """The asker's next window start if they are outside their window now (strict mode)."""
    if not ctx.team.strict_disconnect:
        return None
    base, rules = ctx.work_window, member_rules(ctx.member, ctx.team)
    if inside(ctx.now.astimezone(rules.zone), base, rules, ctx.member.early_start_at):
        return None
    return next_window_start(ctx.now, base, rules)


async def hold(
    ctx: Context,
    spec: PollSpec,
    *,
    closes_at: datetime,
    channel: Place,
    template: str | None = None,
) -> list[Effect] | None:
    """Outside the asker's window: schedule the post for the window's start and say so;
    ``None`` when the pulse may be posted now."""
    until = hold_until(ctx)
    if until is None:
        return None
    closes = closes_at + (until - ctx.now)
    data: dict[str, Any] = {
        "question": spec.question,
        "kind": spec.kind,
        "options": list(spec.options),
        "legend": spec.legend,
        "closes_at": closes.isoformat(),
        "channel_id": channel.id,
        "channel_name": channel.name or channel.id,
        "private": channel.private,
        "template": template or "",
        **_CALL,
    }
    # Each held pulse is its own one-off job (two asked the same evening both wait).
    ref = f"ask:{secrets.token_hex(6)}"
    await set_schedule(ctx, kind=DEFERRED_JOB, rule=Once(until), ref=ref, data=data)
    local = ctx.now.astimezone(ctx.zone)
    reason = outside_reason(local, ctx.work_window, member_rules(ctx.member, ctx.team))
    return [
        reply(
            f"It's {local:%H:%M} — {reason}; Crossfade keeps evenings free, so “{spec.question}” "
            f"waits until your working window opens: it will be posted to "
            f"#{channel.name or channel.id} on {deadline_text(until, ctx.zone.key)} and close "
            f"{deadline_text(closes, ctx.zone.key)}. Nothing is posted before then."
        )
    ]


async def waiting_lines(ctx: Context) -> list[str]:
    """The asker's own pulses still waiting for their window (for `pulse list`)."""
    held = await ctx.store(HeldPulses).waiting(ctx.member.id, job=DEFERRED_JOB)
    return [
        f"• “{pulse.question}” — posted to "
        f"#{pulse.channel_name} on {deadline_text(pulse.posts_at, ctx.zone.key)}"
        for pulse in held
    ]


async def post_deferred(ctx: Context, due: Due) -> list[Effect]:
    """The window opened: post the held pulse."""
    data = due.data
    spec = PollSpec(
        str(data["question"]),
        data["kind"],
        tuple(str(o) for o in data.get("options") or ()),
        str(data.get("legend") or ""),
    )
    closes = datetime.fromisoformat(str(data["closes_at"]))
    if closes <= ctx.now + timedelta(minutes=5):  # posted very late (an outage): a fresh span
        closes = ctx.now + DEFAULT_OPEN
    channel = Place.channel(
        str(data["channel_id"]),
        str(data.get("channel_name") or data["channel_id"]),
        private=bool(data.get("private")),
    )
    _, posted = await open_poll(
        ctx, spec, closes_at=closes, channel=channel, template=str(data.get("template")) or None
    )
    return posted


def weekly_slot(ctx: Context, weekday: int, at: time) -> tuple[int, time, str]:
    """A weekly pulse's day and time, moved into the asker's window (strict mode): the
    window's start on the same day if it is a workday and ``at`` is before the start, else on
    the next workday. Returns (weekday, time, a sentence for the asker or "")."""
    if not ctx.team.strict_disconnect:
        return weekday, at, ""
    base = ctx.work_window
    workdays = member_rules(ctx.member, ctx.team).workdays
    if not workdays & 0x7F:
        return weekday, at, ""

    def works(day: int) -> bool:
        return bool(workdays & (1 << day))

    if works(weekday) and base.contains(at):
        return weekday, at, ""
    day = weekday
    if not (works(day) and base.start <= base.end and at < base.start):
        day = (weekday + 1) % 7
        while not works(day):
            day = (day + 1) % 7
    note = (
        f"{_FULL_DAY[weekday]} {at:%H:%M} is outside your working window ({base.label()}); "
        f"Crossfade keeps evenings and days off free, so it posts on {_FULL_DAY[day]}s at "
        f"{base.start:%H:%M} instead."
    )
    return day, base.start, note
