"""Features meet through the kernel's slots: the team view and `settings` show what every
feature provides, in order, and a `team <word>` report comes from the feature that owns it."""

from __future__ import annotations

from datetime import time

from bot.bootstrap import build_router, make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.context import Context
from bot.kernel.registry import Flow
from bot.kernel.settings import Settings
from bot.kernel.slots import MY_SETTINGS, TEAM_SECTIONS, TeamSection
from bot.kernel.storage.db import Database
from bot.kernel.ui import Block, Field, Text
from tests.support.harness import Harness, text_of


async def _trend(ctx: Context) -> list[Block]:
    return [Text("a trend here")]


async def _nothing(ctx: Context) -> list[Block]:
    return []


async def _mine(ctx: Context) -> list[Field]:
    return [Field("Something of mine", f"at {time(7, 15):%H:%M}")]


def _extra() -> Flow:
    flow = Flow("extra")
    flow.provide(TEAM_SECTIONS, TeamSection("Another view", _trend), order=15)
    flow.provide(TEAM_SECTIONS, TeamSection("Hidden", _nothing), order=5)
    flow.provide(TEAM_SECTIONS, TeamSection("The last view", _trend), order=500)
    flow.provide(MY_SETTINGS, _mine, order=99)
    return flow


async def test_the_team_view_shows_every_section_in_order_and_hides_empty_ones(
    db: Database, clock: FakeClock, settings: Settings
) -> None:
    bot = make_bot(db=db, clock=clock, settings=settings, router=build_router([_extra()]))
    text = text_of(await Harness(bot).command("ann", "/crossfade team"))
    assert text.index("Balance or integration?") < text.index("Another view")
    assert text.index("Another view") < text.index("The last view")
    assert "a trend here" in text and "Hidden" not in text


async def test_settings_gathers_each_features_own_lines_in_order(
    db: Database, clock: FakeClock, settings: Settings
) -> None:
    bot = make_bot(db=db, clock=clock, settings=settings, router=build_router([_extra()]))
    h = Harness(bot)
    await h.command("ann", "/crossfade logoff 17:30")
    await h.command("ann", "/crossfade checkin at 16:45")
    text = text_of(await h.command("ann", "/crossfade settings"))
    order = [
        "Time zone",
        "Away",
        "Log-off reminder",
        "17:30 on workdays",
        "Hours mode",
        "Daily check-in",
        "16:45",
        "Public holidays",
        "Working window",
        "Something of mine",
    ]
    places = [text.index(words) for words in order]
    assert places == sorted(places)


async def test_team_disconnect_is_the_right_to_disconnects_report(
    db: Database, clock: FakeClock, settings: Settings
) -> None:
    h = Harness(make_bot(db=db, clock=clock, settings=settings))
    report = text_of(await h.command("you", "/crossfade team disconnect"))
    assert "Crossfade's direct messages in the last 4 weeks: 0." in report
    refused = text_of(await h.command("ann", "/crossfade team disconnect"))
    assert "Only team admins can see the disconnect report." in refused
