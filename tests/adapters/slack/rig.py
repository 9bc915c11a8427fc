"""Driving the real Slack app over real HTTP: signed requests built from Slack's documented
payloads (the JSON fixtures beside this file), sent to ``/slack/events``, with the Web API
pointed at :class:`FakeSlack`."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters.slack.app import SlackAdapter
from tests.adapters.slack.fake_slack import Call, FakeSlack

FIXTURES = Path(__file__).with_name("fixtures")
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def signature(secret: str, timestamp: int | str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: str, *, content_type: str, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(secret, ts, body),
    }


def command_body(text: str, *, user: str = "U1", channel: str = "C1", **fields: Any) -> str:
    data = fixture("slash_command")
    data.update(text=text, user_id=user, user_name=user.lower(), channel_id=channel, **fields)
    return urlencode(data)


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


@dataclass
class Sent:
    status: int
    text: str
    elapsed: float


@dataclass
class Shown:
    """A message as a person saw it: where, its blocks, and how to answer it."""

    call: Call
    channel: str
    ts: str
    blocks: list[dict[str, Any]]
    ephemeral: bool
    response_url: str = ""

    @property
    def text(self) -> str:
        parts = [str(self.call.get("text") or "")]
        for block in self.blocks:
            if block.get("type") == "section":
                if block.get("text"):
                    parts.append(block["text"]["text"])
                parts += [f["text"] for f in block.get("fields") or []]
            elif block.get("type") == "context":
                parts += [e.get("text", "") for e in block.get("elements") or []]
        return "\n".join(parts)

    @property
    def elements(self) -> list[dict[str, Any]]:
        return [e for b in self.blocks if b.get("type") == "actions" for e in b["elements"]]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [e for e in self.elements if e["type"] == "button"]

    def button(self, label: str) -> dict[str, Any]:
        for element in self.buttons:
            if element["text"]["text"].lower() == label.lower():
                return element
        raise AssertionError(f"no button {label!r} in {[b['text']['text'] for b in self.buttons]}")


@dataclass
class SlackRig:
    fake: FakeSlack
    adapter: SlackAdapter
    url: str
    http: aiohttp.ClientSession
    engine: Any = None
    secret: str = SECRET
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    # response_url key → the channel it answers in
    channels: dict[str, str] = field(default_factory=dict)

    def response_url(self, channel: str, prefix: str = "r") -> str:
        key = f"{prefix}{next(self._ids)}"
        self.channels[key] = channel
        return self.fake.response_url(key)

    # --- sending -----------------------------------------------------------------------------

    async def post(self, body: str, headers: dict[str, str]) -> Sent:
        started = time.perf_counter()
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=headers) as r:
            text = await r.text()
            sent = Sent(r.status, text, time.perf_counter() - started)
        return sent

    async def settle(self) -> None:
        await self.adapter.drain()

    async def command(
        self, text: str, *, user: str = "U1", channel: str = "C1", **fields: Any
    ) -> Sent:
        """``/crossfade <text>``; its response_url points at the fake."""
        fields.setdefault("response_url", self.response_url(channel, "cmd"))
        fields.setdefault("trigger_id", f"trigger-{next(self._ids)}")
        body = command_body(text, user=user, channel=channel, **fields)
        sent = await self.post(
            body,
            signed_headers(
                body, content_type="application/x-www-form-urlencoded", secret=self.secret
            ),
        )
        await self.settle()
        return sent

    async def interact(self, payload: dict[str, Any]) -> Sent:
        body = interaction_body(payload)
        sent = await self.post(
            body,
            signed_headers(
                body, content_type="application/x-www-form-urlencoded", secret=self.secret
            ),
        )
        await self.settle()
        return sent

    async def event(self, payload: dict[str, Any], *, retry: int | None = None) -> Sent:
        body = json.dumps(payload)
        headers = signed_headers(body, content_type="application/json", secret=self.secret)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        sent = await self.post(body, headers)
        await self.settle()
        return sent

    async def press(
        self, shown: Shown, element: dict[str, Any], *, user: str = "U1", option: int = 0
    ) -> Sent:
        """Press a button (or pick ``option`` of a select) of a message the user saw."""
        payload = fixture("block_actions")
        payload["user"].update(id=user, username=user.lower(), name=user.lower())
        payload["trigger_id"] = f"trigger-{next(self._ids)}"
        payload["container"] = {
            "type": "message",
            "message_ts": shown.ts,
            "channel_id": shown.channel,
            "is_ephemeral": shown.ephemeral,
        }
        payload["channel"] = {
            "id": shown.channel,
            "name": "general" if shown.channel.startswith("C") else "directmessage",
        }
        payload["message"]["ts"] = shown.ts
        payload["message"]["blocks"] = shown.blocks
        payload["response_url"] = shown.response_url or self.response_url(shown.channel, "act")
        action: dict[str, Any] = {
            "action_id": element["action_id"],
            "block_id": "b",
            "type": element["type"],
            "action_ts": "1548426417.840180",
        }
        if element["type"] == "static_select":
            action["selected_option"] = element["options"][option]
        else:
            action["value"] = element["value"]
            action["text"] = element["text"]
        payload["actions"] = [action]
        return await self.interact(payload)

    async def press_on_home(
        self, view: dict[str, Any], element: dict[str, Any], *, user: str = "U1"
    ) -> Sent:
        payload = fixture("block_actions")
        payload["user"].update(id=user, username=user.lower(), name=user.lower())
        payload["container"] = {"type": "view", "view_id": "VHOME"}
        payload.pop("channel")
        payload.pop("message")
        payload.pop("response_url")
        payload["view"] = {"id": "VHOME", "type": "home", **view}
        payload["actions"] = [
            {
                "action_id": element["action_id"],
                "block_id": "b",
                "type": "button",
                "value": element["value"],
                "text": element["text"],
                "action_ts": "1",
            }
        ]
        return await self.interact(payload)

    async def submit(
        self, view: dict[str, Any], values: dict[str, str], *, user: str = "U1"
    ) -> Sent:
        """Submit a modal the app opened (``view`` as sent to views.open) with ``values``
        by field name (for a select, the option value)."""
        payload = fixture("view_submission")
        payload["user"].update(id=user, username=user.lower(), name=user.lower())
        submitted = copy.deepcopy(view)
        state: dict[str, Any] = {}
        for block in submitted.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            value = values.get(block["block_id"], "")
            if element["type"] == "static_select":
                chosen = next((o for o in element["options"] if o["value"] == value), None)
                state[block["block_id"]] = {
                    "value": {"type": "static_select", "selected_option": chosen}
                }
            else:
                state[block["block_id"]] = {
                    "value": {"type": "plain_text_input", "value": value or None}
                }
        payload["view"].update(submitted)
        payload["view"]["state"] = {"values": state}
        return await self.interact(payload)

    # --- reading what the app did ---------------------------------------------------------------

    def shown(self) -> list[Shown]:
        """Every message the app showed (posted, ephemeral, via response_url, updated), oldest
        first; an update replaces the version it updates."""
        seen: list[Shown] = []
        for call in self.fake.recorded:
            blocks = call.get("blocks") or []
            if call.method == "chat.postMessage" and call.response.get("ok"):
                channel, ts = str(call.response["channel"]), str(call.response["ts"])
                seen.append(Shown(call, channel, ts, blocks, False))
            elif call.method == "chat.postEphemeral" and call.response.get("ok"):
                ts = str(call.response["message_ts"])
                seen.append(Shown(call, str(call["channel"]), ts, blocks, True))
            elif call.method == "chat.update" and call.response.get("ok"):
                channel, ts = str(call["channel"]), str(call["ts"])
                seen = [s for s in seen if not (s.channel == channel and s.ts == ts)]
                seen.append(Shown(call, channel, ts, blocks, False))
            elif call.method == "response_url":
                url = f"{self.fake.base}/response/{call.token}"
                if call.get("replace_original"):
                    seen = [s for s in seen if s.response_url != url]
                ephemeral = call.get("response_type") != "in_channel"
                channel = self.channels.get(call.token, "C1")
                seen.append(Shown(call, channel, f"resp-{len(seen)}", blocks, ephemeral, url))
        return seen

    def last(self) -> Shown:
        shown = self.shown()
        assert shown, "the app showed nothing"
        return shown[-1]

    def last_with_buttons(self) -> Shown | None:
        for item in reversed(self.shown()):
            if item.elements:
                return item
        return None

    def modal(self) -> dict[str, Any]:
        calls = self.fake.calls("views.open")
        assert calls, "no modal was opened"
        view: dict[str, Any] = calls[-1]["view"]
        return view

    def home_view(self) -> dict[str, Any]:
        calls = self.fake.calls("views.publish")
        assert calls, "no Home tab was published"
        view: dict[str, Any] = calls[-1]["view"]
        return view
