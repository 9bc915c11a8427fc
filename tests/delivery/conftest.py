from __future__ import annotations

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.jobs import seen, test_flow
from tests.scheduling.support import RecordingNotifier, bot_with


@pytest.fixture
def notifier(clock: FakeClock) -> RecordingNotifier:
    return RecordingNotifier(clock)


@pytest.fixture
def tbot(bot: Bot) -> Bot:
    seen.clear()
    return bot_with(bot, test_flow)


@pytest.fixture
def tengine(tbot: Bot, notifier: RecordingNotifier) -> SchedulingEngine:
    engine = SchedulingEngine(tbot, instance_id="t")
    engine.add_notifier(notifier)
    return engine
