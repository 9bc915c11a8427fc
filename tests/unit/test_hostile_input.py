"""Bytes and numbers an attacker controls, on both databases: NUL and lone surrogates in
names, channel names, text and form values; oversized and odd integers in every button's
value. Each gets an answer; none reaches the database as it came, none raises."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.bootstrap import make_bot
from bot.domain.bounds import DB_INT_MAX, clean, small_int, storable
from bot.kernel.app import SORRY, Bot
from bot.kernel.clock import FakeClock
from bot.kernel.events import Action, Actor, Command, FormSubmit, Place
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from tests.support.harness import text_of

NUL = "\x00"
ODD_NUMBERS = [
    "9" * 30,
    str(DB_INT_MAX + 1),
    "99999999999.1",
    "1.99999999999",
    "1.2.99999999999999999999",
    "²",
    "１２",
    "-1",
    "1e9",
    "",
    ".",
    NUL,
    "1" * 5000,
]


def test_small_int_takes_plain_bounded_digits_only() -> None:
    assert small_int("42") == 42
    assert small_int(str(DB_INT_MAX)) == DB_INT_MAX
    for text in ("²", "１２", "-1", "1_0", " 1", str(DB_INT_MAX + 1), "9" * 400, ""):
        assert small_int(text) is None, text
    assert small_int("5", low=7) is None and small_int("8", high=7) is None


def test_storable_and_clean_strip_what_postgresql_refuses() -> None:
    assert storable(f"a{NUL}b\ud800c") == "abc"
    event = Command(Actor("slack", "T1", "U1", f"Eve{NUL}"), f"help{NUL}", Place.channel("C", NUL))
    cleaned = clean(event)
    assert cleaned.actor.display_name == "Eve" and cleaned.text == "help"
    assert cleaned.place.name == ""


@pytest.fixture
def hostile_bot(any_db: Database, clock: FakeClock) -> Bot:
    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///:memory:", _env_file=None)  # type: ignore[call-arg]
    return make_bot(db=any_db, clock=clock, settings=settings)


async def test_nul_and_surrogates_in_every_string_are_answered_and_stored_clean(
    hostile_bot: Bot, any_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    actor = Actor("discord", f"G{NUL}1", f"U{NUL}1", f"Mallory{NUL}\ud83d", is_admin=True)
    place = Place.channel(f"C{NUL}1", f"general{NUL}")
    texts = ("help", "settings channel here", f'pulse ask "Ok{NUL}?" yesno', f"logoff 17:{NUL}30")
    for text in texts:
        effects = await hostile_bot.handle(Command(actor, text, place))
        assert effects and SORRY not in text_of(effects), text
    effects = await hostile_bot.handle(FormSubmit(actor, f"pulse:form|C{NUL}1", {NUL: NUL}, place))
    assert SORRY not in text_of(effects)
    async with any_db.uow() as uow:
        names = list(await uow.session.scalars(select(Member.display_name)))
        teams = list(await uow.session.scalars(select(Team.pulse_channel_name)))
    assert names == ["Mallory"]
    assert all(NUL not in (name or "") for name in teams)
    assert "failed" not in caplog.text


async def test_oversized_numbers_in_every_buttons_value_are_refused_gently(
    hostile_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    actor = Actor("console", "T1", "you", "You", is_admin=True)
    place = Place.channel("C1", "general")
    await hostile_bot.handle(Command(actor, 'pulse ask "Fine?" yesno', place))
    for action in sorted(hostile_bot.router.actions):
        for value in ODD_NUMBERS:
            effects = await hostile_bot.handle(Action(actor, action, value, None, place))
            assert SORRY not in text_of(effects), (action, value)
    assert "failed" not in caplog.text
