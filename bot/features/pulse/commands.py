"""``pulse``: anonymous team polls — ask (form or one line), answer, close, results,
templates and weekly pulses. This module is the routing table; the steps live in
:mod:`~bot.features.pulse.polls`, :mod:`~bot.features.pulse.ask`,
:mod:`~bot.features.pulse.recurring` and :mod:`~bot.features.pulse.window`, the pure rules in
:mod:`~bot.features.pulse.spec`, :mod:`~bot.features.pulse.tally` and
:mod:`~bot.features.pulse.trends`, and the anonymous storage in
:mod:`~bot.features.pulse.store`. It also offers the pulse trends to the ``team`` view
through the kernel's ``TEAM_SECTIONS`` slot.
"""

from __future__ import annotations

from datetime import datetime, time

from bot.domain.parsing import InputError, parse_clock
from bot.features.pulse import ask as pulse_ask
from bot.features.pulse import polls, recurring
from bot.features.pulse import window as pulse_window
from bot.features.pulse.arguments import (
    NUMBER,
    QUESTION,
    QUOTED_QUESTION,
    SCHEDULE_USAGES,
)
from bot.features.pulse.arguments import quoted as is_quoted
from bot.features.pulse.spec import (
    DEFAULT_OPEN,
    Kind,
    PollSpec,
    build_spec,
    parse_ask,
    parse_deadline,
    parse_kind,
    parse_options,
    validate_deadline,
    validate_options,
    validate_question,
)
from bot.features.pulse.store import Pulses
from bot.features.pulse.team_trends import TREND_SECTION
from bot.features.pulse.views import deadline_text, poll_line
from bot.kernel.arguments import Piece, Word
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, FormErrors, OpenForm, Reply, Update
from bot.kernel.errors import UserError
from bot.kernel.events import Place
from bot.kernel.registry import Flow
from bot.kernel.slots import TEAM_SECTIONS
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Form, FormField, Message, Option, Text, action_id
from bot.scheduling import Due

__all__ = ["flow"]

flow = Flow("pulse")
flow.provide(TEAM_SECTIONS, TREND_SECTION, order=20)

FORM = "pulse:create"


ASK = Word("ask")


@flow.command(
    "pulse",
    summary="an anonymous poll for the team: results at close, once enough people answered",
    syntax=(
        Usage(help="open a form to write an anonymous question for the team"),
        Usage(
            ASK,
            QUESTION,
            help=(
                "post a question right away: a 1–5 scale, yes/no, or your own options; it "
                "closes after 2 days unless you say otherwise"
            ),
        ),
        Usage(
            ASK,
            QUESTION,
            shown="ask TEMPLATE [closes 2d]",
            help="post a ready-made question (`pulse templates` lists them)",
        ),
        Usage(Word("list", "ls"), help="the team's recent pulses"),
        Usage(
            Word("results", "result", "show"),
            NUMBER,
            help="the results of a closed pulse, if enough people answered",
        ),
        Usage(
            Word("close", "end", "stop"),
            NUMBER,
            help="close a pulse early (whoever asked it, or an admin)",
        ),
        Usage(Word("templates", "template"), help="the ready-made questions"),
        *SCHEDULE_USAGES,
        Usage(QUOTED_QUESTION, hidden=True),
    ),
    section="Team",
    aliases=("poll",),
    featured=True,
)
async def pulse(ctx: Context, cmd: Call) -> list[Effect]:
    # A close that could not run on time (the bot was down) happens now, before anything.
    overdue = await polls.close_overdue(ctx)
    sub = cmd.sub
    if cmd.bare:
        return [*overdue, *_open_form(ctx)]
    if sub == "ask":
        return [*overdue, *await _ask(ctx, cmd.value(QUESTION))]
    if sub == "list":
        return [*overdue, await _list(ctx)]
    if sub == "results":
        poll = await polls.find_poll(ctx, str(cmd.value(NUMBER)))
        return [*overdue, *await polls.show_results(ctx, poll)]
    if sub == "close":
        return [*overdue, *await _close(ctx, str(cmd.value(NUMBER)))]
    if sub == "templates":
        return [*overdue, Reply(recurring.templates_message(ctx))]
    if sub == "schedule":
        return [*overdue, *await recurring.schedule_command(ctx, cmd)]
    return [*overdue, *await _ask(ctx, cmd.value(QUOTED_QUESTION))]


# --- asking in one line -------------------------------------------------------------------


