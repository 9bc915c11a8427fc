"""check-in: the daily private DM, the dashboard (`me`), insights and nudges."""

from bot.features.checkin import answers, commands, daily, jobs
from bot.features.checkin.flow import flow

__all__ = ["flow"]

# The modules whose handlers and provisions register on the flow when imported.
HANDLERS = (answers, commands, daily, jobs)
