"""The errors the kernel knows: what a person is told, and what stops start-up."""

from __future__ import annotations

from bot.domain.parsing import InputError

__all__ = ["InputError", "StartupError", "UserError"]


class UserError(InputError):
    """Raised by a handler to answer the person privately and roll the transaction back."""


class StartupError(Exception):
    """Something a person must fix before the bot can start (printed without a traceback).
    ``code`` is the exit status: 2 for configuration and usage, 1 for the rest."""

    def __init__(self, message: str, *, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
