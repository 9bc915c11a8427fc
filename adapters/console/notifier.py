"""The console's Notifier: scheduled deliveries are printed at the clock's current time.

The console app registers it with the engine, handing over how it shows an effect::

    services.engine.add_notifier(ConsoleNotifier(app.show))

With ``:advance``, the engine moves the fake clock to each due instant and drains the outbox
there, so every heads-up, reminder and snooze is printed with its own local time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.delivery.notifier import DeliveryResult
from bot.kernel.effects import Effect
from bot.kernel.events import MessageRef

__all__ = ["ConsoleNotifier", "Show"]

# Prints one effect at the clock's current time; the ref of a new message, if any.
Show = Callable[[Effect], Awaitable[MessageRef | None]]

log = logging.getLogger(__name__)


class ConsoleNotifier:
    """Delivers the console lane's outbox rows by printing them."""

    lane = "console"
    # A terminal has no rate limit, and one request at a time keeps the transcript in the
    # order the reminders fell due.
    rate_per_second = float("inf")
    burst = 1
    concurrency = 1

    def __init__(self, show: Show) -> None:
        self.show = show

    async def deliver(self, effect: Effect) -> DeliveryResult:
        try:
            ref = await self.show(effect)
        except Exception as error:  # printing failed (a closed pipe): say so, don't crash
            log.warning("console delivery failed: %r", error)
            return DeliveryResult.permanent(repr(error))
        return DeliveryResult.sent(ref.id if ref is not None else "")
