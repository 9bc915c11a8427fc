"""Fixtures for pulse tests: a harness wired to the real scheduling engine."""

from __future__ import annotations

import pytest

from bot.kernel.app import Bot
from bot.scheduling.engine import SchedulingEngine
from tests.pulse.support import PulseHarness, Recorder


async def _no_sleep(_seconds: float) -> None:
    return None


def make_harness(bot: Bot) -> PulseHarness:
    recorder = Recorder(bot)
    engine = SchedulingEngine(bot, instance_id="test", sleep=_no_sleep)
    engine.add_notifier(recorder)
    return PulseHarness(bot, engine=engine, recorder=recorder)


@pytest.fixture
def h(bot: Bot) -> PulseHarness:
    return make_harness(bot)
