"""What the console shows: every effect printed at the simulated time, remembered with who
may see it (so ``:press`` finds only buttons the current user can see), and open forms.

:class:`ConsoleSender` is the console's effect sender: one effect, caused by ``who`` (or by
the engine, for scheduled deliveries), printed on the :class:`Screen`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from adapters.common import EffectSender
from adapters.console.render import render_form, render_message, visible
from bot.kernel.app import Bot
from bot.kernel.clock import Clock
from bot.kernel.effects import Effect, FormErrors, OpenForm, Post, Reply, SendDirect, Update
from bot.kernel.events import MessageRef, Place, TeamKey
from bot.kernel.ui import Form, Message

__all__ = ["TEAM", "ConsoleSender", "Screen", "Shown"]

TEAM = TeamKey("console", "console")


@dataclass
class Shown:
    """A message the console displayed, with who may see it."""

    id: str
    message: Message
    place: Place
    audience: frozenset[str] | None  # None = everyone in the channel


@dataclass
class Screen:
    """The terminal and what it displayed."""

    out: TextIO
    bot: Bot
    clock: Clock
    users: list[str]
    shown: list[Shown] = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)
    filled: dict[str, dict[str, str]] = field(default_factory=dict)
    _next_id: int = 0

    async def stamp(self, user: str) -> str:
        zone = await self.bot.zone_of(TEAM, user)
        local = self.clock.now().astimezone(zone)
        return f"[{local:%H:%M %a}]"

    def write(self, text: str) -> None:
        # Everything shown passes here, so text from anyone is inert on the terminal.
        self.out.write(visible(text) + "\n")
        self.out.flush()

    def remember(self, message: Message, place: Place, audience: frozenset[str] | None) -> str:
        self._next_id += 1
        ident = f"m{self._next_id}"
        self.shown.append(Shown(ident, message, place, audience))
        return ident

    async def print(
        self,
        header: str,
        message: Message,
        place: Place,
        audience: frozenset[str] | None,
        stamp_user: str,
    ) -> MessageRef:
        ident = self.remember(message, place, audience)
        stamp = await self.stamp(stamp_user)
        self.write(f"{stamp} {header}")
        self.write(render_message(message))
        return MessageRef(place, ident)


class ConsoleSender(EffectSender[MessageRef | None]):
    """Prints effects caused by ``who``. ``place`` is where a reply goes: the event's place,
    or ``None`` for the typing place (``typed``) or a DM (a scheduled delivery)."""

    def __init__(self, screen: Screen, *, who: str, typed: Place | None, place: Place | None):
        self.screen = screen
        self.who = who
        self.typed = typed
        self.place = place

    async def unsupported(self, effect: Effect) -> None:
        self.screen.write(f"  (the console cannot show {type(effect).__name__})")

    async def reply(self, effect: Reply) -> MessageRef:
        who = self.who
        place = self.place or self.typed or Place.dm()
        if place.kind == "dm":
            header = f"bot → {who} (DM)"
            audience: frozenset[str] | None = frozenset({who})
        elif effect.private:
            header = f"bot → {who} (only you, #{place.name})"
            audience = frozenset({who})
        else:
            header = f"bot → #{place.name}"
            audience = None
        return await self.screen.print(header, effect.message, place, audience, who)

    async def send_direct(self, effect: SendDirect) -> MessageRef:
        user = effect.user.user_id
        if user not in self.screen.users:
            self.screen.users.append(user)
        header = f"bot → {user} (DM)"
        return await self.screen.print(
            header, effect.message, Place("dm", user), frozenset({user}), user
        )

    async def post(self, effect: Post) -> MessageRef:
        name = effect.channel.name or effect.channel.id
        screen = self.screen
        ref = await screen.print(f"bot → #{name}", effect.message, effect.channel, None, self.who)
        if effect.ref_key:
            await screen.bot.remember_post(TEAM, effect.ref_key, ref)
        return ref

    async def update(self, effect: Update) -> MessageRef | None:
        screen = self.screen
        for item in screen.shown:
            if item.id == effect.message_ref.id:
                item.message = effect.message
                where = f"#{item.place.name}" if item.place.kind == "channel" else "DM"
                screen.write(f"{await screen.stamp(self.who)} bot updated {item.id} ({where})")
                screen.write(render_message(effect.message))
                return effect.message_ref
        return None

    async def open_form(self, effect: OpenForm) -> None:
        screen, who = self.screen, self.who
        screen.forms[who] = effect.form
        screen.filled[who] = {}
        screen.write(f"{await screen.stamp(who)} bot → {who} (form)")
        screen.write(render_form(effect.form))

    async def form_errors(self, effect: FormErrors) -> None:
        screen = self.screen
        screen.write(f"{await screen.stamp(self.who)} bot → {self.who} (form errors)")
        for name, error in effect.errors.items():
            screen.write(f"  {name}: {error}")
