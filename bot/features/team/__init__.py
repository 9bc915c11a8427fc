"""team: the team at a glance, and the admins' settings."""

from bot.features.team.commands import flow
from bot.features.team.settings import flow as settings_flow

__all__ = ["flow", "settings_flow"]
