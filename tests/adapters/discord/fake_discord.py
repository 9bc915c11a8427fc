"""A local Discord for the real discord.py client: REST API and gateway websocket in one
aiohttp app on a free port.

It implements what the bot uses, the way Discord documents it: login (``/users/@me``,
``/oauth2/applications/@me``, ``/gateway/bot``), the gateway (HELLO, heartbeats, IDENTIFY →
READY and GUILD_CREATE per shard, dispatches routed to the shard of their guild),
interaction callbacks (3-second deadline, one callback per interaction, the callback types
4–9), follow-ups and original-response edits through the interaction webhook, DM channels,
channel messages and edits, and command sync. Payloads start from the JSON fixtures beside
this file (Discord's documented examples). Every REST call is recorded.

Faults on demand: DMs closed (50007), opening DMs too fast (40003), a global 429.

Responses carry exactly ``Content-Type: application/json`` (discord.py parses JSON only
then) and a 429 carries ``Via`` (without it discord.py takes the 429 for a Cloudflare ban).
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).parent / "fixtures"
DISCORD_EPOCH_MS = 1_420_070_400_000
API = "/api/v10"
CALL = web.RequestKey("call", object)

EPHEMERAL = 1 << 6
LOADING = 1 << 7

ADMIN_PERMISSIONS = "2147483647"  # everything, including Administrator and Manage Server
MEMBER_PERMISSIONS = "104324673"  # Discord's default @everyone set: no Manage Server


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture, without its ``_source`` note."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    data.pop("_source", None)
    return data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Increasing Discord-style ids (timestamp in the high bits)."""

    def __init__(self) -> None:
        self._count = 0

    def next(self) -> str:
        self._count += 1
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (self._count & 0x3FFFFF))


@dataclass
class Call:
    method: str
    path: str
    body: Any
    at: float
    status: int = 200
    files: list[str] = field(default_factory=list)
    dropped: bool = False  # the work was done, then the connection closed without an answer


@dataclass
class Interaction:
    """One interaction the fake dispatched, and what the bot did with it."""

    id: str
    token: str
    type: int
    user_id: str
    guild_id: str | None
    channel_id: str
    payload: dict[str, Any]
    dispatched_at: float
    component_message_id: str | None = None
    callback_at: float | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original_id: str | None = None
    original_loading: bool = False
    message_ids: list[str] = field(default_factory=list)  # created or edited, in order
    followups: list[str] = field(default_factory=list)
    choices: list[dict[str, Any]] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    late: bool = False
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def callback_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None


@dataclass
class Session:
    ws: web.WebSocketResponse
    shard: tuple[int, int] = (0, 1)
    seq: int = 0
    session_id: str = ""
    identified: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, op: int, data: Any, event: str | None = None) -> None:
        frame: dict[str, Any] = {"op": op, "d": data}
        if op == 0:
            self.seq += 1
            frame |= {"s": self.seq, "t": event}
        else:
            frame |= {"s": None, "t": None}
        await self.ws.send_str(json.dumps(frame))


