"""The answer when handling an event failed: the core's apology, said where the person is.

Every adapter runs the handling of one event through :func:`or_apologise`: a failure is
logged with what was being handled and the person hears :data:`bot.kernel.app.SORRY`
(nothing was changed: the unit of work rolled back). How the apology reaches them is the
platform's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.kernel.app import SORRY
from bot.kernel.effects import Reply
from bot.kernel.ui import Message, Text

__all__ = ["SORRY", "apology", "or_apologise"]

T = TypeVar("T")


def apology() -> Reply:
    """The apology as an effect, for adapters that answer through their effect sender."""
    return Reply(Message(SORRY, (Text(SORRY),)))


async def or_apologise(
    work: Awaitable[T],
    *,
    apologise: Callable[[], Awaitable[None]],
    log: logging.Logger,
    failed: str,
    args: tuple[object, ...] = (),
) -> T | None:
    """``work``'s result; if it fails, ``None`` after logging ``failed % args`` with the
    traceback and apologising."""
    try:
        return await work
    except Exception:
        log.exception(failed, *args)
        await apologise()
        return None
