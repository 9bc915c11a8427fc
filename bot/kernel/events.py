"""What comes into the core: platform-neutral events.

Adapters translate platform payloads into these values in one place each; the core never
sees a Slack or Discord object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Action",
    "Actor",
    "Command",
    "DirectText",
    "Event",
    "FormSubmit",
    "MessageRef",
    "Place",
    "TeamKey",
]


@dataclass(frozen=True, slots=True)
class TeamKey:
    """A team is one Slack workspace, one Discord guild or one console session."""

    platform: str
    workspace_id: str


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, as (platform, workspace, user), plus what the platform knows of them."""

    platform: str
    workspace_id: str
    user_id: str
    display_name: str = ""
    timezone: str | None = None
    is_admin: bool = False
    # The platform never tells a person's zone (Discord): the core asks for one, once, when
    # something first depends on it. Slack reads ``timezone``; the console uses the default.
    zone_unknown: bool = False

    @property
    def team(self) -> TeamKey:
        return TeamKey(self.platform, self.workspace_id)

    @property
    def name(self) -> str:
        return self.display_name or self.user_id


@dataclass(frozen=True, slots=True)
class Place:
    """Where an event happened: a DM with the bot or a channel."""

    kind: Literal["dm", "channel"]
    id: str = ""
    name: str = ""
    # A channel not everyone in the team can read (a Slack private channel, a Discord channel
    # hidden from @everyone): what is asked there is shown only there.
    private: bool = False

    @classmethod
    def dm(cls) -> Place:
        return cls("dm")

    @classmethod
    def channel(cls, channel_id: str, name: str = "", *, private: bool = False) -> Place:
        return cls("channel", channel_id, name or channel_id, private)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Points at a message the bot sent, so it can be updated (Slack ts, Discord message id)."""

    place: Place
    id: str


@dataclass(frozen=True, slots=True)
class Command:
    """``/crossfade <text>``."""

    actor: Actor
    text: str
    place: Place


@dataclass(frozen=True, slots=True)
class Action:
    """A button press or select choice. ``action`` and ``value`` come from the action id."""

    actor: Actor
    action: str
    value: str
    message_ref: MessageRef | None = None
    place: Place = Place("dm")


@dataclass(frozen=True, slots=True)
class FormSubmit:
    actor: Actor
    form: str
    values: dict[str, str]
    place: Place = Place("dm")


@dataclass(frozen=True, slots=True)
class DirectText:
    """Free text sent to the bot in a DM."""

    actor: Actor
    text: str


Event = Command | Action | FormSubmit | DirectText
