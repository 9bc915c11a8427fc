"""Personal rules: time zone, workdays, quiet hours and away days."""

from __future__ import annotations

from datetime import date

from bot.domain.parsing import (
    format_clock,
    format_day,
    format_workdays,
)
from bot.domain.quiet import quiet_hours_text
from bot.domain.zones import (
    COMMON_ZONES,
    format_offset,
    place_zone_for,
    resolve_zone,
    safe_zone,
)
from bot.features.personal import rule_notes
from bot.features.personal.store import MySchedules
from bot.kernel.arguments import OFF, clock_range, date_range, weekdays, zone
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.slots import MY_SETTINGS, QUIET_HOURS_SET
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Block, Button, Buttons, Field, Message, Option, Select, Text

__all__ = ["flow", "timezone_prompt"]

flow = Flow("personal")

ZONE = zone()
DAYS = weekdays()
QUIET_HOURS = clock_range()
AWAY_DAYS = date_range()


def _zone_line(ctx: Context) -> str:
    zone = ctx.zone
    source = {
        "user": "set by you",
        "platform": f"from your {ctx.actor.platform.title()} profile",
    }.get(ctx.member.timezone_source or "", "the team default")
    local = ctx.now.astimezone(zone)
    return (
        f"{zone.key} ({format_offset(zone, ctx.now)}, {source}); "
        f"it's {local:%H:%M} on {local:%A} there"
    )


async def _set_zone(ctx: Context, name: str) -> list[Effect]:
    if ctx.member.timezone == name and ctx.member.timezone_source == "user":
        return [reply(f"Your time zone is already {name} — nothing to change.")]
    before = await rule_notes.snapshot(ctx)
    ctx.member.timezone = name
    ctx.member.timezone_source = "user"
    await ctx.conversations.end(ctx.member, ZONE_ASKED)
    await ctx.rules_changed()
    text = f"Time zone set: {_zone_line(ctx)}. Reminders and check-ins follow it."
    meant = place_zone_for(name)
    if meant is None:
        return [await _answer(ctx, text, before)]
    note = (
        f"Note: {name} is always {format_offset(ctx.zone, ctx.now)} — it ignores daylight "
        f"saving time. For {_city(meant)} time all year round, use {meant}."
    )
    extra = (Text(note), Buttons((Button(f"Use {meant}", "personal:timezone", meant),)))
    return [await _answer(ctx, text, before, extra)]


async def _answer(
    ctx: Context, text: str, before: list[rule_notes.Watched], extra: tuple[Block, ...] = ()
) -> Reply:
    """The confirmation of a rules change, with what it does to the person's reminders."""
    notes = await rule_notes.notes(ctx, before)
    return Reply(Message(text, (Text(text), *extra, *notes)))


@flow.command(
    "timezone",
    summary="your time zone (IANA name such as Europe/Berlin), used for every reminder",
    syntax=(
        Usage(ZONE, help="set your time zone by its city name, e.g. Europe/Berlin"),
        Usage(help="show your time zone and the time there"),
    ),
    aliases=("tz", "zone"),
)
async def timezone(ctx: Context, cmd: Call) -> list[Effect]:
    match = cmd.get(ZONE)
    if match is None:
        text = f"Your time zone: {_zone_line(ctx)}. Change it with `timezone Area/City`."
        return [Reply(Message(text, (Text(text), *timezone_prompt(ctx, lead=False))))]
    if match.zone:
        return await _set_zone(ctx, match.zone)
    typed = cmd.line.rest
    shown = typed if len(typed) <= 40 else typed[:39] + "…"
    text = f"I don't know the time zone “{shown}”."
    if match.suggestions:
        text += " Did you mean one of these? Press one, or type `timezone Area/City`."
        buttons = tuple(Button(z, "personal:timezone", z) for z in match.suggestions)
        return [Reply(Message(text, (Text(text), Buttons(buttons))))]
    text += " Time zones look like Europe/Berlin or America/New_York."
    return [reply(text)]


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def timezone_prompt(ctx: Context, *, lead: bool = True) -> tuple[Block, ...]:
    """Blocks that ask for the person's time zone when no platform told us and they never
    set one (Discord keeps zones private), or nothing once it is known. Flows add them to
    the reply that first needs local time; until then the team default applies.

    The choice fires ``personal:timezone``; the team default comes first in the list."""
    if ctx.member.timezone:
        return ()
    default = ctx.team.default_timezone
    zones = [default, *(z for z in COMMON_ZONES if z != default)][:25]
    options = tuple(Option(f"{_city(z)} ({z})" if "/" in z else z, z) for z in zones)
    blocks: list[Block] = []
    if lead:
        blocks.append(
            Text(
                f"I'm using {default} (the team default) for your times until you tell me your "
                "time zone. Pick it below, or type `/crossfade timezone` and the name of "
                "your city."
            )
        )
    blocks.append(Select("Choose your time zone", "personal:timezone", options))
    return tuple(blocks)


