"""A local fake of Slack's Web API (and response URLs, file uploads, Socket Mode), served by
aiohttp on a free port. It answers like Slack does for the methods Crossfade uses, records
every call, and can be told to fail a method (an error code, a 429 with Retry-After).

    fake = FakeSlack()
    await fake.start()
    client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
    fake.fail("chat.postMessage", "account_inactive")
    ...
    fake.calls("views.publish")  # → [Call(method, params, token), …]
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from adapters.slack.manifest import load_manifest

JSON_PARAMS = ("blocks", "view", "files", "attachments", "metadata", "profile")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str
    response: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None  # the bot's clock at the call, when a test set ``clock``

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class Failure:
    error: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Workspace:
    team_id: str
    bot_user_id: str
    bot_id: str
    name: str = "Test Workspace"


# What the app asks for: a token installed from the manifest is granted exactly these.
BOT_SCOPES = tuple(load_manifest()["oauth_config"]["scopes"]["bot"])


class FakeSlack:
    def __init__(self) -> None:
        self.recorded: list[Call] = []
        self.clock: Callable[[], datetime] | None = None  # the bot's (fake) clock, if set
        self.tokens: dict[str, Workspace] = {"xoxb-test": Workspace("T1", "UBOT", "B1")}
        self.dnd: dict[str, dict[str, Any]] = {}  # dnd.info per user (next_dnd_*_ts …)
        self.users: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}  # oauth.v2.access code → answer
        self.private_channels: set[str] = set()  # conversations.info says is_private
        self.failures: dict[str, list[Failure]] = defaultdict(list)
        self.uploads: dict[str, bytes] = {}
        self.responses: list[Call] = []  # response_url posts
        self.socket_acks: list[dict[str, Any]] = []
        self.arrivals: dict[str, float] = {}  # response_url key → wall-clock arrival
        self._sockets: list[web.WebSocketResponse] = []
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel → messages
        # chat.postMessage keeps the message, then the connection drops before the answer
        self.lose_responses = 0
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.scopes = list(BOT_SCOPES)  # what auth.test says the bot token was granted
        self.post_delay = 0.0  # seconds chat.postMessage takes (to stop a bot mid-delivery)

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/response/{key}", self._response_url),
                web.post("/upload/{file_id}", self._upload),
                web.get("/socket", self._socket),
                web.get("/_stats", self._stats),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        assert sockets
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"{self.base}/response/{key}"

    # --- scripting -----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        error: str,
        *,
        times: int = 1,
        status: int = 200,
        retry_after: float | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` fail with ``error`` (status 429 and a
        Retry-After header when ``retry_after`` is given)."""
        headers = {}
        if retry_after is not None:
            status = 429
            headers["Retry-After"] = str(int(retry_after))
        self.failures[method].extend(Failure(error, status, headers) for _ in range(times))

    def user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Set (and return) what users.info answers for ``user_id``."""
        profile = {"display_name": fields.pop("display_name", user_id.lower())}
        record = {
            "id": user_id,
            "name": user_id.lower(),
            "tz": "Europe/Berlin",
            "is_admin": False,
            "is_owner": False,
            "profile": profile,
        }
        record.update(fields)
        self.users[user_id] = record
        return record

    # --- reading what happened ------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        return [c for c in self.recorded if method is None or c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.recorded]

    def clear(self) -> None:
        self.recorded.clear()
        self.responses.clear()

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.calls(method)) >= count), within
            )
        return self.calls(method)

    async def _record(self, call: Call, *, into: list[Call] | None = None) -> None:
        (self.recorded if into is None else into).append(call)
        if into is not None:
            self.recorded.append(call)
        async with self._changed:
            self._changed.notify_all()

    # --- the Web API ------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            elif request.content_type.startswith("multipart/"):
                form = await request.post()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
            else:
                params.update(dict(parse_qsl(await request.text(), keep_blank_values=True)))
        for key in JSON_PARAMS:
            value = params.get(key)
            if isinstance(value, str) and value[:1] in "[{":
                params[key] = json.loads(value)
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() or str(params.get("token", ""))
        call = Call(method, params, token, at=self.clock() if self.clock else None)
        if self.failures.get(method):
            failure = self.failures[method].pop(0)
            call.response = {"ok": False, "error": failure.error}
            await self._record(call)
            return web.json_response(call.response, status=failure.status, headers=failure.headers)
        if method == "chat.postMessage" and self.post_delay:
            await asyncio.sleep(self.post_delay)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        workspace = self.tokens.get(token)
        if method not in ("oauth.v2.access", "apps.connections.open") and workspace is None:
            call.response = {"ok": False, "error": "invalid_auth"}
        else:
            call.response = {"ok": True, **(handler(params, workspace) if handler else {})}
            if method == "auth.revoke" and params.get("test") not in ("1", "true", True):
                self.tokens.pop(token, None)  # Slack: the token stops working at once
        await self._record(call)
        if method == "chat.postMessage" and self.lose_responses > 0 and request.transport:
            self.lose_responses -= 1
            request.transport.close()  # kept, but the client never hears back
        headers = {}
        if method == "auth.test" and workspace is not None:
            # Slack reports the token's granted scopes on every Web API response.
            headers["X-OAuth-Scopes"] = ",".join(self.scopes)
        return web.json_response(call.response, headers=headers)

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _m_auth_test(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {
            "url": f"https://{ws.team_id.lower()}.slack.com/",
            "team": ws.name,
            "user": "crossfade",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _m_users_info(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        user_id = str(params.get("user", ""))
        user = self.users.get(user_id) or self.user(user_id)
        return {"user": {**user, "team_id": ws.team_id}}

    def _m_conversations_open(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        user = str(params.get("users", "")).split(",")[0]
        return {"channel": {"id": "D" + user}}

    def _m_conversations_info(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        private = channel in self.private_channels
        return {"ok": True, "channel": {"id": channel, "is_private": private}}

    def _m_conversations_join(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {"channel": {"id": params.get("channel")}}

    def _m_chat_postMessage(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if channel.startswith(("U", "W")):
            channel = "D" + channel
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "text": params.get("text"),
            "bot_id": ws.bot_id,
        }
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        self.history[channel].append(message)
        public = {k: v for k, v in message.items() if k != "metadata"}
        return {"channel": channel, "ts": ts, "message": public}

    def _m_conversations_history(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        """Newest first, ``limit`` of them; metadata only with ``include_all_metadata``."""
        messages = list(reversed(self.history.get(str(params.get("channel", "")), [])))
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        shown = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages[:limit]
        ]
        return {"messages": shown, "has_more": len(messages) > limit}

    def _m_chat_postEphemeral(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {"message_ts": self._next_ts()}

    def _m_chat_update(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {"channel": params.get("channel"), "ts": params.get("ts")}

    def _m_views_open(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ids)}", **(params.get("view") or {})}}

    def _m_views_publish(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ids)}", **(params.get("view") or {})}}

    def _m_files_getUploadURLExternal(
        self, params: dict[str, Any], ws: Workspace
    ) -> dict[str, Any]:
        file_id = f"F{next(self._ids)}"
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(
        self, params: dict[str, Any], ws: Workspace
    ) -> dict[str, Any]:
        files = params.get("files") or []
        return {"files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _m_oauth_v2_access(self, params: dict[str, Any], ws: Workspace | None) -> dict[str, Any]:
        answer = self.codes.get(str(params.get("code", "")))
        if answer is None:
            return {"ok": False, "error": "invalid_code"}
        return {k: v for k, v in answer.items() if k != "ok"}

    # --- a person's own token (connect): Slack's documented answers -------------------------

    # Slack documents `too_long` for "num_minutes was too large"; its own client offers at
    # most 24 hours, which is the limit this fake enforces.
    MAX_SNOOZE_MINUTES = 24 * 60

    def _m_dnd_setSnooze(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        minutes = int(params.get("num_minutes", 0))
        if minutes <= 0:
            return {"ok": False, "error": "missing_duration"}
        if minutes > self.MAX_SNOOZE_MINUTES:
            return {"ok": False, "error": "too_long"}
        end = 1700000000 + minutes * 60
        return {"snooze_enabled": True, "snooze_endtime": end, "snooze_remaining": minutes * 60}

    def _m_dnd_endSnooze(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {
            "dnd_enabled": True,
            "next_dnd_start_ts": 1700000000,
            "next_dnd_end_ts": 1700030000,
            "snooze_enabled": False,
        }

    def _m_dnd_info(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        # Slack's documented answer; ``self.dnd[user]`` overrides the schedule per person
        answer: dict[str, Any] = {
            "dnd_enabled": True,
            "next_dnd_start_ts": 1700000000,
            "next_dnd_end_ts": 1700030000,
            "snooze_enabled": False,
        }
        answer.update(self.dnd.get(str(params.get("user", "")), {}))
        return answer

    def _m_users_profile_set(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        profile = params.get("profile") or {}
        if isinstance(profile, str):
            profile = json.loads(profile)
        return {"profile": dict(profile)}

    def _m_auth_revoke(self, params: dict[str, Any], ws: Workspace) -> dict[str, Any]:
        return {"revoked": True}

    def _m_apps_connections_open(
        self, params: dict[str, Any], ws: Workspace | None
    ) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/socket"}

    # --- beyond the Web API ----------------------------------------------------------------

    async def _stats(self, request: web.Request) -> web.Response:
        """For benchmarks in another process: what was called, and when answers arrived."""
        counts: dict[str, int] = defaultdict(int)
        for call in self.recorded:
            counts[call.method] += 1
        apologies = sum("went wrong" in str(c.params.get("text", "")) for c in self.responses)
        return web.json_response(
            {"calls": counts, "arrivals": self.arrivals, "apologies": apologies}
        )

    async def _response_url(self, request: web.Request) -> web.Response:
        self.arrivals[request.match_info["key"]] = time.time()
        body = await request.json()
        await self._record(
            Call("response_url", body, request.match_info["key"]), into=self.responses
        )
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = data
        await self._record(Call("upload", {"file_id": file_id, "length": len(data)}, ""))
        return web.Response(text=f"OK - {len(data)}")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async with self._changed:
            self._changed.notify_all()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                async with self._changed:
                    self._changed.notify_all()
        return ws

    async def socket_send(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver a Socket Mode envelope; returns its envelope id."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sockets)), 10)
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        await self._sockets[-1].send_json(envelope)
        return envelope_id

    async def socket_ack(self, envelope_id: str, within: float = 5.0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), within)
        ack = found()
        assert ack is not None
        return ack