async def _ask(ctx: Context, question: Piece) -> list[Effect]:
    polls.require_creator(ctx)
    tokens = list(question.tokens)
    quoted = is_quoted(question)
    is_template = (
        not quoted and bool(tokens) and recurring.templates(ctx).get(tokens[0]) is not None
    )
    if is_template and (len(tokens) == 1 or tokens[1].lower() in ("closes", "close", "until")):
        closes = _deadline(ctx, " ".join(tokens[2:])) if len(tokens) > 2 else None
        return await recurring.ask_template(ctx, tokens[0], closes_at=closes)
    request = parse_ask(tokens, quoted=quoted)
    if not request.kind_given:
        return await _ask_which(ctx, request.question, request.closes)
    spec = build_spec(request.question, request.kind, request.options)
    closes_at = _deadline(ctx, request.closes)
    return await _post(ctx, spec=spec, closes_at=closes_at, channel=polls.target_channel(ctx))


async def _ask_which(ctx: Context, question: str, closes: str) -> list[Effect]:
    """No kind was typed: a public poll is hard to take back, so ask rather than guess."""
    if pulse_ask.is_kind_word(question):
        raise pulse_ask.kind_word_error(question)
    question = validate_question(question)
    closes_at = _deadline(ctx, closes)
    channel = polls.target_channel(ctx)
    found = pulse_ask.close_template(question, recurring.templates(ctx).ids)
    template = recurring.templates(ctx).get(found) if found else None
    await pulse_ask.remember(
        ctx, question=question, closes_at=closes_at, channel=channel, template=found or ""
    )
    message = pulse_ask.pending_message(
        question, found or "", template.question if template else ""
    )
    return [Reply(message)]


@flow.action(pulse_ask.CHOOSE)
async def press_ask_choice(ctx: Context, value: str) -> list[Effect]:
    polls.require_creator(ctx)
    result = await pulse_ask.choose(ctx, value)
    if isinstance(result, list):
        return result
    what, state = result
    closes_at = validate_deadline(datetime.fromisoformat(state["closes_at"]), now=ctx.now)
    channel = pulse_ask.channel_of(state)
    done: list[Effect] = []
    if ctx.message_ref is not None:
        note = "Posted." if pulse_window.hold_until(ctx) is None else "Waiting for your window."
        if what == "options":
            note = "The form is open: add your options there."
        done.append(Update(ctx.message_ref, Message(note, (Text(note),))))
    if what == "template":
        return [*done, *await recurring.ask_template(ctx, state["template"], closes_at=closes_at)]
    if what == "options":
        return [*done, *_open_form(ctx, question=state["question"], kind="options")]
    kind = parse_kind(what)
    spec = build_spec(state["question"], kind)
    channel = polls.target_channel(ctx, channel.id, channel.name or "")
    return [*done, *await _post(ctx, spec=spec, closes_at=closes_at, channel=channel)]


def _deadline(ctx: Context, text: str) -> datetime:
    if not text.strip():
        return ctx.now + DEFAULT_OPEN
    closes_at = parse_deadline(text, now=ctx.now, zone=ctx.zone, default_time=_default_time(ctx))
    return validate_deadline(closes_at, now=ctx.now)


def _default_time(ctx: Context) -> time:
    try:
        return parse_clock(ctx.team.default_logoff)
    except InputError:
        return time(17, 0)


async def _post(
    ctx: Context, *, spec: PollSpec, closes_at: datetime, channel: Place
) -> list[Effect]:
    held = await pulse_window.hold(ctx, spec, closes_at=closes_at, channel=channel)
    if held is not None:
        return held
    poll, effects = await polls.open_poll(ctx, spec, closes_at=closes_at, channel=channel)
    return [
        *effects,
        reply(
            f"Posted anonymous pulse #{poll.number} to #{channel.name or channel.id}. It closes "
            f"{deadline_text(closes_at, poll.zone)}; `pulse close {poll.number}` closes it "
            f"sooner, `pulse results {poll.number}` shows the results after."
        ),
    ]


@flow.job(pulse_window.DEFERRED_JOB)
async def post_deferred(ctx: Context, due: Due) -> list[Effect]:
    return await pulse_window.post_deferred(ctx, due)


# --- the form -------------------------------------------------------------------------------


def _open_form(ctx: Context, *, question: str = "", kind: str = "scale") -> list[Effect]:
    polls.require_creator(ctx)
    channel = polls.target_channel(ctx)
    form = Form(
        id=action_id(FORM, channel.id[:80]),
        title="New anonymous pulse",
        fields=(
            FormField(
                "question",
                "Question",
                max_length=300,
                placeholder="Is your workload sustainable?",
                initial=question,
            ),
            FormField(
                "kind",
                "Answers",
                kind="select",
                initial=kind,
                options=(
                    Option("1–5 scale", "scale"),
                    Option("Yes / no", "yesno"),
                    Option("My own options (below)", "options"),
                ),
            ),
            FormField(
                "options",
                "Options, separated by commas (only for “my own options”)",
                required=False,
                max_length=800,
                placeholder="Too much, About right, Too little",
            ),
            FormField(
                "closes",
                "Closes after",
                required=False,
                max_length=40,
                initial="2d",
                placeholder="2d, 36h, fri 15:00 or 2026-03-06 12:00",
            ),
        ),
        submit_label="Post the pulse",
    )
    return [OpenForm(form)]


