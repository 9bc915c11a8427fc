from __future__ import annotations

import pytest

from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.jobs import seen, test_flow
from tests.scheduling.support import RecordingNotifier, bot_with
from tests.support.harness import Harness


@pytest.fixture
def notifier(clock: FakeClock) -> RecordingNotifier:
    return RecordingNotifier(clock)


@pytest.fixture
def engine(bot: Bot, notifier: RecordingNotifier) -> SchedulingEngine:
    engine = SchedulingEngine(bot, instance_id="test")
    engine.add_notifier(notifier)
    return engine


@pytest.fixture
def harness(bot: Bot) -> Harness:
    return Harness(bot)


@pytest.fixture
def tbot(bot: Bot) -> Bot:
    """The bot with the test jobs of tests/scheduling/jobs.py registered."""
    seen.clear()
    return bot_with(bot, test_flow)


@pytest.fixture
def tengine(tbot: Bot, notifier: RecordingNotifier) -> SchedulingEngine:
    engine = SchedulingEngine(tbot, instance_id="t")
    engine.add_notifier(notifier)
    return engine
