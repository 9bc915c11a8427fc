"""Asking, answering, closing and showing pulse polls — the steps the pulse commands, buttons,
form and scheduled jobs share. The polls themselves are kept by :class:`Pulses`
(:mod:`bot.features.pulse.store`); the close is scheduled with the engine.

Anonymity rules kept here: nothing logs who answered, the private confirmation does not
repeat the answer, and results exist only after the close has opened the sealed ballots, and
only at k.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.domain.anonymity import effective_k
from bot.domain.bounds import small_int
from bot.features.pulse.chart import results_chart
from bot.features.pulse.models import PulsePoll
from bot.features.pulse.spec import PollSpec
from bot.features.pulse.store import AlreadyAnswered, KeyRetired, PollClosed, Pulses
from bot.features.pulse.views import (
    ALREADY_ANSWERED,
    answered_message,
    axis_labels,
    closed_poll_message,
    deadline_text,
    hidden_results_message,
    open_poll_message,
    parse_answer_value,
    responses_text,
    results_message,
)
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Post, Reply, Update
from bot.kernel.errors import UserError
from bot.kernel.events import MessageRef, Place
from bot.kernel.ui import Message
from bot.scheduling import Once, cancel_schedule, get_schedule, set_schedule

__all__ = [
    "CLOSE_JOB",
    "answer",
    "close_overdue",
    "close_poll",
    "find_poll",
    "may_close",
    "open_poll",
    "poll_k",
    "post_ref",
    "require_creator",
    "results_effects",
    "show_results",
    "target_channel",
    "visible",
]

log = logging.getLogger(__name__)

CLOSE_JOB = "pulse.close"


def poll_k(ctx: Context, poll: PulsePoll) -> int:
    """The k that applies to ``poll``: its own (from when it opened) or the team's now,
    whichever is higher, never below 3."""
    return effective_k(poll.k, ctx.team.k_threshold)


def ref_key(poll: PulsePoll) -> str:
    return f"pulse:{poll.id}"


async def post_ref(ctx: Context, poll: PulsePoll) -> MessageRef | None:
    """Where the poll's channel post is, as the adapter reported it (``Bot.remember_post``)."""
    return await ctx.posted.get(ref_key(poll))


async def may_close(ctx: Context, poll: PulsePoll) -> bool:
    """The person who asked, or a team admin."""
    if ctx.is_admin:
        return True
    asker = await ctx.store(Pulses).asker(poll)
    return asker is not None and asker.member_id == ctx.member.id


def require_creator(ctx: Context) -> None:
    """Refuse people who may not ask when the team limits pulses to admins."""
    if ctx.team.pulse_creators == "admins" and not ctx.is_admin:
        raise UserError(
            "In this team only admins can start pulses (team setting `settings pulses`). Ask "
            "an admin — or suggest a question from `pulse templates`."
        )


def target_channel(ctx: Context, channel_id: str = "", channel_name: str = "") -> Place:
    """The team's pulse channel if one is set, else the channel asked in."""
    if ctx.team.pulse_channel_id:
        return Place.channel(
            ctx.team.pulse_channel_id, ctx.team.pulse_channel_name or ctx.team.pulse_channel_id
        )
    if channel_id:
        # the channel a form was opened in keeps what the platform said about it
        private = ctx.place.private and ctx.place.id == channel_id
        return Place.channel(channel_id, channel_name or channel_id, private=private)
    if ctx.place.kind == "channel" and ctx.place.id:
        return Place.channel(
            ctx.place.id, ctx.place.name or ctx.place.id, private=ctx.place.private
        )
    raise UserError(
        "A pulse is posted to a channel. Run this in the channel you want to ask, or have an "
        "admin set the team's pulse channel with `settings channel #channel`."
    )


