"""Serving the Slack app: HTTP mode (aiohttp) and Socket Mode.

HTTP mode routes, on ``PORT``:

* ``POST /slack/events`` — slash commands, interactivity and the Events API (Bolt verifies
  the signature and answers 401 to anything forged or older than five minutes);
* ``GET /slack/install`` and ``GET /slack/oauth_redirect`` — the OAuth v2 install (when
  ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` are set);
* ``GET /healthz`` — ``ok`` (200) when the database answers, else ``unavailable`` (503),
  with the reason in the log only;
* ``GET /metrics`` — Prometheus text: the engine's metrics, the process, and these. With
  ``METRICS_PORT`` it is served on that port instead (keep it private), and with
  ``METRICS_TOKEN`` only to ``Authorization: Bearer <token>``.

Before Bolt sees ``/slack/events``, :mod:`adapters.slack.guard` refuses malformed headers
(400/401), bad signatures (401) and replays of a request already served (401).

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
from adapters.slack.guard import (
    REFUSED,
    InstallLimit,
    ReplayGuard,
    check_headers,
    request_kind,
    status_label,
    verify,
)
from bot.health import metrics_handler
from bot.security.connect_grant import STATE_PREFIX

__all__ = [
    "build_web_app",
    "metrics_app",
    "run_http",
    "run_socket_mode",
    "slack_routes",
    "start_http",
]

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


def _refuse(status: int, reason: str, started: float) -> web.Response:
    ACK_SECONDS.labels(REFUSED).observe(time.perf_counter() - started)
    REQUESTS.labels(REFUSED, status_label(status)).inc()
    log.info("refused a request to %s: %s", EVENTS_PATH, reason)
    return web.Response(status=status, text="invalid request" if status == 400 else "")


class _Handlers:
    """The request handlers of one adapter's web application."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter
        self.app = adapter.app
        self.replays = ReplayGuard(adapter.db)
        self.installs = InstallLimit(adapter.db, clock=adapter.clock)
        self.secret = adapter.settings.slack_signing_secret

    async def events(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: checked, then handed to Bolt."""
        started = time.perf_counter()
        problem = check_headers(request.headers)
        if problem is not None:
            return _refuse(*problem, started)
        try:
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            return _refuse(400, "body is not UTF-8", started)
        if not self.secret or not verify(self.secret, body, request.headers, now=time.time()):
            return _refuse(401, "bad signature", started)
        signature = request.headers["X-Slack-Signature"]
        timestamp = int(request.headers["X-Slack-Request-Timestamp"])
        # Slack retries only Events API deliveries (JSON), and those are deduplicated by
        # their event_id downstream; a command or an interaction is never retried.
        retried_event = "X-Slack-Retry-Num" in request.headers and body.lstrip().startswith("{")
        if not retried_event and not await self.replays.first_time(signature, timestamp):
            return _refuse(401, "a replayed signature", started)
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.app.async_dispatch(bolt_request)
        response = await to_aiohttp_response(bolt_response)
        kind = request_kind(bolt_request.body)
        ACK_SECONDS.labels(kind).observe(time.perf_counter() - started)
        REQUESTS.labels(kind, status_label(response.status)).inc()
        return response

    async def install(self, request: web.Request) -> web.Response:
        """``/slack/install`` and ``/slack/oauth_redirect``: a person's ``connect`` (its state
        says so) or a workspace install."""
        if request.query.get("state", "").startswith(STATE_PREFIX):
            settings = self.adapter.settings
            return await connect_callback(
                request,
                tokens=UserTokens(self.adapter.db),
                clock=self.adapter.clock,
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                api_url=settings.slack_api_url,
            )
        oauth = self.app.oauth_flow
        if oauth is None:
            return web.Response(
                status=404,
                text="This Crossfade runs in one workspace (SLACK_BOT_TOKEN); OAuth installs "
                "need SLACK_CLIENT_ID and SLACK_CLIENT_SECRET.",
            )
        bolt_request = await to_bolt_request(request)
        if request.path == oauth.install_path:
            if not await self.installs.allow(request.remote or ""):
                return web.Response(status=429, text="Too many install attempts; try again soon.")
            return await to_aiohttp_response(await oauth.handle_installation(bolt_request))
        return await to_aiohttp_response(await oauth.handle_callback(bolt_request))

    async def healthz(self, _request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(2.0), self.adapter.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as error:  # any failure means "not ready"; the why is for the log
            log.warning("health check: database unavailable: %s", error)
            return web.Response(status=503, text="unavailable")
        return web.Response(text="ok")


def build_web_app(
    adapter: SlackAdapter, *, events: bool = True, metrics_here: bool = True
) -> web.Application:
    """The aiohttp application (``events=False`` in Socket Mode: no /slack/events;
    ``metrics_here=False`` when ``/metrics`` has a port of its own)."""
    handlers = _Handlers(adapter)
    web_app = web.Application()
    routes = [
        web.get("/slack/install", handlers.install),
        web.get("/slack/oauth_redirect", handlers.install),
        web.get("/healthz", handlers.healthz),
    ]
    if events:
        routes.append(web.post(EVENTS_PATH, handlers.events))
    if adapter.settings.metrics_enabled and metrics_here:
        routes.append(web.get("/metrics", metrics_handler(adapter.settings.metrics_token)))
    web_app.add_routes(routes)
    return web_app


def metrics_app(token: str) -> web.Application:
    """``/metrics`` alone, for ``METRICS_PORT``."""
    app = web.Application()
    app.add_routes([web.get("/metrics", metrics_handler(token))])
    return app


async def start_http(
    adapter: SlackAdapter, *, host: str = "0.0.0.0", port: int, events: bool = True
) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner (``await runner.cleanup()`` stops it) and the
    port actually bound (pass ``port=0`` for a free one)."""
    settings = adapter.settings
    separate = settings.metrics_enabled and settings.metrics_port is not None
    web_app = build_web_app(adapter, events=events, metrics_here=not separate)
    extra: list[web.AppRunner] = []

    async def stop_extra(_app: web.Application) -> None:
        for other in extra:
            await other.cleanup()

    web_app.on_cleanup.append(stop_extra)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    bound = await _serve(runner, host, port)
    if separate and settings.metrics_port is not None:
        metrics_runner = web.AppRunner(metrics_app(settings.metrics_token), access_log=None)
        await metrics_runner.setup()
        extra.append(metrics_runner)
        metrics_port = await _serve(metrics_runner, settings.metrics_host, settings.metrics_port)
        log.info("metrics on %s:%d", settings.metrics_host, metrics_port)
    return runner, bound


async def _serve(runner: web.AppRunner, host: str, port: int) -> int:
    site = web.TCPSite(runner, host, port)
    await site.start()
    sockets = getattr(site._server, "sockets", None)
    return int(sockets[0].getsockname()[1]) if sockets else port


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
