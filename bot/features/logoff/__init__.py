"""log-off: the end-of-day reminder, fixed or hours-based, with its heads-up."""

from bot.features.logoff.commands import flow

__all__ = ["flow"]
