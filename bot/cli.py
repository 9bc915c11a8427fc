"""The ``crossfade`` command: run, console, db, slack, discord."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.logs import configure_logging

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.clock import Clock

__all__ = ["main"]

log = logging.getLogger("crossfade")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crossfade",
        description="Crossfade — balance or blend: a work-life bot for Slack and Discord.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser(
        "run",
        help="start the bot: Slack and/or Discord when credentials are set, else the console",
    )
    console = sub.add_parser("console", help="the terminal adapter (several users, fake clock)")
    console.add_argument("--script", metavar="FILE", help="run a script and print the transcript")
    console.add_argument(
        "--database",
        metavar="URL",
        help="database for the session (scripts default to a fresh temporary SQLite file)",
    )

    sub.add_parser(
        "keygen",
        help="print a new server key for CROSSFADE_SECRET_KEY (rotate: new key first, a comma, "
        "then the old one)",
    )

    db = sub.add_parser("db", help="database schema (Alembic migrations)")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="migrate the database in DATABASE_URL to the newest schema")
    db_sub.add_parser("current", help="print the database's schema revision")

    slack = sub.add_parser("slack", help="Slack helpers")
    slack_sub = slack.add_subparsers(dest="slack_command", metavar="ACTION", required=True)
    manifest = slack_sub.add_parser("manifest", help="print the Slack app manifest")
    manifest.add_argument("--url", help="public base URL for HTTP mode, e.g. https://bot.example")

    discord = sub.add_parser("discord", help="Discord helpers")
    discord_sub = discord.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    sync = discord_sub.add_parser("sync", help="publish the /crossfade command group")
    sync.add_argument("--guild", type=int, help="publish to one guild only (instant; for testing)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "keygen":  # needs no configuration, so a broken .env cannot stop it
        from bot.security.keys import generate_key

        print(generate_key())
        return 0
    try:
        settings = Settings()
    except Exception as error:  # pydantic's message names the bad variable
        print(f"crossfade: bad configuration: {error}", file=sys.stderr)
        return 2
    command = args.command or "run"
    quiet_console = command == "console" or (
        command == "run" and settings.enabled_platforms == ["console"]
    )
    configure_logging("WARNING" if quiet_console else settings.log_level, settings.log_format)
    try:
        if command == "run":
            return asyncio.run(_run(settings))
        if command == "console":
            return asyncio.run(_console(settings, args.script, args.database))
        if command == "db":
            return asyncio.run(_db(settings, args.db_command))
        if command == "slack":
            from adapters.slack.manifest import render_manifest

            print(render_manifest(args.url))
            return 0
        if command == "discord":
            from adapters.discord.sync import sync_commands

            print(asyncio.run(sync_commands(settings, args.guild)))
            return 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `crossfade console --script x | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (StartupError, ValueError) as error:
        # Configuration problems (a missing signing secret, an http:// manifest URL, a broken
        # content file) are for a person to fix: one clear line, the traceback only in debug.
        log.debug("startup failed", exc_info=True)
        print(f"crossfade: {error}", file=sys.stderr)
        return 1
    return 2


class StartupError(Exception):
    """Something a person must fix before the bot can start (printed without a traceback)."""


async def _services(settings: Settings, *, clock: Clock | None = None) -> Services:
    from bot.bootstrap import build

    try:
        services = await build(settings, clock=clock)
    except (ValueError, OSError) as error:
        raise StartupError(str(error)) from error
    if services.db.is_postgres:
        from alembic.script import ScriptDirectory

        from bot.storage.db import alembic_config

        head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
        current = await services.db.current_revision()
        if current != head:
            await services.close()
            raise StartupError(
                f"the database schema is at {current or 'nothing'}, not {head}: "
                "run `crossfade db upgrade` first"
            )
    return services


async def _run(settings: Settings) -> int:
    platforms = settings.enabled_platforms
    if platforms == ["console"]:
        return await _console(settings, None, None)
    services = await _services(settings)
    tasks = []
    try:
        await services.engine.start()
        for platform in platforms:
            if platform == "slack":
                from adapters.slack import serve as serve_slack

                tasks.append(asyncio.create_task(serve_slack(services), name="slack"))
            elif platform == "discord":
                from adapters.discord import serve as serve_discord

                tasks.append(asyncio.create_task(serve_discord(services), name="discord"))
            else:
                raise StartupError(f"unknown platform {platform!r} in CROSSFADE_PLATFORMS")
        log.info("crossfade running: %s", ", ".join(platforms))
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await services.close()
    return 0


async def _console(settings: Settings, script: str | None, database: str | None) -> int:
    from adapters.console.clock import OffsetClock
    from adapters.console.runner import interactive, run_script, script_clock

    scripted = script is not None or not sys.stdin.isatty()
    with tempfile.TemporaryDirectory(prefix="crossfade-") as tmp:
        if database:
            settings = settings.model_copy(update={"database_url": database})
        elif scripted:
            # A script starts from an empty database so that its transcript is reproducible.
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'script.db'}"
            settings = settings.model_copy(update={"database_url": url})
        clock = script_clock() if scripted else OffsetClock()
        services = await _services(settings, clock=clock)
        try:
            if script is not None:
                try:
                    text = await asyncio.to_thread(Path(script).read_text, encoding="utf-8")
                    lines = text.splitlines()
                except OSError as error:
                    raise StartupError(f"cannot read the script: {error}") from error
                return await run_script(services, lines, name=script, out=sys.stdout)
            if scripted:
                return await run_script(
                    services, sys.stdin.read().splitlines(), name="<stdin>", out=sys.stdout
                )
            return await interactive(services, out=sys.stdout)
        finally:
            await services.close()


async def _db(settings: Settings, action: str) -> int:
    from bot.storage.db import Database

    db = Database(settings.database_url)
    try:
        if action == "upgrade":
            await db.upgrade()
            print(f"database at {await db.current_revision()}")
        else:
            print(await db.current_revision() or "empty")
    except OSError as error:
        raise StartupError(f"cannot reach the database: {error}") from error
    finally:
        await db.dispose()
    return 0
