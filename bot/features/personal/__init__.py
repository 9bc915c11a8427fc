"""personal: your zone, workdays, quiet hours, away days and holidays; privacy,
export and forget."""

from bot.features.personal.commands import flow
from bot.features.personal.privacy import flow as privacy_flow
from bot.features.personal.schedules import flow as schedules_flow

__all__ = ["flow", "privacy_flow", "schedules_flow"]
