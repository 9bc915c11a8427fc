"""Serving the Slack app: HTTP mode (aiohttp) and Socket Mode.

HTTP mode routes, on ``PORT``:

* ``POST /slack/events`` — slash commands, interactivity and the Events API (Bolt verifies
  the signature and answers 401 to anything forged or older than five minutes);
* ``GET /slack/install`` and ``GET /slack/oauth_redirect`` — the OAuth v2 install (when
  ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` are set);
* ``GET /healthz`` — 200 when the database answers, else 503 (for load balancers);
* ``GET /metrics`` — Prometheus text: the engine's metrics, the process, and these.

Socket Mode (``SLACK_APP_TOKEN``) opens a websocket to Slack instead of /slack/events and
keeps ``/healthz`` and ``/metrics`` (and the install pages, when configured) on ``PORT``.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from prometheus_client import Counter, Histogram
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from sqlalchemy import text

from adapters.slack.app import SlackAdapter
from adapters.slack.connect import UserTokens, connect_callback
from bot.delivery.metrics import CONTENT_TYPE, metrics_text
from bot.flows.slack_connect import STATE_PREFIX

__all__ = ["build_web_app", "run_http", "run_socket_mode", "slack_routes", "start_http"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
REQUESTS = Counter(
    "crossfade_slack_requests",
    "Requests from Slack to /slack/events, by kind and HTTP status.",
    ["kind", "status"],
)
ACK_SECONDS = Histogram(
    "crossfade_slack_ack_seconds",
    "Time from receiving a Slack request to sending its acknowledgement.",
    ["kind"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


def _kind(body: dict[str, object]) -> str:
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) and kind else "other"


def build_web_app(adapter: SlackAdapter, *, events: bool = True) -> web.Application:
    """The aiohttp application (``events=False`` in Socket Mode: no /slack/events)."""
    app = adapter.app
    oauth = app.oauth_flow

    async def handle_events(request: web.Request) -> web.Response:
        started = time.perf_counter()
        bolt_request = await to_bolt_request(request)
        bolt_response = await app.async_dispatch(bolt_request)
        response = await to_aiohttp_response(bolt_response)
        kind = _kind(bolt_request.body)
        ACK_SECONDS.labels(kind).observe(time.perf_counter() - started)
        REQUESTS.labels(kind, str(response.status)).inc()
        return response

    async def handle_install(request: web.Request) -> web.Response:
        if request.query.get("state", "").startswith(STATE_PREFIX):
            settings = adapter.settings
            return await connect_callback(
                request,
                tokens=UserTokens(adapter.db),
                clock=adapter.clock,
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                api_url=settings.slack_api_url,
            )
        if oauth is None:
            return web.Response(
                status=404,
                text="This Crossfade runs in one workspace (SLACK_BOT_TOKEN); OAuth installs "
                "need SLACK_CLIENT_ID and SLACK_CLIENT_SECRET.",
            )
        bolt_request = await to_bolt_request(request)
        if request.path == oauth.install_path:
            return await to_aiohttp_response(await oauth.handle_installation(bolt_request))
        return await to_aiohttp_response(await oauth.handle_callback(bolt_request))

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(2.0), adapter.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as error:  # any failure means "not ready"
            return web.json_response({"ok": False, "database": str(error)[:200]}, status=503)
        return web.json_response({"ok": True})

    async def metrics(_request: web.Request) -> web.Response:
        response = web.Response(body=metrics_text())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    web_app = web.Application()
    routes = [
        web.get("/slack/install", handle_install),
        web.get("/slack/oauth_redirect", handle_install),
        web.get("/healthz", healthz),
    ]
    if events:
        routes.append(web.post(EVENTS_PATH, handle_events))
    if adapter.settings.metrics_enabled:
        routes.append(web.get("/metrics", metrics))
    web_app.add_routes(routes)
    return web_app


async def start_http(
    adapter: SlackAdapter, *, host: str = "0.0.0.0", port: int, events: bool = True
) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner (``await runner.cleanup()`` stops it) and the
    port actually bound (pass ``port=0`` for a free one)."""
    runner = web.AppRunner(build_web_app(adapter, events=events), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = port
    sockets = getattr(site._server, "sockets", None)
    if sockets:
        bound = int(sockets[0].getsockname()[1])
    return runner, bound


async def run_http(adapter: SlackAdapter, *, port: int, host: str = "0.0.0.0") -> None:
    """Serve HTTP mode until cancelled."""
    runner, bound = await start_http(adapter, host=host, port=port)
    log.info("Slack HTTP mode on port %d (%s)", bound, EVENTS_PATH)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def run_socket_mode(adapter: SlackAdapter, *, app_token: str, port: int | None) -> None:
    """Serve Socket Mode until cancelled (plus /healthz and /metrics on ``port``)."""
    handler = AsyncSocketModeHandler(
        adapter.app, app_token, web_client=adapter.web_client(), ping_interval=10
    )
    runner = None
    if port is not None:
        runner, bound = await start_http(adapter, port=port, events=False)
        log.info("health and metrics on port %d", bound)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack Socket Mode connected")
        await asyncio.Event().wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        if runner is not None:
            await runner.cleanup()


def slack_routes(adapter: SlackAdapter, *, events: bool = True) -> list[web.RouteDef]:
    """Slack's own routes (``/slack/…``) from :func:`build_web_app`, for ``crossfade run`` to
    mount beside the shared ``/healthz``, ``/readyz`` and ``/metrics`` of ``bot.health``."""
    routes = []
    for route in build_web_app(adapter, events=events).router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith("/slack/") and route.method != "HEAD":
            routes.append(web.route(route.method, path, route.handler))
    return routes