ZONE_ASKED = "personal:zone_asked"


@flow.after
async def ask_for_zone(ctx: Context, effects: list[Effect]) -> list[Effect]:
    """On platforms that never tell a zone (``Actor.zone_unknown``), ask once — right after
    the person's first reminder or check-in that runs on local time was set up. Until they
    answer, the team default applies."""
    if not ctx.actor.zone_unknown or ctx.member.timezone:
        return effects
    if await ctx.conversations.get(ctx.member, ZONE_ASKED) is not None:
        return effects
    if not await ctx.store(MySchedules).any_due(ctx.member):
        return effects
    await ctx.conversations.start(ctx.member, ZONE_ASKED, {"asked_at": ctx.now.isoformat()})
    blocks = timezone_prompt(ctx)
    return [*effects, Reply(Message("Which time zone are you in?", blocks))]


@flow.action("personal:timezone")
async def pick_timezone(ctx: Context, value: str) -> list[Effect]:
    match = resolve_zone(value)
    if not match.zone:
        raise UserError("That suggestion is no longer valid; type `timezone Area/City`.")
    return await _set_zone(ctx, match.zone)


@flow.command(
    "workdays",
    summary="the local days reminders and check-ins run (mon-fri, mon,wed,fri, sun-thu …)",
    syntax=(
        Usage(
            DAYS, example="mon-fri", help="the days reminders and check-ins come: a range of days"
        ),
        Usage(DAYS, example="mon,tue,thu", help="or a list of days, separated by commas"),
        Usage(help="show your workdays"),
    ),
)
async def workdays(ctx: Context, cmd: Call) -> list[Effect]:
    mask = cmd.get(DAYS)
    if mask is None:
        days = format_workdays(ctx.member.workdays)
        return [reply(f"Your workdays: {days}. Change them with e.g. `workdays mon-fri`.")]
    if mask == ctx.member.workdays:
        return [reply(f"Your workdays are already {format_workdays(mask)}.")]
    before = await rule_notes.snapshot(ctx)
    ctx.member.workdays = mask
    await ctx.rules_changed()
    text = f"Workdays set: {format_workdays(mask)}. Nothing is sent on other days."
    return [await _answer(ctx, text, before)]


def quiet_text(ctx: Context) -> str:
    return quiet_hours_text(ctx.member.quiet_start, ctx.member.quiet_end)


async def _quiet_hours_offers(ctx: Context) -> str:
    """What other features add when someone looks at their quiet hours, or ""."""
    lines = [await offer(ctx) for offer in ctx.provided(QUIET_HOURS_SET)]
    return " ".join(line for line in lines if line)


