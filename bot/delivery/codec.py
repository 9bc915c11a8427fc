"""Effects to JSON and back, for the outbox (only what a scheduled job may send)."""

from __future__ import annotations

from typing import Any

from bot.kernel.effects import Effect, Post, Presence, SendDirect, Update, UserRef
from bot.kernel.events import MessageRef, Place, TeamKey
from bot.kernel.ui import message_from_json, message_to_json

__all__ = ["OutboxEffect", "effect_from_json", "effect_to_json"]

OutboxEffect = SendDirect | Post | Update | Presence


def _place(place: Place) -> dict[str, str]:
    return {"kind": place.kind, "id": place.id, "name": place.name}


def _place_from(data: dict[str, str]) -> Place:
    kind = data["kind"]
    if kind not in ("dm", "channel"):
        raise ValueError(f"unknown place kind {kind!r}")
    return Place("dm" if kind == "dm" else "channel", data.get("id", ""), data.get("name", ""))


def _team(team: TeamKey | None) -> list[str] | None:
    return [team.platform, team.workspace_id] if team is not None else None


def _team_from(data: Any) -> TeamKey | None:
    if isinstance(data, list) and len(data) == 2:
        return TeamKey(str(data[0]), str(data[1]))
    return None


def effect_to_json(effect: Effect, team: TeamKey | None = None) -> dict[str, Any]:
    """JSON for ``SendDirect``, ``Post`` and ``Update``; other effects only make sense as an
    answer to an event and raise ``TypeError`` here. ``team`` (the job's) is stored with a
    post or an update, so that the adapter can refuse a channel of another team."""
    if isinstance(effect, SendDirect):
        user = effect.user
        return {
            "type": "send_direct",
            "user": [user.platform, user.workspace_id, user.user_id],
            "message": message_to_json(effect.message),
        }
    if isinstance(effect, Post):
        return {
            "type": "post",
            "channel": _place(effect.channel),
            "message": message_to_json(effect.message),
            "ref_key": effect.ref_key,
            "team": _team(effect.team or team),
        }
    if isinstance(effect, Update):
        return {
            "type": "update",
            "ref": {"place": _place(effect.message_ref.place), "id": effect.message_ref.id},
            "message": message_to_json(effect.message),
            "team": _team(effect.team or team),
        }
    if isinstance(effect, Presence):
        user = effect.user
        return {
            "type": "presence",
            "user": [user.platform, user.workspace_id, user.user_id],
            "action": effect.action,
            "until": effect.until,
            "status": effect.status,
            "sealed": effect.sealed,
        }
    raise TypeError(f"a scheduled job cannot send {type(effect).__name__}")


def effect_from_json(data: dict[str, Any]) -> OutboxEffect:
    kind = data["type"]
    if kind == "presence":
        platform, workspace, user = data["user"]
        return Presence(
            UserRef(platform, workspace, user),
            data["action"],
            data["until"],
            data["status"],
            str(data.get("sealed") or ""),
        )
    message = message_from_json(data["message"])
    if kind == "send_direct":
        platform, workspace, user = data["user"]
        return SendDirect(UserRef(platform, workspace, user), message)
    if kind == "post":
        team = _team_from(data.get("team"))
        return Post(_place_from(data["channel"]), message, data.get("ref_key", ""), team)
    if kind == "update":
        ref = data["ref"]
        place = _place_from(ref["place"])
        return Update(MessageRef(place, ref["id"]), message, _team_from(data.get("team")))
    raise ValueError(f"unknown outbox effect {kind!r}")
