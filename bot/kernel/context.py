"""A handler's context: the unit of work, the actor and their team, the place and the time.

Handlers receive a :class:`Context` and return a list of effects; they raise
:class:`~bot.kernel.errors.UserError` for anything the person should be told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.window import WorkWindow, usual_window
from bot.domain.zones import safe_zone
from bot.kernel.effects import Reply, UserRef
from bot.kernel.events import Actor, MessageRef, Place
from bot.kernel.hooks import Slot
from bot.kernel.settings import Settings
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.repositories import Conversations, Members, PostedMessages
from bot.kernel.storage.store import Store
from bot.kernel.storage.uow import UnitOfWork
from bot.kernel.ui import Message, Text

__all__ = ["CommandInfo", "Context", "Registry", "reply"]

S = TypeVar("S", bound=Store)
T = TypeVar("T")


class CommandInfo(Protocol):
    """What is known of a command without running it (``bot.kernel.registry.CommandSpec``)."""

    @property
    def name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def usage(self) -> tuple[str, ...]: ...
    @property
    def usage_help(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def admin(self) -> bool: ...
    @property
    def section(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


class Registry(Protocol):
    """What a handler may ask of the registry (``bot.kernel.registry.Router`` is one)."""

    @property
    def commands(self) -> Mapping[str, CommandInfo]: ...
    @property
    def aliases(self) -> Mapping[str, str]: ...
    @property
    def rules_changed(self) -> Sequence[Callable[[Context], Awaitable[None]]]: ...

    def find_command(self, name: str) -> CommandInfo | None: ...

    def provided(self, slot: Slot[T]) -> list[T]: ...


@dataclass
class Context:
    """Everything a handler needs for one event, inside one unit of work."""

    uow: UnitOfWork
    team: Team
    member: Member
    actor: Actor
    place: Place
    now: datetime  # UTC
    # What this process knows: every feature's handlers and providers, and the settings.
    registry: Registry = field(repr=False)
    settings: Settings = field(repr=False)
    message_ref: MessageRef | None = None
    first_contact: bool = False
    # Set when a decision read the admin flag: the platform may then be asked afresh
    # (``Bot.handle``'s ``fresh_admin``) before anything is committed.
    admin_consulted: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The member's zone, else the team default, else UTC."""
        return safe_zone(self.member.timezone, self.team.default_timezone)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.zone)

    @property
    def local_today(self) -> date:
        return self.local_now.date()

    @property
    def work_window(self) -> WorkWindow:
        """The member's usual working window (their own, else the team's default)."""
        team = self.team
        return usual_window(
            self.member.work_start,
            self.member.work_end,
            team.default_work_start,
            team.default_logoff,
        )

    @property
    def user_ref(self) -> UserRef:
        return UserRef(self.actor.platform, self.actor.workspace_id, self.actor.user_id)

    @property
    def members(self) -> Members:
        return Members(self.uow.session, self.team)

    @property
    def conversations(self) -> Conversations:
        return Conversations(self.uow.session, self.team)

    @property
    def posted(self) -> PostedMessages:
        return PostedMessages(self.uow.session, self.team)

    @property
    def is_admin(self) -> bool:
        self.admin_consulted = True
        return self.member.is_admin

    def store(self, kind: type[S]) -> S:
        """This feature's store for the actor's team, inside this event's unit of work."""
        return self.uow.store(kind, self.team)

    def provided(self, slot: Slot[T]) -> list[T]:
        """What every feature provided for ``slot``, in order."""
        return self.registry.provided(slot)

    async def rules_changed(self) -> None:
        """Tell every flow that this member's personal rules changed."""
        for handler in self.registry.rules_changed:
            await handler(self)


def reply(text: str, *blocks: Any, private: bool = True) -> Reply:
    """Shorthand for a reply with a text block."""
    return Reply(Message(text, (Text(text), *blocks) if blocks else (Text(text),)), private)
