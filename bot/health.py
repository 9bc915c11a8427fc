"""``/healthz``, ``/readyz`` and ``/metrics`` on ``PORT`` for every mode (Slack, Discord, both).

* ``/healthz`` — liveness for Docker and load balancers: 200 ``ok`` while the process serves
  and its database answers, else 503 ``unavailable``. The body never carries error details
  (they would leak host names and driver messages to anyone who can reach the port).
* ``/readyz`` — readiness: one ``name: ok|unavailable`` line per check (database reachable,
  migrations current, each platform connected); 200 when all are ok, else 503. It turns 503
  as soon as shutdown starts, so a load balancer stops routing before the server closes.
* ``/metrics`` — Prometheus text (when ``METRICS_ENABLED``): on ``PORT``, or only on
  ``METRICS_PORT`` when that is set (a port the scraper reaches and nobody else), and only to
  the bearer of ``METRICS_TOKEN`` when that is set.

Adapters that serve HTTP themselves (Slack HTTP mode) add their routes to the same
application before it starts, so there is one server and one port per process.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from aiohttp import web
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.delivery import METRICS_CONTENT_TYPE, metrics_text
from bot.kernel.storage.db import Database, alembic_config

__all__ = ["HealthServer", "MetricsExposure", "Readiness", "health_routes", "metrics_handler"]

log = logging.getLogger(__name__)
CHECK_SECONDS = 2.0


def migrations_head(url: str) -> str | None:
    """The newest migration (what ``/readyz`` compares the database's revision with)."""
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


@dataclass
class Readiness:
    """What ``/readyz`` reports; adapters register a ``connected()`` test per platform."""

    db: Database
    platforms: dict[str, Callable[[], bool]] = field(default_factory=dict)
    stopping: bool = False
    _head: str | None = None

    async def database_ok(self) -> bool:
        try:
            async with asyncio.timeout(CHECK_SECONDS), self.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "unavailable"; details go to the log only
            log.debug("health check: database unavailable", exc_info=True)
            return False
        return True

    async def migrations_ok(self) -> bool:
        try:
            if self._head is None:
                self._head = migrations_head(self.db.url)
            async with asyncio.timeout(CHECK_SECONDS):
                return await self.db.current_revision() == self._head
        except Exception:
            log.debug("health check: migrations unknown", exc_info=True)
            return False

    async def checks(self) -> dict[str, bool]:
        results = {"database": await self.database_ok()}
        results["migrations"] = results["database"] and await self.migrations_ok()
        for name, connected in self.platforms.items():
            try:
                results[name] = bool(connected())
            except Exception:
                results[name] = False
        if self.stopping:
            results["shutdown"] = False
        return results


def _word(ok: bool) -> str:
    return "ok" if ok else "unavailable"


def metrics_handler(token: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``/metrics``, open or (with ``METRICS_TOKEN``) only to its bearer."""
    expected = f"Bearer {token}".encode()

    async def metrics(request: web.Request) -> web.Response:
        if token:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return web.Response(status=401, text="", headers={"WWW-Authenticate": "Bearer"})
        response = web.Response(body=metrics_text())
        response.headers["Content-Type"] = METRICS_CONTENT_TYPE
        return response

    return metrics


@dataclass(frozen=True)
class MetricsExposure:
    """Where ``/metrics`` is served: not at all, on ``PORT``, or on a port of its own."""

    enabled: bool = True
    token: str = ""
    port: int | None = None  # METRICS_PORT: serve it there instead of on PORT
    host: str = "0.0.0.0"

    @property
    def on_main_port(self) -> bool:
        return self.enabled and self.port is None


def health_routes(
    readiness: Readiness, *, metrics: bool = True, metrics_token: str = ""
) -> list[web.RouteDef]:
    async def healthz(_request: web.Request) -> web.Response:
        ok = await readiness.database_ok()
        return web.Response(text=_word(ok), status=200 if ok else 503)

    async def readyz(_request: web.Request) -> web.Response:
        results = await readiness.checks()
        body = "".join(f"{name}: {_word(ok)}\n" for name, ok in results.items())
        return web.Response(text=body, status=200 if all(results.values()) else 503)

    routes = [web.get("/healthz", healthz), web.get("/readyz", readyz)]
    if metrics:
        routes.append(web.get("/metrics", metrics_handler(metrics_token)))
    return routes


class HealthServer:
    """One aiohttp server on ``PORT``: the health routes plus whatever adapters add."""

    def __init__(self, readiness: Readiness, *, metrics: bool | MetricsExposure = True) -> None:
        exposure = metrics if isinstance(metrics, MetricsExposure) else MetricsExposure(metrics)
        self.readiness = readiness
        self.metrics = exposure
        self.app = web.Application()
        on_main = exposure.on_main_port
        self.app.add_routes(health_routes(readiness, metrics=on_main, metrics_token=exposure.token))
        self.paths: list[str] = ["/healthz", "/readyz"] + (["/metrics"] if on_main else [])
        self._runner: web.AppRunner | None = None
        self._metrics_runner: web.AppRunner | None = None
        self.port = 0
        self.metrics_port: int | None = None

    def add_routes(self, routes: Iterable[web.RouteDef]) -> None:
        for route in routes:
            self.app.router.add_route(route.method, route.path, route.handler)
            if route.path not in self.paths:
                self.paths.append(route.path)

    async def start(self, port: int, host: str = "0.0.0.0") -> int:
        # Requests in progress get a few seconds to finish when the server stops.
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=3.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.port = _bound_port(site, port)
        exposure = self.metrics
        if exposure.enabled and exposure.port is not None:
            app = web.Application()
            app.add_routes([web.get("/metrics", metrics_handler(exposure.token))])
            metrics_runner = web.AppRunner(app, access_log=None)
            await metrics_runner.setup()
            metrics_site = web.TCPSite(metrics_runner, exposure.host, exposure.port)
            await metrics_site.start()
            self._metrics_runner = metrics_runner
            self.metrics_port = _bound_port(metrics_site, exposure.port)
            log.info("metrics on %s:%d", exposure.host, self.metrics_port)
        return self.port

    async def stop(self) -> None:
        for name in ("_metrics_runner", "_runner"):
            runner = getattr(self, name)
            if runner is not None:
                setattr(self, name, None)
                await runner.cleanup()


def _bound_port(site: web.TCPSite, asked: int) -> int:
    sockets = getattr(site._server, "sockets", None)
    return int(sockets[0].getsockname()[1]) if sockets else asked
