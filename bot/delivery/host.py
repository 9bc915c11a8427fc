"""What delivery needs of the application it delivers for: the database the outbox lives in,
and a place to remember the platform's reference of a posted message (so a later ``Update``
of that post finds it). The kernel's ``Bot`` is one, structurally; delivery never imports it.
"""

from __future__ import annotations

from typing import Protocol

from bot.kernel.events import MessageRef, TeamKey
from bot.kernel.storage.db import Database

__all__ = ["DeliveryHost"]


class DeliveryHost(Protocol):
    @property
    def db(self) -> Database: ...

    async def remember_post(self, team: TeamKey, ref_key: str, ref: MessageRef) -> None:
        """Record that the ``Post`` with ``ref_key`` is the platform's message ``ref``."""
