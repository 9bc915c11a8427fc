"""Quiet hours that match Slack's Do Not Disturb schedule, proposed once.

Someone on Slack who has not connected (``connect``) may still have a Do Not Disturb
schedule in Slack. The first time they look at their quiet hours (``quiet``), Crossfade reads
it once with the bot scope ``dnd:read`` (``dnd.info`` for that user, through the outbox
lane) and, if it differs, proposes the same hours: [Use these] [Keep mine]. A missing scope
or another error gets one plain line and is never retried. The proposal message itself is
built here (:func:`proposal`, offered to the adapter through the ``DND_WORDING`` slot) so
that the core's words stay in the core.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.parsing import InputError, format_clock, parse_quiet
from bot.domain.quiet import quiet_hours_text
from bot.features.disconnect.connect_store import ConnectTokens
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Presence, Update
from bot.kernel.registry import Flow
from bot.kernel.slots import DND_WORDING, QUIET_HOURS_SET, DndWording
from bot.kernel.ui import Button, Buttons, Message, Text
from bot.scheduling import Due, Once, get_schedule, set_schedule

__all__ = ["READ", "error_line", "flow", "maybe_read", "proposal"]

flow = Flow("slack_dnd")

READ = "connect.dnd_read"
USE = "connect:dnd_use"
KEEP = "connect:dnd_keep"
# A call, not a DM: no Skip button, no personal rules, and late rather than never.
_CALL = {"ignore_rules": True, "no_skip": True, "run_late": True}


async def maybe_read(ctx: Context) -> str:
    """Schedule the one read of the person's Slack DND (Slack, not connected, never read
    before); the line that says so, or ""."""
    if ctx.actor.platform != "slack":
        return ""
    connected = await ctx.store(ConnectTokens).connected(ctx.member)
    if connected or await get_schedule(ctx, kind=READ) is not None:
        return ""
    await set_schedule(ctx, kind=READ, rule=Once(ctx.now), data=dict(_CALL))
    return "I'll look at your Slack Do Not Disturb schedule once and suggest matching hours."


@flow.job(READ)
async def read_job(ctx: Context, due: Due) -> list[Effect]:
    # The zone (``status``) and the current quiet hours (``until``) ride along, so that the
    # adapter can say Slack's hours in the person's local time beside their own.
    current = quiet_hours_text(ctx.member.quiet_start, ctx.member.quiet_end)
    return [Presence(ctx.user_ref, "dnd_read", until=current, status=ctx.zone.key)]


def proposal(start_ts: int, end_ts: int, zone_key: str, current: str) -> Message | None:
    """The proposal for Slack's next DND window (``None`` if it matches or makes no sense)."""
    zone = ZoneInfo(zone_key)
    start = datetime.fromtimestamp(start_ts, zone)
    end = datetime.fromtimestamp(end_ts, zone)
    if end <= start or (end - start).total_seconds() > 24 * 3600:
        return None
    hours = f"{format_clock(start.time())}-{format_clock(end.time())}"
    label = hours.replace("-", "–")
    if label == current or start.time() == end.time():
        return None
    text = (
        f"Your Slack pauses notifications {label} ({zone_key}, Do Not Disturb). Use the same "
        f"quiet hours in Crossfade? Yours now: {current}."
    )
    buttons = Buttons((Button(f"Use {label}", USE, hours, "primary"), Button("Keep mine", KEEP)))
    return Message("Quiet hours from Slack", (Text(text), buttons))


def error_line(code: str) -> str:
    """The one line when Slack would not tell (never retried)."""
    why = (
        "this installation lacks the `dnd:read` permission — an admin can reinstall the app"
        if code in ("missing_scope", "not_allowed_token_type", "no_permission")
        else f"Slack said {code[:40]}"
    )
    return (
        f"I couldn't read your Slack Do Not Disturb schedule ({why}), so there is nothing to "
        "match; `quiet 22:00-07:00` sets Crossfade's quiet hours by hand."
    )


flow.provide(QUIET_HOURS_SET, maybe_read)
flow.provide(DND_WORDING, DndWording(proposal, error_line))


def _show(ctx: Context, text: str) -> list[Effect]:
    message = Message(text, (Text(text),))
    return [Update(ctx.message_ref, message)] if ctx.message_ref is not None else [reply(text)]


@flow.action(USE)
async def use_pressed(ctx: Context, value: str) -> list[Effect]:
    try:
        start, end = parse_quiet(value)
    except InputError:
        return _show(ctx, "That button is no longer valid; your quiet hours stay as they are.")
    ctx.member.quiet_start, ctx.member.quiet_end = format_clock(start), format_clock(end)
    await ctx.rules_changed()
    return _show(
        ctx,
        f"Quiet hours set to match Slack: no DMs from {ctx.member.quiet_start}–"
        f"{ctx.member.quiet_end} your time ({ctx.zone.key}).",
    )


@flow.action(KEEP)
async def keep_pressed(ctx: Context, value: str) -> list[Effect]:
    return _show(ctx, "Kept your quiet hours as they are.")
