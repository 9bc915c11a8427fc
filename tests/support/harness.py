"""A small driver for flow tests: send commands and presses as named users, read replies."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.app import Bot
from bot.kernel.effects import Effect
from bot.kernel.events import Action, Actor, Command, FormSubmit, MessageRef, Place
from bot.kernel.ui import Button, Message

GENERAL = Place.channel("C-general", "general")


@dataclass
class Harness:
    bot: Bot
    team: str = "T1"
    platform: str = "console"
    admins: set[str] = field(default_factory=lambda: {"you"})
    last: dict[str, list[Effect]] = field(default_factory=dict)

    def actor(self, user: str) -> Actor:
        return Actor(self.platform, self.team, user, user, is_admin=user in self.admins)

    async def command(self, user: str, text: str, place: Place = GENERAL) -> list[Effect]:
        effects = await self.bot.handle(Command(self.actor(user), text, place))
        self.last[user] = effects
        return effects

    async def press(
        self, user: str, button: Button, ref: MessageRef | None = None, place: Place = GENERAL
    ) -> list[Effect]:
        event = Action(self.actor(user), button.action, button.value, ref, place)
        effects = await self.bot.handle(event)
        self.last[user] = effects
        return effects

    async def submit(self, user: str, form: str, values: dict[str, str]) -> list[Effect]:
        effects = await self.bot.handle(FormSubmit(self.actor(user), form, values, GENERAL))
        self.last[user] = effects
        return effects


def messages(effects: list[Effect]) -> list[Message]:
    return [m for e in effects if (m := getattr(e, "message", None)) is not None]


def text_of(effects: list[Effect]) -> str:
    """All text a person would read in these effects, joined (for assertions)."""
    from bot.kernel.ui import Fields, Text

    parts: list[str] = []
    for message in messages(effects):
        parts.append(message.text)
        for block in message.blocks:
            if isinstance(block, Text):
                parts.append(block.text)
            elif isinstance(block, Fields):
                parts.extend(f"{f.label}: {f.value}" for f in block.fields)
    return "\n".join(parts)


def button(effects: list[Effect], label: str) -> Button:
    for message in messages(effects):
        for candidate in message.buttons:
            if candidate.label.lower() == label.lower():
                return candidate
    raise AssertionError(f"no button {label!r} in {[m.text for m in messages(effects)]}")
