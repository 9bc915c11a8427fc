"""The ``crossfade`` command: run, console, db, slack, discord."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.kernel.configcheck import (
    ConfigErrors,
    ConfigProblem,
    check_database_url,
    load_settings,
)
from bot.kernel.errors import StartupError
from bot.kernel.logs import configure_logging
from bot.kernel.settings import Settings, async_driver_url

__all__ = ["StartupError", "main", "stdin_kind"]

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

    sub.add_parser(
        "doctor",
        help="check configuration, database, server key and platform credentials (exit 1 on ✘)",
    )

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
    command = args.command or "run"
    if command == "doctor":  # reports configuration problems itself, as rows
        from bot.doctor import run_doctor

        return run_doctor()
    try:
        settings = load_settings(platforms=command == "run")
        database = _database_option(getattr(args, "database", None))
    except ConfigErrors as errors:
        for problem in errors.problems:
            print(f"crossfade: {problem}", file=sys.stderr)
        return 2
    _configure_logging(settings, command)
    return _reporting_errors(command, args, settings, database)


def _configure_logging(settings: Settings, command: str) -> None:
    """The console keeps its transcript clean (warnings only); the settings decide the rest.
    Every credential is masked wherever it would appear in a log line."""
    quiet_console = command == "console" or (
        command == "run" and settings.enabled_platforms == ["console"]
    )
    configure_logging(
        "WARNING" if quiet_console else settings.log_level,
        settings.log_format,
        secrets=(
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
            settings.slack_client_secret,
            settings.discord_token,
            settings.secret_key,
        ),
    )


def _reporting_errors(
    command: str, args: argparse.Namespace, settings: Settings, database: str | None
) -> int:
    """Run the command; what an operator must fix is one clear line and an exit status,
    the traceback only in debug."""
    try:
        return _dispatch(command, args, settings, database)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `crossfade console --script x | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except StartupError as error:
        log.debug("startup failed", exc_info=True)
        print(f"crossfade: {error}", file=sys.stderr)
        return error.code
    except ValueError as error:
        # Configuration problems (an http:// manifest URL, a broken content file) are for a
        # person to fix: one clear line, the traceback only in debug.
        log.debug("startup failed", exc_info=True)
        print(f"crossfade: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        from bot.kernel.storage.availability import describe_database_error, is_database_unavailable

        if not (is_database_unavailable(error) or _is_database_error(error)):
            raise
        log.debug("database failed", exc_info=True)
        print(
            f"crossfade: {describe_database_error(error, database or settings.database_url)}",
            file=sys.stderr,
        )
        return 1


def _dispatch(
    command: str, args: argparse.Namespace, settings: Settings, database: str | None
) -> int:
    if command == "run":
        return _run(settings)
    if command == "console":
        return asyncio.run(_console(settings, args.script, database))
    if command == "db":
        return asyncio.run(_db(settings, args.db_command))
    if command == "slack":
        from adapters.slack.manifest import render_manifest
        from bot.bootstrap import build_router

        print(render_manifest(args.url, router=build_router()))
        return 0
    if command == "discord":
        from adapters.discord.sync import sync_commands
        from bot.bootstrap import build_router

        try:
            print(asyncio.run(sync_commands(settings, args.guild, build_router())))
        except OSError as error:  # aiohttp's connection errors are OSErrors
            raise StartupError(
                f"cannot reach Discord at {settings.discord_api_url} ({error.__class__.__name__}: "
                f"{str(error)[:120]}): check the network and DISCORD_API_URL"
            ) from error
        return 0
    return 2


def _database_option(value: str | None) -> str | None:
    """``--database`` gets the same fix-up and checks as ``DATABASE_URL``."""
    if value is None:
        return None
    url = async_driver_url(value)
    problem = check_database_url(url)
    if problem:
        raise ConfigErrors([ConfigProblem("--database", problem)])
    return url


def _is_database_error(error: BaseException) -> bool:
    from sqlalchemy.exc import DBAPIError

    return isinstance(error, DBAPIError)


NO_CREDENTIALS = (
    "no platform credentials: set SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET or "
    "SLACK_APP_TOKEN) or DISCORD_TOKEN (see .env.example), or run `crossfade console`"
)


def stdin_kind() -> str:
    """``tty`` (a person), ``input`` (a pipe or a file: a script) or ``none`` (/dev/null or
    closed, as under Docker and systemd)."""
    try:
        if sys.stdin is None:
            return "none"
        fd = sys.stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError, AttributeError):
        return "none"
    if os.isatty(fd):
        return "tty"
    if stat.S_ISCHR(mode):
        return "none"  # /dev/null
    return "input"


def _run(settings: Settings) -> int:
    if settings.enabled_platforms != ["console"]:
        from bot.service import serve_platforms

        return serve_platforms(settings)
    kind = stdin_kind()
    if kind == "none":
        raise StartupError(NO_CREDENTIALS, code=2)
    return asyncio.run(_console(settings, None, None))


async def _console(settings: Settings, script: str | None, database: str | None) -> int:
    from adapters.console.clock import OffsetClock
    from adapters.console.runner import interactive, run_script, script_clock
    from bot.security.keys import generate_key
    from bot.service import open_services

    scripted = script is not None or not sys.stdin.isatty()
    with tempfile.TemporaryDirectory(prefix="crossfade-") as tmp:
        if database:
            settings = settings.model_copy(update={"database_url": database})
        elif scripted:
            # A script starts from an empty database so that its transcript is reproducible.
            # Its key lives and dies with it: kept in memory, no key file, nothing to announce.
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'script.db'}"
            key = settings.secret_key or generate_key()
            settings = settings.model_copy(update={"database_url": url, "secret_key": key})
        if scripted:
            # Transcripts on stdout stay as they are; the operator learns on stderr that this
            # run kept nothing and did not use real time.
            where = "the database in --database" if database else "a throwaway database"
            print(
                f"crossfade: script run on {where} with a simulated clock (Mon 2 Mar 2026 09:00"
                " UTC); `crossfade console` in a terminal keeps DATABASE_URL",
                file=sys.stderr,
            )
        clock = script_clock() if scripted else OffsetClock()
        services = await open_services(settings, clock=clock)
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
    from bot.kernel.storage.db import Database

    db = Database(settings.database_url)
    try:
        if action == "upgrade":
            await db.upgrade()
            print(f"database at {await db.current_revision()}")
        else:
            print(await db.current_revision() or "empty")
    finally:
        await db.dispose()
    return 0
