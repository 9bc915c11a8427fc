"""What goes out of the core: effects that an adapter executes on its platform."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.events import MessageRef, Place, TeamKey
from bot.kernel.ui import Form, Message

__all__ = ["Effect", "FormErrors", "OpenForm", "Post", "Reply", "SendDirect", "Update", "UserRef"]


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person to DM, by platform user id within the event's team."""

    platform: str
    workspace_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class Reply:
    """Answer the actor where the event happened; ``private`` means only they can see it
    (Slack ephemeral, Discord ephemeral; in a DM everything is private anyway)."""

    message: Message
    private: bool = True


@dataclass(frozen=True, slots=True)
class SendDirect:
    user: UserRef
    message: Message


@dataclass(frozen=True, slots=True)
class Post:
    """A message in a channel, seen by everyone there. ``ref_key`` lets the core remember
    the platform's message id (adapters report it back through ``Bot.remember_post``).
    ``team`` is whose channel it is: an answer to an event posts for the actor's team; a
    scheduled post carries its team from the outbox, and the adapter refuses a channel that
    is not that team's."""

    channel: Place
    message: Message
    ref_key: str = ""
    team: TeamKey | None = None


@dataclass(frozen=True, slots=True)
class Update:
    """Replace a message the bot sent earlier (e.g. disable a button after the press);
    ``team`` as for :class:`Post`."""

    message_ref: MessageRef
    message: Message
    team: TeamKey | None = None


@dataclass(frozen=True, slots=True)
class OpenForm:
    form: Form


@dataclass(frozen=True, slots=True)
class FormErrors:
    """The submitted form has invalid fields: show these errors inside the form (Slack
    keeps the modal open; other platforms answer with a private message)."""

    errors: dict[str, str]


@dataclass(frozen=True, slots=True)
class Presence:
    """Switch a person's platform notifications off or on with the user token they granted
    (Slack ``connect``): ``action`` is ``snooze`` (until ``until``, with ``status`` shown
    and expiring then), ``clear`` (end the snooze and the status) or ``revoke`` (revoke and
    delete the token). Sent through the outbox, so the workspace's lane paces the calls."""

    user: UserRef
    action: str
    until: str = ""  # ISO instant (snooze)
    status: str = ""
    # ``revoke`` after `forget`: the token itself, sealed with the server key, because the
    # member's row (and with it the stored token) is already deleted when the call is made
    sealed: str = ""


Effect = Reply | SendDirect | Post | Update | OpenForm | FormErrors | Presence
