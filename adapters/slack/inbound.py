"""Slack payloads → core events, in one place.

Each ``parse_*`` function reads one documented payload shape (slash command, block_actions,
view_submission, a DM ``message`` event) and returns an :class:`Incoming`: the event's
content plus its :class:`Origin` (how to answer on Slack). Who the person is (zone, admin)
and whether a D-channel is the bot's own DM need Slack calls, so the app completes the
event with :meth:`Incoming.event` once it knows the actor and the place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from adapters.slack.render import ACTION_PREFIX, form_id_from_callback, read_modal_values
from bot.kernel.events import (
    Action,
    Actor,
    Command,
    DirectText,
    Event,
    FormSubmit,
    MessageRef,
    Place,
)
from bot.kernel.ui import split_action_id

__all__ = [
    "Incoming",
    "Origin",
    "Surface",
    "parse_block_action",
    "parse_command",
    "parse_direct_message",
    "parse_view_submission",
    "team_of",
]

Surface = Literal["command", "message", "home", "modal", "dm"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where something happened on Slack and what Slack gave us to answer it with."""

    team_id: str
    user_id: str
    surface: Surface
    user_name: str = ""
    channel_id: str = ""
    channel_name: str = ""
    response_url: str = ""
    trigger_id: str = ""
    message_ts: str = ""
    ephemeral: bool = False
    # "dm" / "channel" when the payload tells; "" when the app must find out (a slash
    # command in a D-channel may be in the bot's DM or in a DM between two people)
    place_kind: str = ""

    @property
    def in_conversation(self) -> bool:
        return bool(self.channel_id)


@dataclass(frozen=True, slots=True)
class Incoming:
    """A payload read into the core's terms, waiting for its actor and place."""

    origin: Origin
    kind: Literal["command", "action", "form", "text"]
    text: str = ""
    action: str = ""
    value: str = ""
    form: str = ""
    values: dict[str, str] = field(default_factory=dict)

    def event(self, actor: Actor, place: Place) -> Event:
        if self.kind == "command":
            return Command(actor, self.text, place)
        if self.kind == "action":
            ref = None
            if self.origin.message_ts and self.origin.channel_id:
                ref = MessageRef(place, self.origin.message_ts)
            return Action(actor, self.action, self.value, ref, place)
        if self.kind == "form":
            return FormSubmit(actor, self.form, dict(self.values), place)
        return DirectText(actor, self.text)


def _obj(value: Any) -> dict[str, Any]:
    """A nested object of the payload, or ``{}`` when it is missing or not an object (the
    payload is signed by Slack, yet nothing here may raise on an unexpected shape)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def team_of(body: dict[str, Any]) -> str:
    """The workspace id of any payload (org-wide installs may leave ``team`` empty)."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    if body.get("team_id"):
        return str(body["team_id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    enterprise = body.get("enterprise")
    if isinstance(enterprise, dict) and enterprise.get("id"):
        return str(enterprise["id"])
    return str(body.get("enterprise_id") or "")


def parse_command(body: dict[str, Any]) -> Incoming:
    """A slash command (any command name: a development copy of the app may use another)."""
    origin = Origin(
        team_id=team_of(body),
        user_id=str(body.get("user_id", "")),
        user_name=str(body.get("user_name", "")),
        surface="command",
        channel_id=str(body.get("channel_id", "")),
        channel_name=str(body.get("channel_name", "")),
        response_url=str(body.get("response_url", "")),
        trigger_id=str(body.get("trigger_id", "")),
    )
    return Incoming(origin, "command", text=str(body.get("text", "")))


def _chosen_key(action: dict[str, Any]) -> str | None:
    if action.get("type") == "static_select":
        selected = _obj(action.get("selected_option"))
        return str(selected["value"]) if selected.get("value") else None
    value = action.get("value")
    return str(value) if value else None


def parse_block_action(body: dict[str, Any]) -> Incoming | None:
    """A button press or select choice on a message, the Home tab or a modal; ``None`` when
    the action is not one of ours (its routing key travels in the value)."""
    actions = [
        a
        for a in _list(body.get("actions"))
        if isinstance(a, dict) and str(a.get("action_id", "")).startswith(ACTION_PREFIX)
    ]
    if not actions:
        return None
    key = _chosen_key(actions[0])
    if not key:
        return None
    user = _obj(body.get("user"))
    container = _obj(body.get("container"))
    channel = _obj(body.get("channel"))
    view = _obj(body.get("view"))
    surface: Surface
    channel_id = str(container.get("channel_id") or channel.get("id") or "")
    ephemeral = bool(container.get("is_ephemeral"))
    place_kind = ""
    if container.get("type") == "view":
        surface = "home" if view.get("type") == "home" else "modal"
        place_kind = "dm"
    else:
        surface = "message"
        # the bot posts lasting messages in D-channels only in its own DM with the person
        if channel_id.startswith("D") and not ephemeral:
            place_kind = "dm"
    origin = Origin(
        team_id=team_of(body),
        user_id=str(user.get("id", "")),
        user_name=str(user.get("name") or user.get("username") or ""),
        surface=surface,
        channel_id=channel_id,
        channel_name=str(channel.get("name") or ""),
        response_url=str(body.get("response_url") or ""),
        trigger_id=str(body.get("trigger_id") or ""),
        message_ts=str(container.get("message_ts") or ""),
        ephemeral=ephemeral,
        place_kind=place_kind,
    )
    action, value = split_action_id(key)
    return Incoming(origin, "action", action=action, value=value)


def view_metadata(view: dict[str, Any]) -> dict[str, str]:
    """The ``private_metadata`` we stored in a modal (empty when missing or not ours)."""
    raw = view.get("private_metadata")
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def parse_view_submission(body: dict[str, Any]) -> Incoming:
    """A submitted modal: the form id from its callback id, the values by field name."""
    view = _obj(body.get("view"))
    user = _obj(body.get("user"))
    metadata = view_metadata(view)
    origin = Origin(
        team_id=team_of(body),
        user_id=str(user.get("id", "")),
        user_name=str(user.get("name") or user.get("username") or ""),
        surface="modal",
        channel_id=metadata.get("channel", ""),
        channel_name=metadata.get("channel_name", ""),
        response_url=metadata.get("response_url", ""),
        trigger_id=str(body.get("trigger_id") or ""),
        place_kind="dm" if metadata.get("kind", "dm") == "dm" else "channel",
    )
    form = form_id_from_callback(str(view.get("callback_id", "")))
    return Incoming(origin, "form", form=form, values=read_modal_values(view))


def parse_direct_message(body: dict[str, Any]) -> Incoming | None:
    """Free text a person sent the bot in its DM; ``None`` for anything else (edits,
    joins, bots, threads, other conversations)."""
    event = _obj(body.get("event"))
    if event.get("type") != "message" or event.get("channel_type") != "im":
        return None
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return None
    text = str(event.get("text") or "").strip()
    if not text:
        return None
    origin = Origin(
        team_id=team_of(body),
        user_id=str(event["user"]),
        surface="dm",
        channel_id=str(event.get("channel") or ""),
        place_kind="dm",
    )
    return Incoming(origin, "text", text=text)
