"""What pulse polls look like: the channel post (open and closed), the results, and the
sentences people read. Pure functions of stored values; no database, no clock.

The channel post only ever shows a *count* of responses while the poll is open; per-answer
counts appear once, in the results, and only at or above k.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.anonymity import effective_k
from bot.domain.bounds import small_int
from bot.domain.parsing import format_day
from bot.domain.zones import safe_zone
from bot.features.pulse.anonymity import needed_sentence
from bot.features.pulse.models import PulsePoll, PulseSeries
from bot.features.pulse.tally import Tally
from bot.kernel.ui import Block, Button, Buttons, Image, Message, Text

__all__ = [
    "ALREADY_ANSWERED",
    "answer_value",
    "answered_message",
    "axis_labels",
    "closed_poll_message",
    "deadline_text",
    "hidden_results_message",
    "kind_text",
    "open_poll_message",
    "parse_answer_value",
    "poll_line",
    "responses_text",
    "results_message",
    "series_line",
    "uncounted_text",
]

ALREADY_ANSWERED = "You have already answered — answers are final so that they can stay anonymous."
ANSWER = "pulse:answer"


def answer_value(poll: PulsePoll, option: int) -> str:
    """The button value: the poll's team-scoped number and the answer's index."""
    return f"{poll.number}.{option}"


def parse_answer_value(value: str) -> tuple[int, int] | None:
    number, sep, option = value.partition(".")
    poll, index = small_int(number), small_int(option, high=1000)
    if not sep or poll is None or index is None:
        return None
    return poll, index


def responses_text(n: int) -> str:
    return f"{n} response{'' if n == 1 else 's'}"


def deadline_text(instant: datetime, zone_name: str) -> str:
    """``Wed 4 Mar, 09:00 (Europe/Berlin)``. No year: a pulse closes within 30 days, so the
    day and month are never ambiguous (``format_day`` without a year)."""
    zone: ZoneInfo = safe_zone(zone_name, "UTC")
    local = instant.astimezone(zone)
    return f"{format_day(local.date(), local.date())}, {local:%H:%M} ({zone.key})"


def kind_text(kind: str) -> str:
    return {"scale": "1–5 scale", "yesno": "yes / no", "options": "options"}.get(kind, kind)


def _header(poll: PulsePoll, asked_by: str = "") -> str:
    if asked_by:
        who = f" · asked by {asked_by}"
    elif poll.series_id is not None:
        who = " · weekly"
    else:
        who = ""
    return f"*Anonymous pulse #{poll.number}*{who}\n*{poll.question}*"


def axis_labels(poll: PulsePoll) -> list[str]:
    """Answer labels with the scale's ends named (``1 · not at all`` … ``5 · completely``)."""
    labels = list(poll.options)
    if poll.kind == "scale" and poll.legend and "·" in poll.legend:
        low, _, high = poll.legend.partition("·")
        low_text = low.split("=", 1)[-1].strip()
        high_text = high.split("=", 1)[-1].strip()
        if labels and low_text and high_text:
            labels[0] = f"{labels[0]} · {low_text}"
            labels[-1] = f"{labels[-1]} · {high_text}"
    return labels


def open_poll_message(poll: PulsePoll, responses: int, *, k: int, asked_by: str = "") -> Message:
    """The channel post while the poll is open: question, one button per answer, and a line
    that only counts responses."""
    buttons = tuple(
        Button(label, ANSWER, answer_value(poll, i)) for i, label in enumerate(poll.options)
    )
    blocks: list[Block] = [Text(_header(poll, asked_by))]
    if poll.kind == "scale" and poll.legend:
        blocks.append(Text(f"_{poll.legend}_"))
    blocks.append(Buttons(buttons))
    blocks.append(
        Text(
            f"{responses_text(responses)} so far · closes "
            f"{deadline_text(poll.closes_at, poll.zone)}"
            f"\n_Anonymous and final: nobody, admins included, can see who answered what. "
            f"Results when it closes, if at least {k} people answer._"
        )
    )
    return Message(
        f"Anonymous pulse #{poll.number}: {poll.question} ({responses_text(responses)} so far)",
        tuple(blocks),
    )


