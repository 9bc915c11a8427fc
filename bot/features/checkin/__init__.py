"""check-in: the daily private DM, the dashboard (`me`), insights and nudges."""

from bot.features.checkin.commands import flow

__all__ = ["flow"]