async def find_poll(ctx: Context, text: str, verb: str = "results") -> PulsePoll:
    """The poll numbered ``text`` (``3`` or ``#3``) in this team, or a friendly refusal that
    speaks of the command typed (``pulse results``/``pulse close``)."""
    cleaned = text.strip().lstrip("#")
    if not cleaned:
        raise UserError(f"Which pulse? Give its number, e.g. `pulse {verb} 3` (`pulse list`).")
    number = small_int(cleaned)
    if number is None:
        raise UserError(f"“{cleaned[:20]}” isn't a pulse number. `pulse list` shows them.")
    poll = await ctx.store(Pulses).get(number)
    if poll is None:
        raise UserError(f"There is no pulse #{number} in this team. `pulse list` shows them.")
    return poll


# --- asking ---------------------------------------------------------------------------------


async def open_poll(
    ctx: Context,
    spec: PollSpec,
    *,
    closes_at: datetime,
    channel: Place,
    template: str | None = None,
    series_id: int | None = None,
    zone: str | None = None,
    creator: bool = True,
) -> tuple[PulsePoll, list[Effect]]:
    """Create the poll, schedule its close and return the channel post (``Post`` with a
    ``ref_key``, so later answers and the close can update it)."""
    poll = await ctx.store(Pulses).create(
        spec,
        channel=channel,
        opened_at=ctx.now,
        closes_at=closes_at,
        zone=zone or ctx.zone.key,
        asker=(ctx.member.id, ctx.actor.name) if creator else None,
        template=template,
        series_id=series_id,
    )
    await set_schedule(
        ctx,
        kind=CLOSE_JOB,
        rule=Once(closes_at),
        ref=f"poll:{poll.id}",
        # A close missed while the bot was down still happens, late, rather than never.
        data={"poll_id": poll.id, "run_late": True},
        team_level=True,
    )
    log.info("pulse #%s opened in team %s", poll.number, ctx.team.id)
    asked_by = ctx.actor.name if creator else ""
    message = open_poll_message(poll, 0, k=poll_k(ctx, poll), asked_by=asked_by)
    post = Post(channel, message, ref_key=ref_key(poll))
    return poll, [post]


# --- answering ------------------------------------------------------------------------------


async def answer(ctx: Context, value: str) -> list[Effect]:
    """One button press: count it anonymously, refuse a second one, update the post's count.

    Nothing here (or below) logs the person together with the answer."""
    parsed = parse_answer_value(value)
    if parsed is None:
        raise UserError("That button is not one I recognise; nothing was recorded.")
    number, option = parsed
    store = ctx.store(Pulses)
    poll = await store.get(number)
    if poll is None:
        raise UserError("That pulse no longer exists, so nothing was recorded.")
    if poll.status == "open" and poll.closes_at <= ctx.now:
        # The deadline passed but the close has not run yet (or its schedule was lost).
        closing = await close_poll(ctx, poll)
        return [*closing, _closed_reply(poll)]
    if poll.status != "open":
        return [_closed_reply(poll)]
    if not 0 <= option < len(poll.options):
        raise UserError("That answer is not part of this pulse; nothing was recorded.")
    # Everything the reply needs is read before the answer is recorded, so the poll's lock
    # (taken by record_answer) is held as briefly as possible.
    where = await post_ref(ctx, poll) or ctx.message_ref
    asker = await store.asker(poll) if where is not None else None
    k = poll_k(ctx, poll)
    try:
        responses = await store.record_answer(poll, option, user_id=ctx.actor.user_id)
    except AlreadyAnswered:
        raise UserError(ALREADY_ANSWERED) from None
    except KeyRetired:
        raise UserError(
            f"Pulse #{poll.number} can no longer take answers: the server key it was opened "
            "under has been removed. Nothing was recorded."
        ) from None
    except PollClosed:
        # Roll back (UserError): the participant row inserted a moment ago must not outlive
        # the close that erased all the others.
        raise UserError(_closed_text(poll)) from None
    effects: list[Effect] = []
    if where is not None:
        message = open_poll_message(poll, responses, k=k, asked_by=asker.name if asker else "")
        effects.append(Update(where, message))
    effects.append(Reply(answered_message(poll, k=k)))
    return effects


