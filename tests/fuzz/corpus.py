"""Hostile inputs as Hypothesis strategies, shared by the fuzz tests and
``benchmarks/fuzz.py``: command lines, button values and form submissions for the core, and
raw payloads for the Slack and Discord inbound translation.

An :class:`Input` is one thing a person (or an attacker) could make arrive; :func:`drive`
sends it through the adapter's translation (when it is a raw payload) and the core, and
returns what went wrong — ``None`` when it was answered and nothing raised.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from adapters.discord.inbound import Origin as DiscordOrigin
from adapters.discord.inbound import command_event, form_event
from adapters.discord.limits import bounded_snowflake
from adapters.discord.views import TEMPLATE, untag
from adapters.slack.inbound import (
    parse_block_action,
    parse_command,
    parse_direct_message,
    parse_view_submission,
)
from bot.bootstrap import build_router
from bot.kernel.app import SORRY, Bot
from bot.kernel.events import Action, Actor, Command, DirectText, Event, FormSubmit, Place

ROUTER = build_router()
COMMANDS = sorted({*ROUTER.commands, *ROUTER.aliases})
ACTIONS = sorted(ROUTER.actions)
FORMS = sorted(ROUTER.forms)
SLACK_FIXTURES = Path(__file__).parents[1] / "adapters" / "slack" / "fixtures"

# Tokens that have broken parsers somewhere: huge and odd numbers, dates and times out of
# range, ids of other teams, mentions, control and bidi characters, separators.
TRICKY = [
    "9" * 30,
    "99999999999",
    "2147483648",
    "-1",
    "0",
    "1e309",
    "nan",
    "²",
    "１２",
    "9999999d",
    "99999999999h",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-03-02..9999-12-31",
    "25:99",
    "23:59-00:00",
    "fri 99:99",
    "<#123456789012345678>",
    "<#C123|general>",
    "#general",
    "here",
    "@everyone",
    "<@&1>",
    "\x00",
    "\ud800",
    "\u202e",
    "\x1b[2J",
    "|",
    ".",
    "..",
    ":",
    "@",
    '"',
    "'",
    "k",
    "channel",
    "timezone",
    "retention",
    "Europe/Berlin",
    "Bad/Zone",
    "mon-sun",
    "everyone",
    "admins",
    "yesno",
    "scale",
    "options",
    "a" * 500,
    "closes",
    "weekly",
    "fri",
    "15:00",
    "2d",
    "9999999w",
    "off",
    "DE",
    "XX",
]

token = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=24),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(COMMANDS),
)


def _expanded(usage: str) -> list[str]:
    """One usage per alternative where an alternative takes its own arguments."""
    kinds = "scale|yesno|options a,b,c"
    if kinds in usage:
        return [usage.replace(kinds, k) for k in ("scale", "yesno", "options a,b,c")]
    return [usage]


USAGES = sorted({u for spec in ROUTER.commands.values() for x in spec.usage for u in _expanded(x)})


def _placeholder(word: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in word) or word.startswith(("<", '"'))


BIG = ["0", "00", "99", "9999999", "2147483648", "99999999999999999999", "9" * 400]


def _resized(word: str) -> st.SearchStrategy[str]:
    """``word`` with its numbers replaced by extreme ones (``2d`` → ``9999999d``,
    ``15:00`` → ``99:9999999``); also placeholders spelled out (``HH:MM``, ``YYYY-MM-DD``)."""
    shaped = word
    for pattern, example in (
        ("YYYY", "2026"),
        ("MM", "03"),
        ("DD", "02"),
        ("HH", "17"),
        ("N", "5"),
    ):
        shaped = shaped.replace(pattern, example)
    if not re.search(r"\d", shaped):
        return st.just(shaped)
    return st.builds(
        lambda numbers: re.sub(r"\d+", lambda _m: numbers.pop() if numbers else "1", shaped),
        st.lists(st.sampled_from(BIG), min_size=4, max_size=4),
    )


@st.composite
def usage_lines(draw: st.DrawFn) -> str:
    """A usage line of a real command with its placeholders (and, sometimes, its words)
    replaced by hostile tokens: reaches the parsers behind each command's grammar."""
    usage = draw(st.sampled_from(USAGES))
    words = usage.replace("[", " ").replace("]", " ").replace("·", " ").split()
    out: list[str] = []
    for word in words:
        if "|" in word and not word.startswith('"'):
            word = draw(st.sampled_from(word.split("|")))
        if word.startswith('"'):
            word = f'"{draw(st.one_of(st.sampled_from(TRICKY), token))}"'
        elif _placeholder(word) or draw(st.integers(min_value=0, max_value=5)) == 0:
            word = draw(st.one_of(_resized(word), st.sampled_from(TRICKY), token))
        out.append(word)
    return " ".join(out)


command_line = st.one_of(
    usage_lines(),
    st.builds(
        lambda first, rest: " ".join([first, *rest]),
        st.one_of(st.sampled_from(COMMANDS), st.text(max_size=16)),
        st.lists(token, max_size=6),
    ),
)
dotted = st.lists(
    st.one_of(st.integers(min_value=-5, max_value=10**25).map(str), st.sampled_from(TRICKY)),
    min_size=1,
    max_size=4,
).map(".".join)
button_value = st.one_of(token, dotted, st.text(max_size=60))
actors = st.builds(
    Actor,
    platform=st.sampled_from(["console", "slack", "discord"]),
    workspace_id=st.sampled_from(["T1", "T2"]),
    user_id=st.sampled_from(["u1", "u2", "u3"]),
    display_name=st.one_of(st.text(max_size=20), st.sampled_from(TRICKY)),
    timezone=st.sampled_from([None, "UTC", "Bad/Zone", "Asia/Kolkata", "\x00"]),
    is_admin=st.booleans(),
    zone_unknown=st.booleans(),
)
places = st.one_of(
    st.just(Place.dm()),
    st.builds(Place.channel, st.sampled_from(["C1", "C2", "", "\x00"]), st.text(max_size=20)),
)
form_id = st.builds(
    lambda name, value: f"{name}|{value}" if value else name,
    st.one_of(st.sampled_from(FORMS), st.text(max_size=12)),
    button_value,
)
form_values = st.dictionaries(
    st.one_of(
        st.sampled_from(["question", "kind", "options", "closes", "note"]), st.text(max_size=8)
    ),
    st.one_of(token, st.text(max_size=120)),
    max_size=6,
)

