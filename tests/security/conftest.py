"""The pulse harness, for the anonymity tests."""

from __future__ import annotations

import pytest

from bot.kernel.app import Bot
from tests.pulse.conftest import make_harness
from tests.pulse.support import PulseHarness


@pytest.fixture
def h(bot: Bot) -> PulseHarness:
    return make_harness(bot)
