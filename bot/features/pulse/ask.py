"""Asking before posting: a public poll is hard to take back, so ``pulse ask`` never guesses.

* A one-word "question" close to a template name (``workloadd``, ``self-care``) gets "did you
  mean the template …?" with buttons: use the template, or post my own text.
* A kind word alone (``pulse ask yesno``) is answered with how to write the question.
* A question without a kind (``pulse ask "Q?"``) asks which answers it takes, with buttons.

What was typed waits in a conversation row (``pulse:ask``) until a button is pressed, so the
buttons carry only the choice and nothing is lost between the question and the answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.features.pulse.spec import KIND_WORDS
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply, Update
from bot.kernel.errors import UserError
from bot.kernel.events import Place
from bot.kernel.ui import Button, Buttons, Message, Text

__all__ = [
    "CHOOSE",
    "PENDING",
    "channel_of",
    "choose",
    "close_template",
    "is_kind_word",
    "kind_word_error",
    "pending_message",
    "remember",
]

PENDING = "pulse:ask"
CHOOSE = "pulse:ask_choice"
_KIND_LABELS = (("1–5 scale", "scale"), ("Yes / no", "yesno"), ("My own options…", "options"))


def close_template(word: str, ids: Sequence[str]) -> str | None:
    """The template a one-word question most likely meant (``self-care`` → ``self_care``)."""
    if " " in word.strip() or not word.strip():
        return None
    key = word.strip().lower().replace("-", "_").replace(" ", "_")
    if key in ids:
        return key
    found = difflib.get_close_matches(key, list(ids), n=1, cutoff=0.75)
    return found[0] if found else None


def kind_word_error(word: str) -> UserError:
    return UserError(
        f"“{word[:20]}” is a kind of answer, not a question. Write the question first, in "
        'quotes: `pulse ask "Could you switch off this week?" yesno`.'
    )


async def remember(
    ctx: Context, *, question: str, closes_at: datetime, channel: Place, template: str = ""
) -> None:
    state: dict[str, Any] = {
        "question": question,
        "closes_at": closes_at.isoformat(),
        "channel_id": channel.id,
        "channel_name": channel.name or channel.id,
        "template": template,
    }
    await ctx.conversations.start(ctx.member, PENDING, state)


def pending_message(question: str, template: str = "", template_question: str = "") -> Message:
    """Did you mean the template …? — or: which answers should this question take?"""
    if template:
        text = (
            f"Did you mean the ready-made question `{template}` — “{template_question}”? "
            f"Or should I post “{question}” as it is?"
        )
        buttons = (
            Button(f"Ask `{template}`", CHOOSE, "template", "primary"),
            Button("Post my text as a question", CHOOSE, "text"),
            Button("Cancel", CHOOSE, "cancel"),
        )
        return Message(text, (Text(text), Buttons(buttons)))
    text = f"Which answers should “{question}” take? Nothing is posted until you choose."
    choices = tuple(Button(label, CHOOSE, value) for label, value in _KIND_LABELS)
    return Message(text, (Text(text), Buttons((*choices, Button("Cancel", CHOOSE, "cancel")))))


def _show(ctx: Context, message: Message) -> list[Effect]:
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, message)]
    return [Reply(message)]


async def choose(ctx: Context, value: str) -> tuple[str, dict[str, Any]] | list[Effect]:
    """Read a press. Returns effects to show at once, or (what to do, the remembered state)."""
    conversation = await ctx.conversations.get(ctx.member, PENDING)
    if conversation is None:
        return [reply("That question was already posted or cancelled; nothing was changed.")]
    state = dict(conversation.state)
    if value == "cancel":
        await ctx.conversations.end(ctx.member, PENDING)
        return _show(ctx, Message("Cancelled", (Text("Cancelled — nothing was posted."),)))
    if value == "text":
        state["template"] = ""
        await ctx.conversations.save(conversation, state)
        return _show(ctx, pending_message(state["question"]))
    if value == "template" and state.get("template"):
        await ctx.conversations.end(ctx.member, PENDING)
        return "template", state
    if value not in ("scale", "yesno", "options"):
        return [reply("That button is no longer valid; nothing was changed.")]
    await ctx.conversations.end(ctx.member, PENDING)
    return value, state


def channel_of(state: dict[str, Any]) -> Place:
    return Place.channel(str(state.get("channel_id", "")), str(state.get("channel_name", "")))


def is_kind_word(word: str) -> bool:
    return word.strip().lower() in KIND_WORDS
