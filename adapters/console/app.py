"""The console adapter: several simulated users, a controllable clock, scripts and a REPL.

Script syntax (one instruction a line; blank lines and lines starting with `#` are ignored):

    /crossfade …          a command from the current user (any other text is a DM to the bot)
    :as NAME              act as another user (created on first use; `you` is a team admin)
    :in #channel | :in dm where the current user's commands are typed (default #general)
    :press LABEL | :press N   press a button of the newest message you can see that has buttons
    :select LABEL         choose an option of the newest select you can see
    :fill k=v k2="v 2"    fill fields of the open form; `:submit` submits it
    :now 2026-03-27T17:25+01:00   set the simulated clock
    :advance 90m          move the clock (s, m, h, d), delivering what falls due, in order
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO, TypeVar

from adapters.common import dispatch
from adapters.console.notifier import ConsoleNotifier
from adapters.console.screen import TEAM, ConsoleSender, Screen, Shown
from bot.domain.parsing import InputError, parse_duration
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Effect, FormErrors
from bot.kernel.events import (
    Action,
    Actor,
    Command,
    DirectText,
    FormSubmit,
    MessageRef,
    Place,
)
from bot.kernel.services import Services
from bot.kernel.ui import Form, Message, Select

__all__ = ["ConsoleApp", "ScriptError"]

FIRST_USER = "you"
MAX_ADVANCE_STEPS = 100_000
# The simulated clock stays where date arithmetic (and a person's reading) makes sense.
MIN_YEAR, MAX_YEAR = 2000, 2100
T = TypeVar("T")


class ScriptError(Exception):
    """A malformed script line (the runner reports its line number and exits non-zero)."""


@dataclass
class ConsoleApp:
    services: Services
    out: TextIO = field(default_factory=lambda: sys.stdout)
    current: str = FIRST_USER
    place: Place = field(default_factory=lambda: Place.channel("general", "general"))
    screen: Screen = field(init=False)

    def __post_init__(self) -> None:
        self.screen = Screen(self.out, self.bot, self.services.clock, users=[FIRST_USER])
        # Scheduled deliveries (reminders, check-ins, pulse posts) print through this app.
        self.services.engine.add_notifier(ConsoleNotifier(self.show))

    @property
    def bot(self) -> Bot:
        return self.services.bot

    @property
    def clock(self) -> FakeClock:
        clock = self.services.clock
        assert isinstance(clock, FakeClock), "the console needs a controllable clock"
        return clock

    @property
    def users(self) -> list[str]:
        return self.screen.users

    @property
    def shown(self) -> list[Shown]:
        return self.screen.shown

    @property
    def forms(self) -> dict[str, Form]:
        return self.screen.forms

    @property
    def filled(self) -> dict[str, dict[str, str]]:
        return self.screen.filled

    def _write(self, text: str) -> None:
        self.screen.write(text)

    async def _stamp(self, user: str | None) -> str:
        return await self.screen.stamp(user or self.current)

    # --- identities --------------------------------------------------------------------

    def actor(self, name: str | None = None) -> Actor:
        name = name or self.current
        return Actor("console", TEAM.workspace_id, name, name, is_admin=name == FIRST_USER)

    # --- output ------------------------------------------------------------------------

    async def show(
        self, effect: Effect, *, actor: str | None = None, place: Place | None = None
    ) -> MessageRef | None:
        """Print one effect at the clock's current time; returns the ref of a new message.

        ``actor`` is who caused it and ``place`` where (for replies); scheduled deliveries
        pass neither."""
        typed = self.place if actor is not None else None
        sender = ConsoleSender(self.screen, who=actor or self.current, typed=typed, place=place)
        return await dispatch(sender, effect)

    async def _run(self, effects: list[Effect], actor: str, place: Place | None = None) -> None:
        for effect in effects:
            await self.show(effect, actor=actor, place=place)

    # --- input -------------------------------------------------------------------------

    async def _echo(self, text: str, place: Place) -> None:
        stamp = await self._stamp(self.current)
        where = "DM" if place.kind == "dm" else f"#{place.name}"
        self._write(f"{stamp} {self.current} ({where}): {text}")

    async def line(self, text: str) -> None:
        """Execute one script/REPL line. Raises ScriptError when the line is malformed."""
        text = text.rstrip("\n")
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return
        if stripped.startswith(":"):
            await self._directive(stripped)
            return
        actor = self.actor()
        if stripped.lower().startswith("/crossfade"):
            place = self.place
            event: Command | DirectText = Command(actor, stripped, place)
        else:
            place = Place.dm()
            event = DirectText(actor, stripped)
        await self._echo(stripped, place)
        await self._run(await self.bot.handle(event), self.current, place)
        await self.services.engine.run_due()

    async def _directive(self, text: str) -> None:
        head, _, rest = text.partition(" ")
        if head.lower() in (":press", ":select"):
            # Everything after the directive is the label, apostrophes and all
            # (`:press I'm logging off`); quotes around the whole label are optional.
            label = rest.strip()
            if len(label) >= 2 and label[0] == label[-1] and label[0] in "\"'":
                label = label[1:-1]
            parts = [head, *([label] if label else [])]
        else:
            try:
                parts = shlex.split(text)
            except ValueError as error:
                raise ScriptError(f"unbalanced quotes ({error})") from None
        name, args = parts[0].lower(), parts[1:]
        handler = {
            ":as": self._as,
            ":in": self._in,
            ":press": self._press,
            ":select": self._select,
            ":fill": self._fill,
            ":submit": self._submit,
            ":now": self._now,
            ":advance": self._advance,
        }.get(name)
        if handler is None:
            raise ScriptError(
                f"unknown directive {name!r} (known: :as :in :press :select :fill :submit "
                ":now :advance)"
            )
        await handler(args)

    async def _as(self, args: list[str]) -> None:
        if len(args) != 1:
            raise ScriptError(":as takes one name, e.g. `:as alice`")
        name = args[0]
        if not name.replace("_", "").replace("-", "").isalnum() or len(name) > 32:
            raise ScriptError(":as NAME takes letters, digits, - and _ (up to 32)")
        if name not in self.users:
            self.users.append(name)
        self.current = name

    async def _in(self, args: list[str]) -> None:
        if len(args) != 1:
            raise ScriptError(":in takes `#channel` or `dm`")
        target = args[0]
        if target.lower() == "dm":
            self.place = Place.dm()
        elif target.startswith("#") and len(target) > 1:
            self.place = Place.channel(target[1:], target[1:])
        else:
            raise ScriptError(":in takes `#channel` or `dm`")

    def _visible(self, predicate: Callable[[Message], bool]) -> Shown | None:
        for item in reversed(self.shown):
            visible = item.audience is None or self.current in item.audience
            if visible and predicate(item.message):
                return item
        return None

    async def _press(self, args: list[str]) -> None:
        if not args:
            raise ScriptError(":press takes a button label or number, e.g. `:press 1`")
        wanted = " ".join(args)
        item = self._visible(lambda m: bool(m.buttons))
        if item is None:
            self._write(f"  ! {self.current} sees no message with buttons")
            return
        buttons = item.message.buttons
        chosen = _pick(buttons, wanted, key=lambda b: b.label)
        if chosen is None:
            labels = ", ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, 1))
            self._write(f"  ! no button “{wanted}” on {item.id}; it has {labels}")
            return
        await self._act(item, chosen.action, chosen.value, f"[{chosen.label}]")

    async def _select(self, args: list[str]) -> None:
        if not args:
            raise ScriptError(":select takes an option label or number")
        wanted = " ".join(args)
        item = self._visible(lambda m: bool(m.selects))
        if item is None:
            self._write(f"  ! {self.current} sees no message with a select")
            return
        select: Select = item.message.selects[-1]
        option = _pick(select.options, wanted, key=lambda o: o.label)
        if option is None:
            self._write(f"  ! no option “{wanted}” in {item.id}")
            return
        await self._act(item, select.action, option.value, f"<{option.label}>")

    async def _act(self, item: Shown, action: str, value: str, label: str) -> None:
        stamp = await self._stamp(self.current)
        self._write(f"{stamp} {self.current} pressed {label} on {item.id}")
        event = Action(self.actor(), action, value, MessageRef(item.place, item.id), item.place)
        await self._run(await self.bot.handle(event), self.current, item.place)
        await self.services.engine.run_due()

    async def _fill(self, args: list[str]) -> None:
        if self.current not in self.forms:
            self._write(f"  ! {self.current} has no open form")
            return
        for pair in args:
            key, sep, value = pair.partition("=")
            if not sep or not key:
                raise ScriptError(f":fill takes name=value pairs, got {pair!r}")
            self.filled[self.current][key] = value

    async def _submit(self, args: list[str]) -> None:
        form = self.forms.get(self.current)
        if form is None:
            self._write(f"  ! {self.current} has no open form")
            return
        values = dict(self.filled.get(self.current, {}))
        stamp = await self._stamp(self.current)
        self._write(f"{stamp} {self.current} submitted “{form.title}”")
        effects = await self.bot.handle(FormSubmit(self.actor(), form.id, values, self.place))
        if not any(isinstance(e, FormErrors) for e in effects):
            self.forms.pop(self.current, None)
            self.filled.pop(self.current, None)
        await self._run(effects, self.current)
        await self.services.engine.run_due()

    async def _now(self, args: list[str]) -> None:
        if len(args) != 1:
            raise ScriptError(":now takes an ISO time with offset, e.g. 2026-03-27T17:25+01:00")
        try:
            instant = datetime.fromisoformat(args[0])
        except ValueError:
            raise ScriptError(f":now could not read {args[0]!r} as an ISO time") from None
        if instant.tzinfo is None:
            raise ScriptError(":now needs an offset, e.g. 2026-03-27T17:25+01:00 or …Z")
        if not MIN_YEAR <= instant.year <= MAX_YEAR:
            raise ScriptError(f":now takes a time between {MIN_YEAR} and {MAX_YEAR}")
        self._write(f"-- clock set to {instant.isoformat()} --")
        # Like :advance, what falls due on the way (and at the new time) is delivered.
        await self._deliver_until(instant)

    async def _advance(self, args: list[str]) -> None:
        if len(args) != 1:
            raise ScriptError(":advance takes a duration, e.g. 90m, 2h, 1d")
        try:
            delta = parse_duration(args[0])
        except InputError as error:
            raise ScriptError(str(error)) from None
        target = self.clock.now() + delta
        if target.year > MAX_YEAR:
            raise ScriptError(f":advance can go no later than {MAX_YEAR}")
        await self._deliver_until(target)
        zone = await self.bot.zone_of(TEAM, self.current)
        local = target.astimezone(zone)
        self._write(f"-- advanced {args[0]} to {local:%a %Y-%m-%d %H:%M} ({zone.key}) --")

    async def _deliver_until(self, target: datetime) -> None:
        """Move the clock to ``target``, delivering everything that falls due on the way, in
        order, each at its own time (a time in the past just sets the clock)."""
        engine = self.services.engine
        for _ in range(MAX_ADVANCE_STEPS):
            due = await engine.next_due_at()
            if due is None or due > target:
                break
            if due > self.clock.now():
                self.clock.set(due)
            await engine.run_due()
        self.clock.set(target)
        await engine.run_due()


def _pick(items: tuple[T, ...], wanted: str, *, key: Callable[[T], str]) -> T | None:
    if wanted.isdigit():
        index = int(wanted) - 1
        return items[index] if 0 <= index < len(items) else None
    lower = wanted.lower()
    labels = [(key(item).lower(), item) for item in items]
    for label, item in labels:
        if label == lower:
            return item
    prefixed = [item for label, item in labels if label.startswith(lower)]
    return prefixed[0] if len(prefixed) == 1 else None
