"""``crossfade run`` with platform credentials: start every adapter, serve health on ``PORT``,
and stop cleanly on SIGINT/SIGTERM.

Shutdown, in order, bounded by ``STOP_SECONDS`` in all: ``/readyz`` turns 503 at once (load
balancers stop routing); the engine stops ticking and its senders finish or hand back what
they hold (rows not confirmed stay pending, leases released); the adapters stop taking events
and get a few seconds for the ones in progress; the HTTP server closes; the database last.
A second signal exits at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.bootstrap import build
from bot.health import HealthServer, MetricsExposure, Readiness, migrations_head
from bot.kernel.clock import Clock
from bot.kernel.errors import StartupError
from bot.kernel.services import Services
from bot.kernel.settings import Settings
from bot.kernel.storage.availability import describe_database_error

__all__ = ["open_services", "serve_platforms"]

log = logging.getLogger("crossfade")
STOP_SECONDS = 8.0


@dataclass
class Running:
    """What ``crossfade run`` started, for shutdown."""

    services: Services
    health: HealthServer
    tasks: dict[str, asyncio.Task[Any]] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


def serve_platforms(settings: Settings) -> int:
    return asyncio.run(_serve(settings))


async def open_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """The bot, storage and engine for ``settings``. PostgreSQL is never migrated here: a
    schema behind the code's stops start-up with the command that fixes it."""
    try:
        services = await build(settings, clock=clock)
    except OSError as error:
        raise StartupError(describe_database_error(error, settings.database_url)) from error
    if services.db.is_postgres:
        head = migrations_head(settings.database_url)
        try:
            current = await services.db.current_revision()
        except BaseException:
            await services.close()
            raise
        if current != head:
            await services.close()
            raise StartupError(
                f"the database schema is at {current or 'nothing'}, not {head}: "
                "run `crossfade db upgrade` first"
            )
    return services


def _install_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def on_signal(number: int) -> None:
        if stop.is_set():
            # An operator pressing Ctrl-C twice means "now".
            log.warning("second %s: exiting at once", signal.Signals(number).name)
            os._exit(130)
        log.info("%s: shutting down (send it again to force)", signal.Signals(number).name)
        stop.set()

    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, on_signal, number)


async def _serve(settings: Settings) -> int:
    stop = asyncio.Event()
    _install_signals(stop)
    services = await open_services(settings)
    readiness = Readiness(services.db)
    metrics = MetricsExposure(
        enabled=settings.metrics_enabled,
        token=settings.metrics_token,
        port=settings.metrics_port,
        host=settings.metrics_host,
    )
    running = Running(services, HealthServer(readiness, metrics=metrics))
    try:
        starters = {"slack": _start_slack, "discord": _start_discord}
        for platform in settings.enabled_platforms:
            await starters[platform](running)
        port = await running.health.start(settings.port)
        log.info("http on port %d: %s", port, ", ".join(running.health.paths))
        if hasattr(services.engine, "stop_grace"):
            services.engine.stop_grace = 2.0
        await services.engine.start()
        waiter = asyncio.create_task(stop.wait(), name="signal")
        done, _ = await asyncio.wait(
            [waiter, *running.tasks.values()], return_when=asyncio.FIRST_COMPLETED
        )
        waiter.cancel()
        for task in done:
            if task is not waiter and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        readiness.stopping = True
        await _shutdown(running)
    log.info("crossfade stopped")
    return 0


async def _shutdown(running: Running) -> None:
    async def steps() -> None:
        await _bounded(running.services.engine.stop(), 4.0, "engine")
        for name, task in running.tasks.items():
            task.cancel()
            await _bounded(_wait(task), 4.0, name)
        for close in running.closers:
            await _bounded(close(), 2.0, "adapter")
        await _bounded(running.health.stop(), 2.0, "http")

    try:
        async with asyncio.timeout(STOP_SECONDS):
            await steps()
    except TimeoutError:
        log.warning("shutdown took over %.0fs; closing the database anyway", STOP_SECONDS)
    await _bounded(running.services.db.dispose(), 2.0, "database")


async def _wait(task: asyncio.Task[Any]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _bounded(step: Awaitable[Any], seconds: float, name: str) -> None:
    try:
        async with asyncio.timeout(seconds):
            await step
    except TimeoutError:
        log.warning("stopping %s took over %.0fs; moving on", name, seconds)
    except Exception:
        log.warning("stopping %s failed", name, exc_info=True)


async def _start_slack(running: Running) -> None:
    from adapters.slack import open_slack
    from adapters.slack.server import slack_routes

    services = running.services
    settings = services.settings
    adapter, token_ok = await open_slack(services)
    running.closers.append(adapter.close)
    socket_mode = bool(settings.slack_app_token)
    running.health.add_routes(slack_routes(adapter, events=not socket_mode))
    state = {"connected": token_ok and not socket_mode}
    running.health.readiness.platforms["slack"] = lambda: state["connected"]
    if socket_mode:

        async def socket() -> None:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(
                adapter.app,
                settings.slack_app_token,
                web_client=adapter.web_client(),
                ping_interval=10,
            )
            try:
                await handler.connect_async()  # type: ignore[no-untyped-call]
                state["connected"] = True
                await asyncio.Event().wait()
            finally:
                state["connected"] = False
                await handler.close_async()  # type: ignore[no-untyped-call]

        running.tasks["slack"] = asyncio.create_task(socket(), name="slack")
        log.info("slack: Socket Mode (%s)", "single workspace" if token_ok else "OAuth installs")
    else:
        kind = "OAuth installs" if adapter.multi_workspace else "single workspace"
        log.info("slack: HTTP mode on PORT at /slack/events (%s)", kind)


async def _start_discord(running: Running) -> None:
    from adapters.discord.serve import create_client, run_client

    services = running.services
    client = create_client(services)

    def connected() -> bool:
        shards = client.shards.values()
        return (
            client.is_ready() and not client.is_closed() and all(not s.is_closed() for s in shards)
        )

    running.health.readiness.platforms["discord"] = connected
    running.tasks["discord"] = asyncio.create_task(run_client(client, services), name="discord")
    shards = services.settings.discord_shard_ids or "automatic"
    log.info("discord: gateway at %s (shards: %s)", services.settings.discord_gateway_url, shards)