class FakeDiscord:
    def __init__(self) -> None:
        self.ids = Snowflakes()
        self.port = free_port()
        self.application = fixture("application.json")
        self.app_id = self.application["id"]
        self.bot_user = fixture("ready.json")["d"]["user"]
        self.token = "test-token"
        self.recommended_shards = 1
        self.deadline = 3.0  # seconds to the first interaction callback
        self.users: dict[str, dict[str, Any]] = {}
        self.guilds: dict[str, dict[str, Any]] = {}
        self.members: dict[tuple[str, str], dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.dm_channels: dict[str, str] = {}  # user id → DM channel id
        self.messages: dict[str, dict[str, Any]] = {}
        self.interactions: dict[str, Interaction] = {}
        self.calls: list[Call] = []
        self.identifies: list[dict[str, Any]] = []
        self.sessions: dict[int, Session] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}  # guild id (None: global)
        # faults
        self.dms_closed: set[str] = set()
        self.channels_closed: set[str] = set()  # the bot may not post there (50001)
        self.dm_open_failures = 0
        self.global_limit_once: float | None = None
        self.post_delay = 0.0  # seconds a message post takes (to stop a bot mid-delivery)
        self.session_starts_left: int | None = None  # identify budget in /gateway/bot
        self.bot_permissions: dict[str, int] = {}  # guild id → permissions (default 52224)
        # Create the message, then drop the connection: the answer is lost on the way.
        self.lose_responses = 0
        # Discord keeps nonces "for the past few minutes" (enforce_nonce): author+nonce → id
        self.nonce_window = 180.0
        self.nonces: dict[tuple[str, str], tuple[str, float]] = {}
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def drop_connections(self) -> None:
        """Close every gateway socket (the bot process 'dies' from Discord's point of view)."""
        for ws in list(self._sockets):
            await ws.close(code=4000)
        self.sessions.clear()

    # --- the world ---------------------------------------------------------------------

    def add_user(self, name: str) -> str:
        user = fixture("user.json")
        user |= {"id": self.ids.next(), "username": name, "global_name": name.title()}
        self.users[user["id"]] = user
        return str(user["id"])

    def add_guild(self, name: str, *, guild_id: str | None = None) -> tuple[str, str]:
        """A guild with one text channel, ``#general``; returns (guild id, channel id)."""
        data = fixture("guild_create.json")["d"]
        gid = guild_id or self.ids.next()
        channel = data["channels"][0] | {"id": self.ids.next(), "guild_id": gid}
        data |= {"id": gid, "name": name, "channels": [channel], "owner_id": self.bot_user["id"]}
        data["roles"][0]["id"] = gid  # @everyone has the guild's id
        self.guilds[gid] = data
        self.channels[channel["id"]] = channel
        return gid, str(channel["id"])

    def add_channel(self, guild_id: str, name: str, *, hidden: bool = False) -> str:
        """Another text channel; ``hidden``: @everyone is denied VIEW_CHANNEL (1 << 10) by a
        role overwrite, as Discord's "private channel" toggle does."""
        channel = copy.deepcopy(self.guilds[guild_id]["channels"][0])
        channel |= {"id": self.ids.next(), "name": name, "position": 1}
        if hidden:
            channel["permission_overwrites"] = [
                {"id": guild_id, "type": 0, "allow": "0", "deny": str(1 << 10)}
            ]
        self.channels[channel["id"]] = channel
        return str(channel["id"])

    def join(self, guild_id: str, user_id: str, *, admin: bool = False) -> None:
        fixture_member = fixture("interaction_command.json")["member"]
        member = fixture_member | {
            "user": self.users[user_id],
            "roles": [],
            "permissions": ADMIN_PERMISSIONS if admin else MEMBER_PERMISSIONS,
            "nick": None,
        }
        self.members[(guild_id, user_id)] = member

    def shard_of(self, guild_id: str | None, count: int | None = None) -> int:
        count = count or max((s.shard[1] for s in self.sessions.values()), default=1)
        return 0 if guild_id is None else (int(guild_id) >> 22) % count

    def dm_channel(self, user_id: str) -> str:
        if user_id not in self.dm_channels:
            channel = fixture("dm_channel.json")
            channel |= {"id": self.ids.next(), "recipients": [self.users[user_id]]}
            self.channels[channel["id"]] = channel
            self.dm_channels[user_id] = channel["id"]
        return self.dm_channels[user_id]

    # --- recording -------------------------------------------------------------------

    @web.middleware
    async def _record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        call = Call(request.method, request.path.removeprefix(API), None, time.monotonic())
        call.body, call.files = await _body(request)
        request[CALL] = call
        self.calls.append(call)
        webhook = call.path.startswith(("/interactions/", "/webhooks/"))
        if not webhook and request.headers.get("Authorization") != f"Bot {self.token}":
            # interaction endpoints are authorised by their token; everything else by the bot's
            call.status = 401
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        response = await handler(request)
        call.status = response.status
        if call.dropped and request.transport is not None:
            request.transport.close()  # the client never hears back
        return response

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        regex = re.compile(pattern)
        return [c for c in self.calls if c.method == method and regex.fullmatch(c.path)]

    # --- gateway -----------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        session = Session(ws)
        await session.send(10, fixture("hello.json")["d"])
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    await self._identify(session, data)
                elif op == 6:
                    # No resuming here: the client must identify again (and does).
                    await session.send(9, False)
        finally:
            self._sockets.discard(ws)
        return ws

    async def _identify(self, session: Session, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        shard_id, count = data.get("shard", [0, 1])
        session.shard = (shard_id, count)
        session.session_id = self.ids.next()
        self.sessions[shard_id] = session
        mine = [g for g in self.guilds if self.shard_of(g, count) == shard_id]
        ready = fixture("ready.json")["d"]
        ready |= {
            "user": self.bot_user,
            "guilds": [{"id": g, "unavailable": True} for g in mine],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, count],
            "application": {"id": self.app_id, "flags": self.application["flags"]},
        }
        await session.send(0, ready, "READY")
        for gid in mine:
            await session.send(0, self.guilds[gid], "GUILD_CREATE")
        session.identified.set()

    async def dispatch(self, event: str, data: dict[str, Any], *, guild_id: str | None) -> None:
        """Send a gateway event to the shard that owns ``guild_id`` (shard 0 for DMs)."""
        session = self.sessions[self.shard_of(guild_id)]
        await session.identified.wait()
        await session.send(0, data, event)

    async def add_bot_to_guild(self, guild_id: str) -> None:
        """Someone added the bot: GUILD_CREATE without ``unavailable`` (a join)."""
        data = {k: v for k, v in self.guilds[guild_id].items() if k != "unavailable"}
        await self.dispatch("GUILD_CREATE", data, guild_id=guild_id)

    async def remove_guild(self, guild_id: str) -> None:
        """The bot was kicked: GUILD_DELETE without ``unavailable``."""
        await self.dispatch("GUILD_DELETE", {"id": guild_id}, guild_id=guild_id)

    # --- interactions --------------------------------------------------------------------

    def _interaction_payload(
        self,
        kind: int,
        user_id: str,
        data: dict[str, Any],
        *,
        guild_id: str | None,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload = fixture("interaction_command.json")
        iid = self.ids.next()
        payload |= {
            "id": iid,
            "token": f"token-{iid}",
            "type": kind,
            "application_id": self.app_id,
            "data": data,
        }
        if guild_id is not None:
            channel_id = channel_id or str(self.guilds[guild_id]["channels"][0]["id"])
            payload |= {
                "guild_id": guild_id,
                "member": copy.deepcopy(self.members[(guild_id, user_id)]),
                "channel_id": channel_id,
                "channel": copy.deepcopy(self.channels[channel_id]),
                "authorizing_integration_owners": {"0": guild_id},
                "context": 0,
            }
        else:
            channel_id = self.dm_channel(user_id)
            for key in ("guild_id", "member", "guild_locale"):
                payload.pop(key, None)
            payload |= {
                "user": self.users[user_id],
                "channel_id": channel_id,
                "channel": copy.deepcopy(self.channels[channel_id]),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        return payload

    async def interact(
        self,
        kind: int,
        user_id: str,
        data: dict[str, Any],
        *,
        guild_id: str | None,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
    ) -> Interaction:
        payload = self._interaction_payload(
            kind, user_id, data, guild_id=guild_id, channel_id=channel_id, message=message
        )
        record = Interaction(
            id=payload["id"],
            token=payload["token"],
            type=kind,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=payload["channel_id"],
            payload=payload,
            dispatched_at=time.monotonic(),
            component_message_id=message["id"] if message else None,
        )
        self.interactions[record.id] = record
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return record

    def command_data(
        self, text: str, *, guild_id: str | None, focused: bool = False
    ) -> dict[str, Any]:
        """``timezone Europe/Berlin`` → the application-command data Discord would send for
        ``/crossfade timezone zone:Europe/Berlin``, from the commands the bot synced.
        ``focused`` marks the option as being typed (autocomplete)."""
        registered = self.commands.get(guild_id) or self.commands.get(None) or []
        (root,) = [c for c in registered if c["name"] == "crossfade"]
        name, _, rest = text.strip().partition(" ")
        path, sub = _find_subcommand(root, name)
        options: list[dict[str, Any]] = []
        for option in sub.get("options", []):
            if rest or focused:
                value: Any = int(rest) if option["type"] == 4 and not focused else rest
                entry = {"type": option["type"], "name": option["name"], "value": value}
                options.append(entry | ({"focused": True} if focused else {}))
        node: dict[str, Any] = {"type": 1, "name": sub["name"], "options": options}
        for group in reversed(path):
            node = {"type": 2, "name": group, "options": [node]}
        return {"id": root["id"], "name": "crossfade", "type": 1, "options": [node]}

    # --- REST --------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        call = request[CALL]
        assert isinstance(call, Call)
        path, method, body = call.path, request.method, call.body
        routes: list[tuple[str, str, Callable[..., Awaitable[web.Response]]]] = [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("GET", r"/users/@me/guilds", self._my_guilds),
            ("GET", r"/applications/(\d+)/commands", self._get_commands),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", self._edit_webhook_message),
            ("GET", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", self._get_webhook_message),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", self._delete_webhook_message),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_channel_message),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return await handler(body, call, *match.groups())
        return _json({"message": "404: Not Found", "code": 0}, 404)

    async def _my_guilds(self, body: Any, call: Call) -> web.Response:
        # Partial guilds with the bot's permissions there (GET /users/@me/guilds).
        return _json(
            [
                {
                    "id": gid,
                    "name": g["name"],
                    "owner": False,
                    "permissions": str(self.bot_permissions.get(gid, 52224)),
                }
                for gid, g in self.guilds.items()
            ]
        )

    async def _get_commands(self, body: Any, call: Call, app_id: str) -> web.Response:
        return _json(self.commands.get(None, []))

    async def _me(self, body: Any, call: Call) -> web.Response:
        return _json(self.bot_user)

    async def _application(self, body: Any, call: Call) -> web.Response:
        return _json(self.application)

    async def _gateway_bot(self, body: Any, call: Call) -> web.Response:
        data = fixture("gateway_bot.json") | {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
        }
        if self.session_starts_left is not None:
            data["session_start_limit"] = data["session_start_limit"] | {
                "remaining": self.session_starts_left
            }
        return _json(data)

    async def _put_commands(
        self, body: Any, call: Call, app_id: str, guild_id: str | None = None
    ) -> web.Response:
        stored = []
        for command in body:
            item = copy.deepcopy(command) | {
                "id": self.ids.next(),
                "application_id": app_id,
                "version": self.ids.next(),
            }
            if guild_id:
                item["guild_id"] = guild_id
            stored.append(item)
        self.commands[guild_id] = stored
        return _json(stored)

    def _message(
        self, channel_id: str, payload: dict[str, Any], files: list[str], *, flags: int = 0
    ) -> dict[str, Any]:
        message = fixture("message.json")
        message |= {
            "id": self.ids.next(),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": payload.get("content") or "",
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "attachments": [_attachment(self.ids.next(), name) for name in files],
            "timestamp": _now_iso(),
            "flags": (payload.get("flags") or 0) | flags,
        }
        channel = self.channels.get(channel_id, {})
        if channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        self.messages[message["id"]] = message
        return message

    def _edit(self, message_id: str, payload: dict[str, Any], files: list[str]) -> dict[str, Any]:
        message = self.messages[message_id]
        for key in ("content", "embeds", "components"):
            if key in payload:
                message[key] = payload[key] if payload[key] is not None else _EMPTY[key]
        if "attachments" in payload or files:
            kept = {str(a.get("id")) for a in payload.get("attachments") or []}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept] + [
                _attachment(self.ids.next(), name) for name in files
            ]
        message["edited_timestamp"] = _now_iso()
        message["flags"] = message.get("flags", 0) & ~LOADING
        return message

    async def _callback(self, body: Any, call: Call, iid: str, token: str) -> web.Response:
        record = self.interactions.get(iid)
        if record is None or record.token != token:
            return _json(fixture("errors.json")["10062"], 404)
        if record.callbacks:
            return _json(fixture("errors.json")["40060"], 400)
        if time.monotonic() - record.dispatched_at > self.deadline:
            record.late = True  # Discord has already shown "The application did not respond"
            return _json(fixture("errors.json")["10062"], 404)
        record.callbacks.append(body)
        record.callback_at = time.monotonic()
        kind, data = body["type"], body.get("data") or {}
        message: dict[str, Any] | None = None
        if kind == 4:
            message = self._message(record.channel_id, data, call.files)
            record.original_id = message["id"]
        elif kind == 5:
            flags = (data.get("flags") or 0) | LOADING
            message = self._message(record.channel_id, {}, [], flags=flags)
            record.original_id, record.original_loading = message["id"], True
        elif kind == 6:
            record.original_id = record.component_message_id
        elif kind == 7 and record.component_message_id:
            message = self._edit(record.component_message_id, data, call.files)
            record.original_id = message["id"]
        elif kind == 8:
            record.choices = list(data.get("choices", []))
        elif kind == 9:
            record.modal = data
        if message is not None:
            record.message_ids.append(message["id"])
        record.answered.set()
        result: dict[str, Any] = {
            "interaction": {
                "id": iid,
                "type": record.type,
                "response_message_id": record.original_id,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
            }
        }
        if message is not None:
            result["resource"] = {"type": kind, "message": message}
        return _json(result)

    def _by_token(self, token: str) -> Interaction | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    async def _followup(self, body: Any, call: Call, app_id: str, token: str) -> web.Response:
        record = self._by_token(token)
        if record is None or not record.callbacks:
            return _json(fixture("errors.json")["10062"], 404)
        if record.original_loading and record.original_id:
            # Documented: the first follow-up after a deferred response edits the loading
            # message and keeps its ephemeral flag.
            record.original_loading = False
            message = self._edit(record.original_id, body, call.files)
        else:
            message = self._message(record.channel_id, body, call.files)
        record.followups.append(message["id"])
        record.message_ids.append(message["id"])
        return _json(message)

    def _webhook_message_id(self, record: Interaction, message_id: str) -> str | None:
        return record.original_id if message_id == "@original" else message_id

    async def _edit_webhook_message(
        self, body: Any, call: Call, app_id: str, token: str, message_id: str
    ) -> web.Response:
        record = self._by_token(token)
        target = self._webhook_message_id(record, message_id) if record else None
        if record is None or target is None or target not in self.messages:
            return _json(fixture("errors.json")["10008"], 404)
        if target == record.original_id:
            record.original_loading = False
        message = self._edit(target, body, call.files)
        record.message_ids.append(target)
        return _json(message)

    async def _get_webhook_message(
        self, body: Any, call: Call, app_id: str, token: str, message_id: str
    ) -> web.Response:
        record = self._by_token(token)
        target = self._webhook_message_id(record, message_id) if record else None
        if target is None or target not in self.messages:
            return _json(fixture("errors.json")["10008"], 404)
        return _json(self.messages[target])

    async def _delete_webhook_message(
        self, body: Any, call: Call, app_id: str, token: str, message_id: str
    ) -> web.Response:
        record = self._by_token(token)
        target = self._webhook_message_id(record, message_id) if record else None
        if record is None or target is None or target not in self.messages:
            return _json(fixture("errors.json")["10008"], 404)
        del self.messages[target]
        if target == record.original_id:
            record.original_loading = False
        return web.Response(status=204)

    async def _open_dm(self, body: Any, call: Call) -> web.Response:
        if self.dm_open_failures > 0:
            self.dm_open_failures -= 1
            return _json(fixture("errors.json")["40003"], 403)
        user_id = str(body["recipient_id"])
        if user_id not in self.users:
            return _json({"code": 10013, "message": "Unknown User"}, 404)
        return _json(self.channels[self.dm_channel(user_id)])

    async def _get_channel(self, body: Any, call: Call, channel_id: str) -> web.Response:
        channel = self.channels.get(channel_id)
        if channel is None:
            return _json({"code": 10003, "message": "Unknown Channel"}, 404)
        return _json(channel)

    async def _create_message(self, body: Any, call: Call, channel_id: str) -> web.Response:
        if self.post_delay:
            await asyncio.sleep(self.post_delay)
        if self.global_limit_once is not None:
            retry, self.global_limit_once = self.global_limit_once, None
            error = fixture("errors.json")["global_429"] | {"retry_after": retry}
            headers = {
                "Retry-After": str(max(1, round(retry))),
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Via": "1.1 google",
            }
            return _json(error, 429, headers)
        channel = self.channels.get(channel_id)
        if channel is None:
            return _json({"code": 10003, "message": "Unknown Channel"}, 404)
        if channel_id in self.channels_closed:
            return _json({"code": 50001, "message": "Missing Access"}, 403)
        if channel.get("type") == 1:
            recipient = str(channel["recipients"][0]["id"])
            if recipient in self.dms_closed:
                return _json(fixture("errors.json")["50007"], 403)
        payload = body or {}
        nonce = str(payload.get("nonce") or "")
        key = (str(self.bot_user["id"]), nonce)
        if nonce and payload.get("enforce_nonce"):
            if len(nonce) > 25:
                return _json({"code": 50035, "message": "Invalid Form Body"}, 400)
            known = self.nonces.get(key)
            if known is not None and time.monotonic() - known[1] < self.nonce_window:
                return _json(self.messages[known[0]])  # the first message, not a new one
        message = self._message(channel_id, payload, call.files)
        if nonce:
            message["nonce"] = nonce
            self.nonces[key] = (message["id"], time.monotonic())
        if self.lose_responses > 0:
            self.lose_responses -= 1
            call.dropped = True
        return _json(message)

    async def _edit_channel_message(
        self, body: Any, call: Call, channel_id: str, message_id: str
    ) -> web.Response:
        message = self.messages.get(message_id)
        if message is None or message["channel_id"] != channel_id:
            return _json(fixture("errors.json")["10008"], 404)
        if message.get("flags", 0) & EPHEMERAL:
            return _json(fixture("errors.json")["10008"], 404)  # not reachable by channel id
        return _json(self._edit(message_id, body or {}, call.files))

    # --- reading what the bot sent -----------------------------------------------------

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["channel_id"] == channel_id]


_EMPTY: dict[str, Any] = {"content": "", "embeds": [], "components": []}


def _attachment(ident: str, name: str) -> dict[str, Any]:
    url = f"https://cdn.discordapp.com/attachments/0/{ident}/{name}"
    return {"id": ident, "filename": name, "size": 1, "url": url, "proxy_url": url}


async def _body(request: web.Request) -> tuple[Any, list[str]]:
    """JSON, or multipart with ``payload_json`` and ``files[n]`` (how discord.py uploads)."""
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        payload = json.loads(str(form.get("payload_json") or "{}"))
        files = [f.filename for key, f in form.items() if key.startswith("files[")]
        return payload, [str(name) for name in files]
    text = await request.text()
    return (json.loads(text) if text else None), []


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py compares the header with ==.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _find_subcommand(root: dict[str, Any], name: str) -> tuple[list[str], dict[str, Any]]:
    for option in root.get("options", []):
        if option["type"] == 1 and option["name"] == name:
            return [], option
        if option["type"] == 2:
            for sub in option.get("options", []):
                if sub["name"] == name:
                    return [option["name"]], sub
    raise KeyError(f"/crossfade has no subcommand {name!r}")
