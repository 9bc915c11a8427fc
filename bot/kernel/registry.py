"""How flows plug into the core: commands, actions, forms and scheduled jobs by name.

Each feature builds a :class:`Flow` and decorates its handlers; the composition root
(``bot.bootstrap.build_router``) collects every feature's flows into one :class:`Router`, which
refuses duplicate names at construction. Handlers receive a :class:`~bot.kernel.context.Context`
(the unit of work, actor, team, now) and return a list of effects; they raise
:class:`~bot.kernel.errors.UserError` for anything the person should be told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.kernel.context import Context
from bot.kernel.effects import Effect
from bot.kernel.grammar import ParsedCommand
from bot.kernel.hooks import Provided, Slot
from bot.kernel.settings import Settings
from bot.kernel.syntax import Call, Syntax, Usage

T = TypeVar("T")

__all__ = [
    "ActionHandler",
    "AfterEventHandler",
    "CommandHandler",
    "CommandSpec",
    "CompletionHandler",
    "Flow",
    "FormHandler",
    "Router",
]


CommandHandler = Callable[[Context, Call], Awaitable[list[Effect]]]
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
    """A command as declared: its name, what it does, its grammar and its handler.

    ``featured`` commands are the few named in platforms' one-line hints (Slack's usage
    hint), each by an example of its first usage."""

    name: str
    summary: str
    syntax: Syntax
    run: CommandHandler
    admin: bool = False
    section: str = "You"
    aliases: tuple[str, ...] = ()
    featured: bool = False

    @property
    def usage(self) -> tuple[str, ...]:
        """The listed usage lines, name first (``logoff headsup N|off``)."""
        return tuple(line for line, _help in self.syntax.lines(self.name))

    @property
    def example(self) -> str:
        """The command with an example of its first usage (``logoff 17:30``)."""
        first = self.syntax.visible[0].sample() if self.syntax.visible else ""
        return f"{self.name} {first}".strip()

    @property
    def usage_help(self) -> tuple[tuple[str, str], ...]:
        """(usage line, what it does) for each listed usage."""
        return self.syntax.lines(self.name)

    async def handler(self, ctx: Context, line: ParsedCommand) -> list[Effect]:
        """Read ``line`` by the declared syntax and run the command (or raise ``UserError``
        saying what did not fit)."""
        return await self.run(ctx, self.syntax.parse(self.name, line, ctx))


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
    provisions: list[tuple[Slot[Any], Provided[Any]]] = field(default_factory=list)

    def command(
        self,
        name: str,
        *,
        summary: str,
        syntax: tuple[Usage, ...] = (Usage(),),
        admin: bool = False,
        section: str = "You",
        aliases: tuple[str, ...] = (),
        featured: bool = False,
    ) -> Callable[[CommandHandler], CommandHandler]:
        """Register a command: ``syntax`` lists its usages, each with its help (see
        :mod:`bot.kernel.syntax`; by default the command takes no words); the handler
        receives the typed :class:`Call`."""

        def register(handler: CommandHandler) -> CommandHandler:
            spec = CommandSpec(
                name, summary, Syntax(syntax), handler, admin, section, aliases, featured
            )
            self.commands.append(spec)
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

    def provide(self, slot: Slot[T], value: T, *, order: int = 100) -> None:
        """Offer ``value`` for ``slot`` (see :mod:`bot.kernel.hooks`)."""
        self.provisions.append((slot, Provided(value, order, self.name)))

    def provides(self, slot: Slot[T], *, order: int = 100) -> Callable[[T], T]:
        """Decorator form of :meth:`provide`, for slots that carry a function."""

        def register(value: T) -> T:
            self.provide(slot, value, order=order)
            return value

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
        self._provided: dict[Slot[Any], list[Provided[Any]]] = {}
        for flow in flows:
            for slot, provided in flow.provisions:
                self._provided.setdefault(slot, []).append(provided)
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

    def provided(self, slot: Slot[T]) -> list[T]:
        """What the flows provided for ``slot``: by ``order``, then in flow order."""
        found = sorted(self._provided.get(slot, ()), key=lambda p: p.order)
        return [p.value for p in found]

    def find_command(self, name: str) -> CommandSpec | None:
        name = self.aliases.get(name, name)
        return self.commands.get(name)

    def complete(self, command: str, typed: str, settings: Settings) -> list[str]:
        """Suggestions for the argument of ``command``: a flow's own completion if it
        registered one, else what its declared arguments offer (zones, templates …)."""
        handler = self.completions.get(command)
        if handler is not None:
            return list(handler(typed, settings))
        spec = self.find_command(command)
        return spec.syntax.complete(typed, settings) if spec is not None else []