core_events: st.SearchStrategy[Event] = st.one_of(
    st.builds(Command, actors, command_line, places),
    st.builds(
        lambda actor, action, value, place: Action(actor, action, value, None, place),
        actors,
        st.one_of(st.sampled_from(ACTIONS), st.text(max_size=16)),
        button_value,
        places,
    ),
    st.builds(FormSubmit, actors, form_id, form_values, places),
    st.builds(DirectText, actors, st.one_of(command_line, st.text(max_size=80))),
)

# --- raw payloads -------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.text(max_size=20),
        st.sampled_from(TRICKY),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SLACK_FIXTURES / f"{name}.json").read_text("utf-8"))
    return data


SLACK_KINDS = {
    "command": (_fixture("slash_command"), parse_command),
    "action": (_fixture("block_actions"), parse_block_action),
    "form": (_fixture("view_submission"), parse_view_submission),
    "dm": (_fixture("message_im"), parse_direct_message),
}


@st.composite
def slack_payloads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A documented payload with some of its fields (at any depth) replaced."""
    kind = draw(st.sampled_from(sorted(SLACK_KINDS)))
    body = copy.deepcopy(SLACK_KINDS[kind][0])
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        _mutate(draw, body)
    if kind == "action" and draw(st.booleans()):
        actions = body.get("actions")
        if isinstance(actions, list) and actions and isinstance(actions[0], dict):
            actions[0]["value"] = draw(
                st.builds("{}|{}".format, st.sampled_from(ACTIONS), button_value)
            )
    return kind, body


def _mutate(draw: st.DrawFn, node: Any) -> None:
    while isinstance(node, dict | list) and node:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        if draw(st.booleans()) or not isinstance(node[key], dict | list):
            node[key] = draw(json_values)
            return
        node = node[key]


discord_components = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"type": st.sampled_from([4, 3]), "custom_id": st.text(max_size=10)},
            optional={"value": json_values, "values": json_values},
        ),
        st.fixed_dictionaries(
            {"type": st.just(18)},
            optional={"component": json_values},
        ),
        st.fixed_dictionaries(
            {"type": st.just(1)},
            optional={"components": st.lists(json_values, max_size=3)},
        ),
    ),
    max_size=5,
)


@dataclass(frozen=True)
class Raw:
    """A raw platform payload: ``slack`` (kind, body) or ``discord`` (kind, data)."""

    platform: str
    kind: str
    body: Any


discord_raw = st.one_of(
    st.builds(
        lambda cid, comps: Raw("discord", "modal", {"custom_id": cid, "components": comps}),
        st.one_of(form_id, st.text(max_size=30)),
        discord_components,
    ),
    st.builds(lambda cid: Raw("discord", "component", cid), st.one_of(button_value, st.text())),
    st.builds(lambda text: Raw("discord", "command", text), command_line),
)
slack_raw = slack_payloads().map(lambda pair: Raw("slack", pair[0], pair[1]))
inputs: st.SearchStrategy[Event | Raw] = st.one_of(core_events, core_events, slack_raw, discord_raw)


# --- driving ------------------------------------------------------------------------------


def translate(raw: Raw) -> Event | None:
    """The adapter's inbound translation of ``raw`` (``None``: not something to handle)."""
    actor = Actor(raw.platform, "T1", "u1", "Fuzz", is_admin=True)
    place = Place.channel("C1", "general")
    if raw.platform == "slack":
        incoming = SLACK_KINDS[raw.kind][1](raw.body)
        if incoming is None:
            return None
        return incoming.event(actor, place)
    origin = DiscordOrigin(actor, place)
    if raw.kind == "modal":
        return form_event(origin, raw.body)
    if raw.kind == "component":
        _team, key = untag(raw.body)
        bounded_snowflake(raw.body)
        if not TEMPLATE.fullmatch(key):
            return None
        action, _, value = key.partition("|")
        return Action(actor, action, value, None, place)
    return command_event(origin, name="", argument=raw.body)


def answered(event: Event, effects: list[Any]) -> str | None:
    """What is wrong with the core's answer to ``event`` (``None``: nothing)."""
    text = " ".join(str(getattr(getattr(e, "message", None), "text", "")) for e in effects)
    if SORRY in text:
        return "answered with the apology (a handler failed)"
    if isinstance(event, Command | FormSubmit | DirectText) and not effects:
        return "no answer"
    return None


async def drive(bot: Bot, item: Event | Raw) -> str | None:
    """Send one input through translation and the core; the problem, or ``None``."""
    try:
        event = translate(item) if isinstance(item, Raw) else item
    except Exception as error:
        return f"inbound translation raised {type(error).__name__}: {error}"
    if event is None:
        return None
    try:
        effects = await bot.handle(event)
    except Exception as error:
        return f"the core raised {type(error).__name__}: {error}"
    return answered(event, effects)