def closed_poll_message(poll: PulsePoll, *, k: int) -> Message:
    """The channel post after closing: no buttons; the outcome in one line."""
    if poll.responses >= k:
        outcome = f"Closed with {responses_text(poll.responses)} — results below."
    else:
        outcome = f"Closed. Results stay hidden: {needed_sentence(poll.responses, k)}."
    outcome += uncounted_text(poll)
    return Message(
        f"Anonymous pulse #{poll.number} (closed): {poll.question}",
        (Text(_header(poll)), Text(outcome)),
    )


def results_message(poll: PulsePoll, tally: Tally, png: bytes) -> Message:
    """Counts and percentages per answer, with a bar chart. Only for polls at or over k."""
    lines = "\n".join(f"• {line}" for line in _result_lines(poll, tally))
    summary = [f"{responses_text(tally.total)}"]
    mean = tally.mean() if poll.kind == "scale" else None
    if mean is not None:
        summary.append(f"average {mean:.1f} of 5")
    text = (
        f"*Results of anonymous pulse #{poll.number}*\n*{poll.question}*\n{lines}\n"
        f"_{' · '.join(summary)}_{uncounted_text(poll)}"
    )
    alt = f"Bar chart of pulse #{poll.number}: " + "; ".join(_result_lines(poll, tally))
    return Message(
        f"Results of pulse #{poll.number}: {poll.question}",
        (Text(text), Image(png, alt[:1900], filename=f"pulse-{poll.number}.png")),
    )


def _result_lines(poll: PulsePoll, tally: Tally) -> list[str]:
    labels = axis_labels(poll)
    return [
        f"{label} — {count} ({pct})"
        for label, count, pct in zip(labels, tally.counts, tally.percent_texts, strict=True)
    ]


def hidden_results_message(poll: PulsePoll, *, k: int) -> Message:
    """Below k: nothing about the answers, only how many more were needed."""
    text = (
        f"*Anonymous pulse #{poll.number} has closed.*\n*{poll.question}*\n"
        f"Results stay hidden: {needed_sentence(poll.responses, k)}. They are shown only when "
        f"at least {k} people answer, so that no answer can be traced back to a person."
        f"{uncounted_text(poll)}"
    )
    return Message(
        f"Pulse #{poll.number} closed: {needed_sentence(poll.responses, k)}", (Text(text),)
    )


def uncounted_text(poll: PulsePoll) -> str:
    """Said when some sealed answers could not be opened at close (a retired server key, a
    damaged row): how many, never which."""
    n = poll.unreadable
    if not n:
        return ""
    return (
        f" {n} answer{'s' if n != 1 else ''} could not be counted (the sealed "
        f"ballot{'s were' if n != 1 else ' was'} unreadable)."
    )


def answered_message(poll: PulsePoll, *, k: int) -> Message:
    """The private confirmation. It does not repeat the answer: nothing outside the sealed
    ballot should hold a person and an answer together, not even a chat message."""
    text = (
        f"Thanks — your answer to pulse #{poll.number} is in. It is anonymous and final: it is "
        f"counted, never stored with your name. Results appear when the poll closes on "
        f"{deadline_text(poll.closes_at, poll.zone)}, if at least {k} people answered."
    )
    return Message("Thanks — your anonymous answer is in.", (Text(text),))


def poll_line(poll: PulsePoll, *, team_k: int, answered: int = 0) -> str:
    """One line for `pulse list` (``answered``: how many so far, for an open poll)."""
    k = effective_k(poll.k, team_k)
    where = f" in #{poll.channel_name}" if poll.channel_name else ""
    if poll.status == "open":
        state = (
            f"open{where}, {responses_text(answered)} so far, closes "
            f"{deadline_text(poll.closes_at, poll.zone)}"
        )
    elif poll.responses >= k:
        state = f"closed, {responses_text(poll.responses)} — `pulse results {poll.number}`"
    else:
        state = f"closed, results hidden ({needed_sentence(poll.responses, k)})"
    return f"• *#{poll.number}* {poll.question} — {state}"


def series_line(series: PulseSeries, question: str, *, day_names: Sequence[str]) -> str:
    """One line for `pulse schedule`: ``#1 every Friday 15:00 (Europe/Berlin) …``."""
    lasts = (
        f"open {series.open_minutes // 60}h" if series.open_minutes else "open until the next one"
    )
    return (
        f"• *#{series.number}* every {day_names[series.weekday]} at {series.at} ({series.zone}) "
        f"in #{series.channel_name or series.channel_id}: “{question}” ({series.template}, {lasts})"
    )
