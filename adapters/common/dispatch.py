"""One ``match`` over the core's effects, for every adapter and every path out.

A platform supplies an :class:`EffectSender`: one method per kind of effect, each carrying
it out its own way (an interaction response, a Web API call, a line on the terminal). What a
sender does not override is :meth:`EffectSender.unsupported`, which each sender defines: the
console prints a note, a notifier answers "permanent", an interaction ignores it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar, assert_never

from bot.kernel.effects import (
    Effect,
    FormErrors,
    OpenForm,
    Post,
    Presence,
    Reply,
    SendDirect,
    Update,
)

__all__ = ["EffectSender", "dispatch"]

R = TypeVar("R")


class EffectSender(ABC, Generic[R]):
    """How one platform carries out each effect on one path (``R`` is what a call returns:
    ``None``, a message reference, a delivery result)."""

    @abstractmethod
    async def unsupported(self, effect: Effect) -> R:
        """What happens to an effect this path cannot carry out (every sender says)."""

    async def reply(self, effect: Reply) -> R:
        return await self.unsupported(effect)

    async def send_direct(self, effect: SendDirect) -> R:
        return await self.unsupported(effect)

    async def post(self, effect: Post) -> R:
        return await self.unsupported(effect)

    async def update(self, effect: Update) -> R:
        return await self.unsupported(effect)

    async def open_form(self, effect: OpenForm) -> R:
        return await self.unsupported(effect)

    async def form_errors(self, effect: FormErrors) -> R:
        return await self.unsupported(effect)

    async def presence(self, effect: Presence) -> R:
        return await self.unsupported(effect)


async def dispatch(sender: EffectSender[R], effect: Effect) -> R:
    """Hand ``effect`` to the method of ``sender`` for its kind."""
    match effect:
        case Reply():
            return await sender.reply(effect)
        case SendDirect():
            return await sender.send_direct(effect)
        case Post():
            return await sender.post(effect)
        case Update():
            return await sender.update(effect)
        case OpenForm():
            return await sender.open_form(effect)
        case FormErrors():
            return await sender.form_errors(effect)
        case Presence():
            return await sender.presence(effect)
        case _:
            assert_never(effect)