def _closed_text(poll: PulsePoll) -> str:
    return (
        f"Pulse #{poll.number} has closed, so answers are no longer taken. "
        f"`pulse results {poll.number}` shows what can be shown."
    )


def _closed_reply(poll: PulsePoll) -> Reply:
    return reply(_closed_text(poll))


# --- closing and results --------------------------------------------------------------------


async def close_poll(ctx: Context, poll: PulsePoll) -> list[Effect]:
    """Close ``poll`` if it is open: update its post and post the results (or how many more
    answers were needed) to its channel. Empty if it was already closed."""
    closed = await ctx.store(Pulses).close(poll, now=ctx.now, k=poll_k(ctx, poll))
    if closed is None:
        return []
    ref = f"poll:{poll.id}"
    schedule = await get_schedule(ctx, kind=CLOSE_JOB, ref=ref, team_level=True)
    # Closed early: the deadline job has nothing left to do. A job already due (this very
    # firing, or one the dispatcher will claim next) is left alone — it finds the poll
    # closed and sends nothing.
    if schedule is not None and schedule.next_due_at is not None and schedule.next_due_at > ctx.now:
        await cancel_schedule(ctx, kind=CLOSE_JOB, ref=ref, team_level=True)
    log.info("pulse #%s closed in team %s", poll.number, ctx.team.id)
    k = poll_k(ctx, poll)
    effects: list[Effect] = []
    where = await post_ref(ctx, poll)
    if where is not None:
        effects.append(Update(where, closed_poll_message(poll, k=k)))
    channel = Place.channel(poll.channel_id, poll.channel_name or poll.channel_id)
    effects.append(Post(channel, await results_effects(ctx, poll)))
    return effects


async def results_effects(ctx: Context, poll: PulsePoll) -> Message:
    """The results of a closed poll: counts, percentages and a chart at or above k; below
    it, only how many more answers were needed."""
    k = poll_k(ctx, poll)
    if poll.responses < k:
        return hidden_results_message(poll, k=k)
    tally = await ctx.store(Pulses).tally(poll)
    closed = poll.closed_at or ctx.now
    subtitle = (
        f"Anonymous pulse #{poll.number} · {responses_text(tally.total)} · closed "
        f"{deadline_text(closed, poll.zone)}"
    )
    png = await results_chart(
        tally, question=poll.question, subtitle=subtitle, labels=axis_labels(poll)
    )
    return results_message(poll, tally, png)


async def visible(ctx: Context, poll: PulsePoll) -> bool:
    """A poll of a private channel is seen only in that channel and by the person who
    asked it; every other poll by the whole team."""
    if not poll.private or (ctx.place.kind == "channel" and ctx.place.id == poll.channel_id):
        return True
    asker = await ctx.store(Pulses).asker(poll)
    return asker is not None and asker.member_id == ctx.member.id


async def show_results(ctx: Context, poll: PulsePoll) -> list[Effect]:
    """`pulse results N`: the results again (privately), or why there are none yet."""
    if not await visible(ctx, poll):
        raise UserError(
            f"Pulse #{poll.number} was asked in a private channel: it is shown only there, "
            "and to the person who asked it."
        )
    if poll.status == "open" and poll.closes_at <= ctx.now:
        closing = await close_poll(ctx, poll)
        return [*closing, Reply(await results_effects(ctx, poll))]
    if poll.status == "open":
        return [
            reply(
                f"Pulse #{poll.number} is still open: "
                f"{responses_text(await ctx.store(Pulses).answered(poll))} so far; it "
                f"closes {deadline_text(poll.closes_at, poll.zone)}. Results are shown when it "
                f"closes, and only if at least {poll_k(ctx, poll)} people answered."
            )
        ]
    return [Reply(await results_effects(ctx, poll))]


async def close_overdue(ctx: Context) -> list[Effect]:
    """Close every poll of the team whose deadline has passed — normally the scheduled job
    does this; this catches a close that could not run (e.g. the bot was down)."""
    effects: list[Effect] = []
    for poll in await ctx.store(Pulses).overdue(ctx.now):
        effects += await close_poll(ctx, poll)
    return effects