@flow.command(
    "quiet",
    summary="no DM from the bot inside these local hours (default 20:00-08:00)",
    syntax=(
        Usage(
            QUIET_HOURS,
            help="no DMs from the bot between these two times (it may cross midnight)",
        ),
        Usage(OFF, help="allow DMs at any hour your reminders ask for"),
        Usage(help="show your quiet hours (on Slack, once: offer to match your Do Not Disturb)"),
    ),
)
async def quiet(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.bare:
        reading = await _quiet_hours_offers(ctx)  # Slack: match its Do Not Disturb, asked once
        return [
            reply(
                f"Your quiet hours: {quiet_text(ctx)}. Change them with `quiet 20:00-08:00` "
                "or `quiet off`." + (f" {reading}" if reading else "")
            )
        ]
    if cmd.said(OFF):
        if not ctx.member.quiet_start:
            return [reply("Quiet hours are already off.")]
        ctx.member.quiet_start = ctx.member.quiet_end = None
        await ctx.rules_changed()
        return [reply("Quiet hours off: I may DM you at any hour your reminders ask for.")]
    start, end = cmd.value(QUIET_HOURS)
    before = await rule_notes.snapshot(ctx)
    ctx.member.quiet_start, ctx.member.quiet_end = format_clock(start), format_clock(end)
    await ctx.rules_changed()
    text = f"Quiet hours set: no DMs from {quiet_text(ctx)} your time ({ctx.zone.key})."
    return [await _answer(ctx, text, before)]


@flow.action(rule_notes.MOVE)
async def move_reminder(ctx: Context, value: str) -> list[Effect]:
    return await rule_notes.move(ctx, value)


@flow.action(rule_notes.KEEP)
async def keep_reminder(ctx: Context, value: str) -> list[Effect]:
    return await rule_notes.keep(ctx, value)


def away_text(ctx: Context) -> str:
    start, end = ctx.member.away_start, ctx.member.away_end
    if start is None or end is None or end < ctx.local_today:
        return "not set"
    return f"{_day(start, ctx.local_today)} to {_day(end, ctx.local_today)}"


def _day(value: date, today: date) -> str:
    return format_day(value, today)


@flow.command(
    "away",
    summary="pause all DMs for leave or holidays (inclusive dates)",
    syntax=(
        Usage(AWAY_DAYS, help="no DMs from the first to the last day, both included"),
        Usage(AWAY_DAYS, shown="YYYY-MM-DD", help="no DMs on that one day"),
        Usage(OFF, help="cancel your away days"),
        Usage(help="show your away days"),
    ),
    aliases=("vacation", "leave"),
)
async def away(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.bare:
        return [
            reply(
                f"Away: {away_text(ctx)}. Set it with `away 2026-12-20..2027-01-02` "
                "or clear it with `away off`."
            )
        ]
    if cmd.said(OFF):
        if ctx.member.away_start is None:
            return [reply("You have no away days set.")]
        ctx.member.away_start = ctx.member.away_end = None
        await ctx.rules_changed()
        return [reply("Welcome back! Away days cleared; reminders resume on your next workday.")]
    first, last = cmd.value(AWAY_DAYS)
    before = await rule_notes.snapshot(ctx)
    ctx.member.away_start, ctx.member.away_end = first, last
    await ctx.rules_changed()
    days = (last - first).days + 1
    today = ctx.local_today
    span = (
        f"on {_day(first, today)}"
        if days == 1
        else f"from {_day(first, today)} to {_day(last, today)} ({days} days)"
    )
    text = f"Enjoy the time off! No DMs {span}. `away off` cancels it."
    notes = await rule_notes.notes(ctx, before)
    return [Reply(Message(f"Away {span}", (Text(text), *notes)))]


def zone_for(ctx: Context) -> str:
    return safe_zone(ctx.member.timezone, ctx.team.default_timezone).key


@flow.provides(MY_SETTINGS, order=10)
async def my_rules(ctx: Context) -> list[Field]:
    """The person's own rules at the top of ``settings``."""
    return [
        Field("Time zone", ctx.zone.key),
        Field("Workdays", format_workdays(ctx.member.workdays)),
        Field("Quiet hours", quiet_text(ctx)),
        Field("Away", away_text(ctx)),
    ]
