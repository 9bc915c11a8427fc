"""The console's Notifier: scheduled deliveries are printed at the clock's current time.

Register it with the engine once the console app exists::

    services.engine.add_notifier(ConsoleNotifier(app))

With ``:advance``, the engine moves the fake clock to each due instant and drains the outbox
there, so every heads-up, reminder and snooze is printed with its own local time.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.delivery.notifier import DeliveryResult
from bot.kernel.effects import Effect

if TYPE_CHECKING:
    from adapters.console.app import ConsoleApp

__all__ = ["ConsoleNotifier"]

log = logging.getLogger(__name__)


class ConsoleNotifier:
    """Delivers the console lane's outbox rows by printing them."""

    lane = "console"
    # A terminal has no rate limit, and one request at a time keeps the transcript in the
    # order the reminders fell due.
    rate_per_second = float("inf")
    burst = 1
    concurrency = 1

    def __init__(self, app: ConsoleApp) -> None:
        self.app = app

    async def deliver(self, effect: Effect) -> DeliveryResult:
        try:
            ref = await self.app.show(effect)
        except Exception as error:  # printing failed (a closed pipe): say so, don't crash
            log.warning("console delivery failed: %r", error)
            return DeliveryResult.permanent(repr(error))
        return DeliveryResult.sent(ref.id if ref is not None else "")