@flow.form(FORM)
async def submit_form(ctx: Context, value: str, values: dict[str, str]) -> list[Effect]:
    """The form's fields are checked one by one, so every mistake shows beside its field."""
    polls.require_creator(ctx)
    errors: dict[str, str] = {}
    kind: Kind = "scale"
    try:
        kind = parse_kind(values.get("kind") or "scale")
    except InputError as error:
        errors["kind"] = str(error)
    try:
        question = validate_question(values.get("question", ""))
    except InputError as error:
        errors["question"] = str(error)
    options: tuple[str, ...] = ()
    if kind == "options":
        try:
            options = validate_options(parse_options(values.get("options", "")))
        except InputError as error:
            errors["options"] = str(error)
    closes_at = ctx.now + DEFAULT_OPEN
    try:
        closes_at = _deadline(ctx, values.get("closes", ""))
    except InputError as error:
        errors["closes"] = str(error)
    if errors:
        return [FormErrors(errors)]
    spec = build_spec(question, kind, options)
    if value not in (ctx.place.id, ctx.team.pulse_channel_id or ctx.place.id):
        # The form id names the channel it was opened for: only where it is submitted or
        # the team's own pulse channel — never a channel id someone wrote into the id.
        raise UserError("This form belongs to another channel. Please open it again here.")
    name = ctx.place.name if ctx.place.id == value else value
    channel = polls.target_channel(ctx, value, name)
    return await _post(ctx, spec=spec, closes_at=closes_at, channel=channel)


# --- buttons, menus, list and close ---------------------------------------------------------


@flow.action("pulse:answer", anonymous=True)
async def press_answer(ctx: Context, value: str) -> list[Effect]:
    return await polls.answer(ctx, value)


@flow.action("pulse:template")
async def choose_template(ctx: Context, value: str) -> list[Effect]:
    return await recurring.ask_template(ctx, value)


async def _list(ctx: Context) -> Reply:
    store = ctx.store(Pulses)
    recent = [p for p in await store.recent(limit=10) if await polls.visible(ctx, p)]
    waiting = await pulse_window.waiting_lines(ctx)
    if not recent and not waiting:
        return reply(
            'No pulses yet. Start one with `pulse` (a form) or `pulse ask "Is your workload '
            'sustainable?" scale`, or pick a question from `pulse templates`.'
        )
    lines = [
        poll_line(p, team_k=ctx.team.k_threshold, answered=await store.answered(p)) for p in recent
    ]
    parts = [f"*Pulses in this team*\n{chr(10).join(lines)}"] if lines else []
    if waiting:  # asked outside the asker's window, posted when it opens
        parts.append("*Waiting for your working window*\n" + "\n".join(waiting))
    return Reply(Message("Pulses", (Text("\n".join(parts)),)))


async def _close(ctx: Context, number: str) -> list[Effect]:
    poll = await polls.find_poll(ctx, number, "close")
    if not await polls.may_close(ctx, poll):
        raise UserError(
            f"Only the person who asked pulse #{poll.number} or a team admin can close it early. "
            f"It closes by itself {deadline_text(poll.closes_at, poll.zone)}."
        )
    if poll.status != "open":
        return [
            reply(
                f"Pulse #{poll.number} is already closed. `pulse results {poll.number}` shows "
                "what can be shown."
            )
        ]
    effects = await polls.close_poll(ctx, poll)
    where = f"#{poll.channel_name or poll.channel_id}"
    return [
        *effects,
        reply(f"Closed pulse #{poll.number}; what can be shown is posted in {where}."),
    ]


# --- scheduled jobs -------------------------------------------------------------------------


@flow.job(polls.CLOSE_JOB)
async def close_job(ctx: Context, due: Due) -> list[Effect]:
    poll = await ctx.store(Pulses).by_id(int(due.data.get("poll_id", 0)))
    if poll is None:
        return []
    return await polls.close_poll(ctx, poll)


@flow.job(recurring.WEEKLY_JOB)
async def weekly_job(ctx: Context, due: Due) -> list[Effect]:
    return await recurring.weekly_job(ctx, due)
