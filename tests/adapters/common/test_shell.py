"""The shell every adapter shares: one dispatch over the Effect union, work in flight
drained on shutdown, and the apology when handling an event failed."""

from __future__ import annotations

import asyncio
import logging
import typing

import pytest

from adapters.common import EffectSender, InFlight, apology, dispatch, or_apologise
from bot.kernel.app import SORRY
from bot.kernel.effects import (
    Effect,
    FormErrors,
    OpenForm,
    Post,
    Presence,
    Reply,
    SendDirect,
    Update,
    UserRef,
)
from bot.kernel.events import MessageRef, Place
from bot.kernel.ui import Form, Message

USER = UserRef("console", "console", "you")
TEXT = Message("hi")
ONE_OF_EACH: list[Effect] = [
    Reply(TEXT),
    SendDirect(USER, TEXT),
    Post(Place.channel("C1"), TEXT),
    Update(MessageRef(Place.dm(), "m1"), TEXT),
    OpenForm(Form("f", "A form", ())),
    FormErrors({"when": "not a time"}),
    Presence(USER, "clear"),
]


class Recorder(EffectSender[str]):
    async def unsupported(self, effect: Effect) -> str:
        return f"unsupported {type(effect).__name__}"

    async def reply(self, effect: Reply) -> str:
        return "reply"

    async def post(self, effect: Post) -> str:
        return "post"


def test_one_of_each_covers_the_effect_union() -> None:
    kinds = typing.get_args(Effect)
    assert {type(e) for e in ONE_OF_EACH} == set(kinds)


async def test_each_effect_reaches_its_method_and_the_rest_are_unsupported() -> None:
    sender = Recorder()
    answers = [await dispatch(sender, effect) for effect in ONE_OF_EACH]
    assert answers == [
        "reply",
        "unsupported SendDirect",
        "post",
        "unsupported Update",
        "unsupported OpenForm",
        "unsupported FormErrors",
        "unsupported Presence",
    ]


async def test_drain_waits_for_work_started_meanwhile() -> None:
    in_flight = InFlight("Test")
    done: list[str] = []

    async def second() -> None:
        await asyncio.sleep(0.02)
        done.append("second")

    async def first() -> None:
        await asyncio.sleep(0.01)
        in_flight.spawn(second())
        done.append("first")

    in_flight.spawn(first())
    await in_flight.drain(5.0)
    assert done == ["first", "second"] and len(in_flight) == 0


async def test_drain_gives_up_after_its_time_and_cancel_stops_the_rest() -> None:
    in_flight = InFlight("Test")
    task = in_flight.spawn(asyncio.sleep(10))
    with pytest.raises(TimeoutError, match="1 Test task"):
        await in_flight.drain(0.05)
    in_flight.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_work_counted_while_it_runs_in_its_own_task() -> None:
    in_flight = InFlight("Test")
    seen: list[int] = []

    async def interaction() -> None:
        with in_flight.current():
            seen.append(len(in_flight))
            await asyncio.sleep(0.01)

    await asyncio.gather(interaction(), in_flight.drain(1.0))
    assert seen == [1] and len(in_flight) == 0


async def test_a_failure_is_logged_and_apologised_for(caplog: pytest.LogCaptureFixture) -> None:
    said: list[str] = []

    async def failing() -> int:
        raise RuntimeError("boom")

    async def apologise() -> None:
        said.append(apology().message.text)

    with caplog.at_level(logging.ERROR):
        result = await or_apologise(
            failing(),
            apologise=apologise,
            log=logging.getLogger("test"),
            failed="handling %s failed",
            args=("a command",),
        )
    assert result is None and said == [SORRY]
    assert "handling a command failed" in caplog.text and "boom" in caplog.text


async def test_success_passes_through_without_an_apology() -> None:
    async def fine() -> int:
        return 7

    async def apologise() -> None:
        raise AssertionError("no apology for a success")

    assert (
        await or_apologise(fine(), apologise=apologise, log=logging.getLogger("t"), failed="x") == 7
    )
