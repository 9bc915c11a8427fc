"""The console adapter: try everything in a terminal with no tokens, on SQLite."""

from adapters.console.app import ConsoleApp, ScriptError

__all__ = ["ConsoleApp", "ScriptError"]
