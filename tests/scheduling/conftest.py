from __future__ import annotations

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.support import RecordingNotifier
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
