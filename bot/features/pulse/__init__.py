"""pulse: anonymous team polls, one-off and weekly, with trends."""

from bot.features.pulse.commands import flow

__all__ = ["flow"]
