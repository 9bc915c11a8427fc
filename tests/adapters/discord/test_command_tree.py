"""The command tree's payload obeys Discord's rules, for the real router and for any router
the core might grow into (hypothesis)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord import limits
from adapters.discord.commands import combined_length, option_shape, plan
from adapters.discord.sync import command_payload
from bot.bootstrap import build_router
from bot.kernel.arguments import OFF, Word, choice, clock, integer, zone
from bot.kernel.registry import CommandSpec, Flow, Router
from bot.kernel.syntax import Syntax, Usage

NAME = re.compile(r"^[-_\w]{1,32}$")


def check_node(node: dict[str, Any], depth: int = 0) -> int:
    """Asserts Discord's rules on a command or option; returns its characters."""
    name, text = node["name"], node["description"]
    assert NAME.match(name) and name == name.lower(), name
    assert 1 <= len(text) <= limits.COMMAND_DESCRIPTION, text
    options = node.get("options") or []
    assert len(options) <= limits.OPTIONS_PER_COMMAND
    assert len({o["name"] for o in options}) == len(options), "duplicate option names"
    kinds = {o["type"] for o in options}
    # subcommands/groups are never mixed with plain options
    assert not (kinds & {1, 2} and kinds - {1, 2})
    required = [o.get("required", False) for o in options if o["type"] not in (1, 2)]
    assert required == sorted(required, reverse=True), "a required option after an optional one"
    total = len(name) + len(text)
    for option in options:
        if option["type"] == 2:
            assert depth == 0, "groups only directly under the command"
            assert option.get("options"), "an empty group"
        if option["type"] == 1:
            assert depth <= 1
        if option.get("autocomplete"):
            assert not option.get("choices"), "autocomplete and choices together"
        total += check_node(option, depth + 1)
    return total


def test_the_published_payload_follows_discords_rules() -> None:
    (root,) = command_payload(build_router())
    assert root["name"] == "crossfade" and root["type"] == 1
    assert root["contexts"] == [0, 1]  # guilds and DMs with the bot
    assert root["integration_types"] == [0]  # installed to guilds
    assert check_node(root) <= limits.COMMAND_COMBINED
    subcommands = {o["name"] for o in root["options"]}
    router = build_router()
    assert {spec.name for spec in router.commands.values()} <= subcommands | {
        s["name"] for o in root["options"] if o["type"] == 2 for s in o["options"]
    }


def test_options_are_shaped_from_the_declared_syntax() -> None:
    router = build_router()
    zone = option_shape(router.commands["timezone"])
    assert zone is not None and zone.name == "zone" and not zone.required
    assert zone.kind == "string"
    assert option_shape(router.commands["done"]) is None  # no arguments, no option
    quiet = option_shape(router.commands["quiet"])
    assert quiet is not None and quiet.name == "hours"
    assert quiet.forms == ("off",)  # a lone placeholder (HH:MM-HH:MM) is a hint, not a value
    checkin = option_shape(router.commands["checkin"])
    assert checkin is not None and checkin.name == "input"
    assert checkin.forms == ("at HH:MM", "off")


def test_a_lone_number_is_an_integer_option_and_a_required_one_when_there_is_no_bare_usage() -> (
    None
):
    number = integer(1, 9)
    alone = _spec("pick", (Usage(number, help="a number"),))
    shape = option_shape(alone)
    assert shape is not None and (shape.name, shape.kind, shape.required) == (
        "number",
        "integer",
        True,
    )
    with_off = _spec("pick", (Usage(number), Usage(OFF), Usage()))
    shape = option_shape(with_off)
    assert shape is not None and (shape.kind, shape.required) == ("string", False)


def _spec(name: str, usages: tuple[Usage, ...], summary: str = "summary") -> CommandSpec:
    return CommandSpec(name, summary, Syntax(usages), _noop)


async def _noop(ctx: Any, cmd: Any) -> list[Any]:
    return []


USAGES: dict[str, tuple[Usage, ...]] = {
    "": (Usage(),),
    "HH:MM": (Usage(clock()), Usage()),
    "N": (Usage(integer(1, 9)), Usage()),
    "Area/City": (Usage(zone()), Usage()),
    "at HH:MM": (Usage(Word("at"), clock()), Usage()),
    "x|y z": (Usage(choice(Word("x"), Word("y")), Word("z")), Usage()),
}


def _router(names: list[str], *, usage: str) -> Router:
    flow = Flow("gen")
    for n, name in enumerate(names):
        flow.commands.append(
            CommandSpec(
                name,
                f"summary {n} " + "x" * 120,
                Syntax(USAGES[usage]),
                _noop,
                section=f"Section {n % 4}",
            )
        )
    return Router([flow])


_names = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=40).filter(
        lambda s: s.strip("-")
    ),
    min_size=1,
    max_size=60,
    unique=True,
)


@settings(max_examples=60, deadline=None)
@given(names=_names, usage=st.sampled_from(["", "HH:MM", "N", "Area/City", "at HH:MM", "x|y z"]))
def test_any_router_makes_a_valid_tree(names: list[str], usage: str) -> None:
    shape = plan(_router(names, usage=usage))
    assert combined_length(shape) <= limits.COMMAND_COMBINED
    assert len(shape.direct) + len(shape.groups) <= limits.OPTIONS_PER_COMMAND
    for _name, _text, subs in shape.groups:
        assert 1 <= len(subs) <= limits.OPTIONS_PER_COMMAND
    seen = [s.name for s in shape.all()]
    assert len(seen) == len(set(seen))
    if len(set(seen)) <= 25:
        assert not shape.groups  # flat while it fits


def test_more_than_25_commands_become_groups_by_section() -> None:
    names = [f"cmd{n}" for n in range(30)]
    shape = plan(_router(names, usage="HH:MM"))
    assert not shape.direct
    assert sorted(s.name for s in shape.all()) == sorted(names)
    assert {g[0] for g in shape.groups} == {f"section-{n}" for n in range(4)}
