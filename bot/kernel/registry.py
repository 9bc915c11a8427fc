"""How flows plug into the core: commands, actions, forms and scheduled jobs by name.

Each flow module builds a :class:`Flow` and decorates its handlers; ``bot.flows.all_flows``
collects them into one :class:`Router`, which refuses duplicate names at construction.
Handlers receive a :class:`Context` (the unit of work, team, member, clock) and return a list
of effects; they raise :class:`UserError` for anything the person should be told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.domain.parsing import InputError
from bot.domain.zones import safe_zone
from bot.kernel.effects import Effect, Reply, UserRef
from bot.kernel.events import Actor, MessageRef, Place
from bot.kernel.grammar import ParsedCommand
from bot.kernel.settings import Settings
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.repositories import Conversations, Members, PostedMessages
from bot.kernel.storage.uow import UnitOfWork
from bot.kernel.ui import Message

if TYPE_CHECKING:
    from bot.kernel.app import Bot

__all__ = [
    "ActionHandler",
    "AfterEventHandler",
    "CommandHandler",
    "CommandSpec",
    "CompletionHandler",
    "Context",
    "Flow",
    "FormHandler",
    "Router",
    "UserError",
    "reply",
]


class UserError(InputError):
    """Raised by a handler to answer the person privately and roll the transaction back."""


@dataclass
class Context:
    """Everything a handler needs for one event, inside one unit of work."""

    bot: Bot
    uow: UnitOfWork
    team: Team
    member: Member
    actor: Actor
    place: Place
    now: datetime  # UTC
    message_ref: MessageRef | None = None
    first_contact: bool = False
    # Set when a decision read the admin flag: the platform may then be asked afresh
    # (:meth:`bot.kernel.app.Bot.handle`'s ``fresh_admin``) before anything is committed.
    admin_consulted: bool = False

    @property
    def session(self) -> Any:
        return self.uow.session

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

    async def rules_changed(self) -> None:
        """Tell every flow that this member's personal rules changed."""
        for handler in self.bot.router.rules_changed:
            await handler(self)


