"""The grant a person gives with Slack ``connect``: the user scopes Crossfade asks for, and
the OAuth ``state`` that names who asked — signed with a sub-key of the server key and
expiring, so the callback (on any instance) keeps a token only for that same person.

Shared by the feature that sends the authorize link and the adapter that receives Slack's
redirect; neither imports the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from bot.security.keys import get_server_keys

__all__ = ["STATE_PREFIX", "STATE_SECONDS", "USER_SCOPES", "check_state", "make_state"]

USER_SCOPES = ("dnd:write", "users.profile:write")
STATE_PREFIX = "connect."
STATE_SECONDS = 600


def _sign(payload: str) -> str:
    key = get_server_keys().subkey("slack-connect-state")
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def make_state(workspace: str, user: str, now: datetime) -> str:
    """A state naming ``user`` of ``workspace``, valid for :data:`STATE_SECONDS`."""
    expires = int((now + timedelta(seconds=STATE_SECONDS)).timestamp())
    data = {"w": workspace, "u": user, "e": expires}
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return f"{STATE_PREFIX}{payload}.{_sign(payload)}"


def check_state(state: str, now: datetime) -> tuple[str, str]:
    """(workspace, user) of a state :func:`make_state` issued and that has not expired;
    ``ValueError`` otherwise (forged, altered, expired or not ours)."""
    if not state.startswith(STATE_PREFIX):
        raise ValueError("not a connect state")
    payload, _, signature = state[len(STATE_PREFIX) :].rpartition(".")
    if not payload or not hmac.compare_digest(signature, _sign(payload)):
        raise ValueError("bad signature")
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
        workspace, user, expires = str(data["w"]), str(data["u"]), int(data["e"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError("malformed state") from error
    if now.timestamp() > expires:
        raise ValueError("expired")
    return workspace, user
