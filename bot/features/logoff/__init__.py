"""log-off: the end-of-day reminder, fixed or hours-based, with its heads-up."""

from bot.features.logoff import answers, commands, days, jobs, setup, status
from bot.features.logoff.flow import flow

__all__ = ["flow"]

# The modules whose handlers and provisions register on the flow when imported.
HANDLERS = (answers, commands, days, jobs, setup, status)
