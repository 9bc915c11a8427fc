"""Argument suggestions (autocomplete) and the time-zone prompt: platform-neutral pieces the
Discord adapter builds on."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.zones import COMMON_ZONES, resolve_zone, search_zones
from bot.kernel.app import Bot
from bot.kernel.registry import Flow, Router
from bot.kernel.settings import Settings
from bot.kernel.ui import Select
from tests.support.harness import Harness, messages, text_of


def test_search_zones_finds_cities_and_prefixes() -> None:
    assert search_zones("berl")[0] == "Europe/Berlin"
    assert search_zones("new y") == ["America/New_York"]
    assert search_zones("kathm")[0] == "Asia/Kathmandu"
    assert search_zones("utc")[0] == "UTC"
    assert search_zones("") == list(COMMON_ZONES)
    assert all(z.startswith("Europe/") for z in search_zones("Europe/"))


@given(st.text(max_size=40))
def test_search_zones_only_returns_zones_that_resolve(typed: str) -> None:
    found = search_zones(typed, limit=25)
    assert len(found) <= 25
    assert len(found) == len(set(found))
    for zone in found:
        assert resolve_zone(zone).zone is not None


def test_router_collects_completions_and_refuses_duplicates() -> None:
    one, two = Flow("one"), Flow("two")

    @one.completion("thing")
    def complete(typed: str, settings: Settings) -> list[str]:
        return [typed + "!"]

    router = Router([one, two])
    assert router.complete("thing", "a", Settings()) == ["a!"]
    assert router.complete("other", "a", Settings()) == []

    two.completion("thing")(complete)
    try:
        Router([one, two])
    except ValueError as error:
        assert "thing" in str(error)
    else:  # pragma: no cover
        raise AssertionError("a duplicate completion was accepted")


def test_core_flows_complete_timezones_and_templates(bot: Bot) -> None:
    def complete(command: str, typed: str) -> list[str]:
        return bot.router.complete(command, typed, bot.settings)

    assert complete("timezone", "berl")[0] == "Europe/Berlin"
    assert complete("settings", "timezone berl")[0] == "timezone Europe/Berlin"
    assert complete("settings", "k") == []
    templates = complete("pulse", "ask ")
    assert templates and all(t.startswith("ask ") for t in templates)
    first = templates[0].split()[1]
    assert complete("pulse", f"ask {first[:2]}")[0] == f"ask {first}"
    scheduled = complete("pulse", "sched")
    assert scheduled and all(t.startswith("schedule weekly") for t in scheduled)
    assert complete("pulse", "close 3") == []


async def test_timezone_asks_until_a_zone_is_known(bot: Bot) -> None:
    h = Harness(bot, platform="discord")
    first = await h.command("ana", "timezone")
    (select,) = [b for m in messages(first) for b in m.blocks if isinstance(b, Select)]
    assert select.action == "personal:timezone"
    assert select.options[0].value == "UTC"  # the team default comes first
    assert len(select.options) <= 25
    await h.command("ana", "timezone Europe/Berlin")
    again = await h.command("ana", "timezone")
    assert not [b for m in messages(again) for b in m.blocks if isinstance(b, Select)]


async def test_zone_is_asked_once_when_a_local_reminder_first_needs_it(bot: Bot) -> None:
    from bot.kernel.events import Action, Actor, Command, Place

    here = Place.channel("C1", "general")
    discord_like = Actor("discord", "G1", "ana", "Ana", zone_unknown=True)

    def selects(effects: list[Any]) -> list[Select]:
        return [b for m in messages(effects) for b in m.blocks if isinstance(b, Select)]

    assert not selects(await bot.handle(Command(discord_like, "help", here)))
    first = await bot.handle(Command(discord_like, "logoff 17:30", here))
    (prompt,) = selects(first)
    assert prompt.action == "personal:timezone"
    assert not selects(await bot.handle(Command(discord_like, "logoff 18:00", here)))

    # Told by a platform (Slack) or not asking (the console): never asked.
    for actor in (
        Actor("slack", "T1", "bo", "Bo", timezone="Europe/Berlin"),
        Actor("console", "console", "cy", "Cy"),
    ):
        assert not selects(await bot.handle(Command(actor, "logoff 17:30", here)))

    chosen = await bot.handle(Action(discord_like, "personal:timezone", "Asia/Kolkata", None, here))
    assert "Asia/Kolkata" in text_of(chosen)
