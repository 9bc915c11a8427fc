"""What ``crossfade doctor`` reports, as a type every check shares: the entry point gathers
rows from the core's checks and from each adapter's (``adapters.<platform>.doctor``), which
build them without knowing the entry point."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.kernel.settings import Settings

__all__ = ["PlatformCheck", "Row"]


@dataclass(frozen=True)
class Row:
    """One line of the doctor's table: ✔ or ✘, what was found, and the fix for a ✘."""

    check: str
    ok: bool
    detail: str
    fix: str = ""


# An adapter's checks of its platform (the token, the permissions) for these settings.
PlatformCheck = Callable[[Settings], Awaitable[list[Row]]]