CommandHandler = Callable[[Context, ParsedCommand], Awaitable[list[Effect]]]
ActionHandler = Callable[[Context, str], Awaitable[list[Effect]]]
FormHandler = Callable[[Context, str, dict[str, str]], Awaitable[list[Effect]]]
DirectTextHandler = Callable[[Context, str], Awaitable[list[Effect] | None]]
RulesChangedHandler = Callable[[Context], Awaitable[None]]
# Runs after every handled event, in the same transaction, and may add effects.
AfterEventHandler = Callable[[Context, list[Effect]], Awaitable[list[Effect]]]
# Given what a person has typed after ``/crossfade <command>`` (and the settings, for content
# files), whole argument strings they may mean, closest first. No database and fast:
# platforms with autocomplete (Discord) call it on every keystroke.
CompletionHandler = Callable[[str, Settings], list[str]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    summary: str
    usage: tuple[str, ...]
    handler: CommandHandler
    admin: bool = False
    section: str = "You"
    aliases: tuple[str, ...] = ()


@dataclass
class Flow:
    """One conversation's handlers. ``name`` prefixes its action ids (``quiz:answer``)."""

    name: str
    commands: list[CommandSpec] = field(default_factory=list)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    forms: dict[str, FormHandler] = field(default_factory=dict)
    jobs: dict[str, Any] = field(default_factory=dict)
    direct_text: DirectTextHandler | None = None
    rules_changed: list[RulesChangedHandler] = field(default_factory=list)
    completions: dict[str, CompletionHandler] = field(default_factory=dict)
    after_event: list[AfterEventHandler] = field(default_factory=list)
    anonymous_actions: set[str] = field(default_factory=set)

    def command(
        self,
        name: str,
        *,
        summary: str,
        usage: tuple[str, ...] = (),
        admin: bool = False,
        section: str = "You",
        aliases: tuple[str, ...] = (),
    ) -> Callable[[CommandHandler], CommandHandler]:
        def register(handler: CommandHandler) -> CommandHandler:
            self.commands.append(
                CommandSpec(name, summary, usage or (name,), handler, admin, section, aliases)
            )
            return handler

        return register

    def action(
        self, name: str, *, anonymous: bool = False
    ) -> Callable[[ActionHandler], ActionHandler]:
        """Register a button/select handler for action id ``name`` (e.g. ``quiz:answer``).

        ``anonymous`` marks an answer path (a pulse vote): the core then resolves the person
        read-only — no member row created or refreshed, no after-event hook — and adapters
        refresh no cache of people, so nothing written dates the vote or names its author."""

        def register(handler: ActionHandler) -> ActionHandler:
            self.actions[name] = handler
            if anonymous:
                self.anonymous_actions.add(name)
            return handler

        return register

    def form(self, name: str) -> Callable[[FormHandler], FormHandler]:
        def register(handler: FormHandler) -> FormHandler:
            self.forms[name] = handler
            return handler

        return register

    def on_rules_changed(self, handler: RulesChangedHandler) -> RulesChangedHandler:
        """Called after a member's zone, workdays, quiet hours, away days or holidays change
        (the scheduling engine recomputes their next due times here)."""
        self.rules_changed.append(handler)
        return handler

    def after(self, handler: AfterEventHandler) -> AfterEventHandler:
        """Called after every event this process handles (any flow's), with its effects;
        returns the effects to send (e.g. with a question appended). Keep it cheap."""
        self.after_event.append(handler)
        return handler

    def completion(self, command: str) -> Callable[[CompletionHandler], CompletionHandler]:
        """Register argument suggestions for ``command`` (time zones, template names …);
        adapters with autocomplete offer them as the person types."""

        def register(handler: CompletionHandler) -> CompletionHandler:
            self.completions[command] = handler
            return handler

        return register

    def job(self, kind: str) -> Callable[[Any], Any]:
        """Register what to send when a schedule of ``kind`` falls due (see bot.scheduling)."""

        def register(handler: Any) -> Any:
            self.jobs[kind] = handler
            return handler

        return register


class Router:
    """All flows' handlers by name; duplicate names fail here, at construction."""

    def __init__(self, flows: list[Flow]) -> None:
        self.flows = flows
        self.commands: dict[str, CommandSpec] = {}
        self.aliases: dict[str, str] = {}
        self.actions: dict[str, ActionHandler] = {}
        self.forms: dict[str, FormHandler] = {}
        self.jobs: dict[str, Any] = {}
        self.direct_text: list[DirectTextHandler] = []
        self.rules_changed: list[RulesChangedHandler] = []
        self.completions: dict[str, CompletionHandler] = {}
        self.after_event: list[AfterEventHandler] = []
        self.anonymous_actions: set[str] = set()
        for flow in flows:
            self.anonymous_actions |= flow.anonymous_actions
            for spec in flow.commands:
                self._add(self.commands, spec.name, spec, flow)
                for alias in spec.aliases:
                    self._add(self.aliases, alias, spec.name, flow)
            for name, action in flow.actions.items():
                self._add(self.actions, name, action, flow)
            for name, form in flow.forms.items():
                self._add(self.forms, name, form, flow)
            for name, job in flow.jobs.items():
                self._add(self.jobs, name, job, flow)
            if flow.direct_text is not None:
                self.direct_text.append(flow.direct_text)
            self.rules_changed.extend(flow.rules_changed)
            self.after_event.extend(flow.after_event)
            for name, completion in flow.completions.items():
                self._add(self.completions, name, completion, flow)

    @staticmethod
    def _add(table: dict[str, Any], name: str, value: Any, flow: Flow) -> None:
        if name in table:
            raise ValueError(f"{name!r} is registered twice (second time by flow {flow.name!r})")
        table[name] = value

    def find_command(self, name: str) -> CommandSpec | None:
        name = self.aliases.get(name, name)
        return self.commands.get(name)

    def complete(self, command: str, typed: str, settings: Settings) -> list[str]:
        """Suggestions for the argument of ``command`` (empty when it has none)."""
        handler = self.completions.get(command)
        return list(handler(typed, settings)) if handler is not None else []


def reply(text: str, *blocks: Any, private: bool = True) -> Reply:
    """Shorthand for a reply with a text block."""
    from bot.kernel.ui import Text

    return Reply(Message(text, (Text(text), *blocks) if blocks else (Text(text),)), private)
