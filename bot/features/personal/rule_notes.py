"""What a change of zone, workdays, quiet hours or away days does to the reminders a person
already has — said in the answer to that change, never left to be discovered by silence.

``snapshot`` runs before the change, ``notes`` after: a daily reminder that could fire before
and now never can (its time is inside the new quiet hours) is named, with buttons to move it
out of them or to keep things as they are; one that now comes later (away days, fewer
workdays) says when it comes next. The firing rules themselves are
:func:`bot.domain.schedule.next_fire`'s, the same the dispatcher uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.domain.parsing import format_clock, parse_clock
from bot.domain.schedule import PersonalRules, next_fire
from bot.domain.schedule_rules import DailyLocal
from bot.features.personal.store import MySchedules
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply, Update
from bot.kernel.errors import UserError
from bot.kernel.slots import CHECKIN_SETUP, END_OF_DAY
from bot.kernel.ui import Block, Button, Buttons, Message, Text
from bot.scheduling import member_rules

__all__ = ["KEEP", "MOVE", "Watched", "keep", "move", "notes", "snapshot", "suggest_time"]

MOVE = "personal:move"
KEEP = "personal:keep"
# The daily DMs a person set up themselves; heads-ups and summaries follow these.
WATCHED = {"logoff.remind": ("logoff", "log-off reminder"), "checkin": ("checkin", "check-in")}


@dataclass(frozen=True, slots=True)
class Watched:
    kind: str
    at: time
    next_at: datetime | None  # under the rules before the change
    next_day: date | None = None  # its local day, in the zone before the change


async def _rows(ctx: Context) -> list[tuple[str, time]]:
    found: list[tuple[str, time]] = []
    for row in await ctx.store(MySchedules).running(ctx.member, WATCHED):
        rule = row.rule
        if isinstance(rule, DailyLocal):
            found.append((row.kind, rule.at))
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


async def snapshot(ctx: Context) -> list[Watched]:
    """The person's daily DMs and when each would next come, before a change of rules."""
    rules = member_rules(ctx.member, ctx.team)
    found: list[Watched] = []
    for kind, at in await _rows(ctx):
        next_at = next_fire(DailyLocal(at), rules, after=ctx.now)
        day = next_at.astimezone(rules.zone).date() if next_at is not None else None
        found.append(Watched(kind, at, next_at, day))
    return found


def suggest_time(rules: PersonalRules, at: time) -> time | None:
    """The latest half hour before quiet hours begin, at least 30 minutes before them."""
    if rules.quiet is None:
        return None
    start = rules.quiet[0]
    minutes = start.hour * 60 + start.minute - 30
    minutes -= minutes % 30
    if minutes < 0:
        return None
    candidate = time(minutes // 60, minutes % 60)
    return None if rules.in_quiet(candidate) else candidate


def _when(ctx: Context, instant: datetime) -> str:
    local = instant.astimezone(ctx.zone)
    days = (local.date() - ctx.local_today).days
    label = {0: "today", 1: "tomorrow"}.get(days, f"{local:%a} {local.day} {local:%b}")
    return f"{label} {local:%H:%M}"


async def notes(ctx: Context, before: list[Watched]) -> tuple[Block, ...]:
    """Blocks to add to the answer of a rules change (empty when nothing is affected)."""
    rules = member_rules(ctx.member, ctx.team)
    silenced: list[Watched] = []
    later: dict[str, list[str]] = {}
    for item in before:
        if item.next_at is None:
            continue  # already silent: not this change's doing
        now_next = next_fire(DailyLocal(item.at), rules, after=ctx.now)
        label = WATCHED[item.kind][1]
        if now_next is None:
            silenced.append(item)
        elif item.next_day is not None and now_next.astimezone(rules.zone).date() > item.next_day:
            later.setdefault(_when(ctx, now_next), []).append(label)
    blocks: list[Block] = []
    if later:
        parts = [
            f"your {' and '.join(labels)} next {'comes' if len(labels) == 1 else 'come'} {when}"
            for when, labels in later.items()
        ]
        sentence = "; ".join(parts)
        blocks.append(Text(sentence[0].upper() + sentence[1:] + "."))
    if silenced:
        blocks.extend(_silenced(ctx, rules, silenced))
    return tuple(blocks)


def _silenced(ctx: Context, rules: PersonalRules, items: list[Watched]) -> tuple[Block, ...]:
    names = " and ".join(f"your {WATCHED[i.kind][1]} ({format_clock(i.at)})" for i in items)
    quiet = rules.quiet is not None and all(rules.in_quiet(i.at) for i in items)
    why = "fall inside these quiet hours" if quiet else "can no longer run on any day"
    verb = "falls" if len(items) == 1 else "fall"
    why = why.replace("fall ", f"{verb} ", 1)
    text = f"⚠ Heads-up: {names} {why}, so I won't send {'it' if len(items) == 1 else 'them'}."
    buttons: list[Button] = []
    for item in items:
        short, label = WATCHED[item.kind]
        target = suggest_time(rules, item.at)
        if target is not None:
            clock = format_clock(target)
            buttons.append(Button(f"Move my {label} to {clock}", MOVE, f"{short}@{clock}"))
    buttons.append(Button("Keep as is (no DM)", KEEP, "keep"))
    if len(buttons) > 1:
        it = "it" if len(items) == 1 else "them"
        text += f" Move {it} earlier, or keep {it} as {'it is' if it == 'it' else 'they are'}:"
    return (Text(text), Buttons(tuple(buttons)))


async def move(ctx: Context, value: str) -> list[Effect]:
    """``logoff@17:30`` / ``checkin@17:30``: move that DM out of the quiet hours."""
    short, _, clock = value.partition("@")
    try:
        at = parse_clock(clock)
    except ValueError:
        raise UserError("That button is no longer valid; nothing was changed.") from None
    if short == "checkin":
        set_daily = ctx.provided(CHECKIN_SETUP)
        effects = await set_daily[0](ctx, at) if set_daily else []
    elif short == "logoff":
        # the log-off time, or the hard stop in integration mode
        set_end = ctx.provided(END_OF_DAY)
        effects = await set_end[0](ctx, at) if set_end else []
    else:
        raise UserError("That button is no longer valid; nothing was changed.")
    return await _done(ctx, effects)


async def _done(ctx: Context, effects: list[Effect]) -> list[Effect]:
    """The move's confirmation in place of the warning, still offering what remains silent."""
    texts = [e.message.text for e in effects if isinstance(e, Reply)]
    if ctx.message_ref is None or not texts:
        return effects
    text = " ".join(texts)
    rules = member_rules(ctx.member, ctx.team)
    silent = [
        Watched(kind, at, None)
        for kind, at in await _rows(ctx)
        if next_fire(DailyLocal(at), rules, after=ctx.now) is None
    ]
    rest = _silenced(ctx, rules, silent) if silent else ()
    return [Update(ctx.message_ref, Message(text, (Text(text), *rest)))]


async def keep(ctx: Context, value: str) -> list[Effect]:
    text = (
        "Kept as it is: no DM while your quiet hours cover it. `logoff HH:MM` or "
        "`checkin at HH:MM` moves it any time."
    )
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, Message(text, (Text(text),)))]
    return [Reply(Message(text, (Text(text),)))]
