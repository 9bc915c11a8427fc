"""help: every command grouped, and the details of one."""

from bot.features.help.commands import flow

__all__ = ["flow"]
