"""``crossfade doctor``: is this install ready to serve? A ✔/✘ table with the fix for each ✘.

Checks, in order: the configuration, the database (reachable, migrations current, clock skew
against it), the server key, each configured platform against its API (``adapters.*.doctor``),
the dependency lock file and the versions. Nothing is changed: no migration, no key file.
Exit status 1 when any row is ✘.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.kernel.diagnosis import PlatformCheck, Row
from bot.kernel.settings import Settings

__all__ = ["Row", "diagnose", "render", "run_doctor"]

MAX_SKEW_SECONDS = 5.0
ROOT = Path(__file__).resolve().parents[1]
# The hashed lock file of the dependencies (the security work), first one found wins.
LOCK_FILES = ("requirements.lock", "requirements-lock.txt", "requirements.txt")


Now = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def configuration_rows(settings: Settings | None, problems: Iterable[object]) -> list[Row]:
    problems = list(problems)
    if not problems and settings is not None:
        platforms = ", ".join(settings.enabled_platforms)
        return [Row("configuration", True, f"every setting valid; platforms: {platforms}")]
    return [
        Row("configuration", False, str(p), "set it in .env or the environment") for p in problems
    ]


async def database_rows(settings: Settings, *, now: Now = _utcnow) -> list[Row]:
    from sqlalchemy import text

    from bot.health import migrations_head
    from bot.kernel.storage.availability import describe_database_error
    from bot.kernel.storage.db import Database
    from bot.security.keys import key_file_for

    sqlite_file = key_file_for(settings.database_url) if settings.is_sqlite else None
    if sqlite_file is not None:
        path = sqlite_file.with_name(sqlite_file.name.removesuffix(".key"))
        if not path.exists():  # connecting would create it: the doctor changes nothing
            return [Row("database", True, f"SQLite file {path} is made at the first start")]
    db = Database(settings.database_url)
    try:
        try:
            async with asyncio.timeout(15), db.engine.connect() as conn:
                query = "SELECT now()" if db.is_postgres else "SELECT CURRENT_TIMESTAMP"
                db_now = (await conn.execute(text(query))).scalar_one()
            current = await db.current_revision()
        except Exception as error:
            message = describe_database_error(error, settings.database_url)
            return [Row("database", False, message, "start the database or fix DATABASE_URL")]
        rows = [Row("database", True, f"{db.engine.dialect.name} answers")]
        head = migrations_head(settings.database_url)
        if current == head:
            rows.append(Row("migrations", True, f"at {head}"))
        else:
            fix = "crossfade db upgrade (SQLite: the next start does it too)"
            rows.append(Row("migrations", False, f"at {current or 'nothing'}, not {head}", fix))
        rows.append(_skew_row(db_now, now()))
        return rows
    finally:
        await db.dispose()


def _skew_row(db_now: object, local: datetime) -> Row:
    if isinstance(db_now, str):  # SQLite's CURRENT_TIMESTAMP is text, in UTC
        db_now = datetime.fromisoformat(db_now)
    assert isinstance(db_now, datetime)
    if db_now.tzinfo is None:
        db_now = db_now.replace(tzinfo=UTC)
    skew = (local - db_now).total_seconds()
    detail = f"this host is {abs(skew):.1f} s {'ahead of' if skew >= 0 else 'behind'} the database"
    if abs(skew) <= MAX_SKEW_SECONDS:
        return Row("clock skew", True, detail)
    fix = "sync the clocks (NTP: chrony or systemd-timesyncd) of this host and the database"
    return Row("clock skew", False, detail, fix)


def key_row(settings: Settings) -> Row:
    from bot.security.keys import ENV, MissingServerKey, key_file_for, parse_keys

    if settings.secret_key.strip():
        try:
            keys = parse_keys(settings.secret_key)
        except MissingServerKey as error:
            return Row("server key", False, str(error), "crossfade keygen, then set " + ENV)
        extra = f" (+{len(keys.keys) - 1} older for rotation)" if len(keys.keys) > 1 else ""
        return Row("server key", True, f"{ENV} key {keys.current_id}{extra}")
    if settings.database_url.startswith("postgresql"):
        return Row("server key", False, f"{ENV} is empty", f"crossfade keygen, then set {ENV}")
    path = key_file_for(settings.database_url)
    if path is not None and path.exists():
        return Row("server key", True, f"key file {path} (set {ENV} in production)")
    return Row(
        "server key", True, f"a key file beside the SQLite database is made at start: {path}"
    )


@dataclass(frozen=True)
class Locked:
    """One pinned package of the lock file: its name, version, environment marker and the
    requirement files or packages it is there for (``# via`` lines)."""

    name: str
    version: str
    marker: str
    via: frozenset[str]


def parse_lock(text: str) -> list[Locked]:
    """The entries of a ``uv pip compile``/``pip-compile`` lock file with hashes."""
    entries: list[Locked] = []
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and "==" in line:
            spec, _, marker = line.split("\\", 1)[0].partition(";")
            name, version = (part.strip() for part in spec.split("==", 1))
            entries.append(Locked(name.split("[", 1)[0], version, marker.strip(), frozenset()))
            continue
        reason = line.strip().removeprefix("#").strip().removeprefix("via").strip()
        if entries and line[:1].isspace() and line.strip().startswith("#") and reason:
            last = entries[-1]
            entries[-1] = Locked(last.name, last.version, last.marker, last.via | {reason})
    return entries


BUILD_ONLY = "-r build-requirements.in"


def lock_row(root: Path = ROOT) -> Row | None:
    """Installed versions against the lock file (none in a plain ``pip install``).

    The lock holds the versions that were vetted (advisories read, hashes pinned). An
    installed package older than its locked version is a ✘: it may lack the fixes the lock
    was raised for. Newer is fine (a developer's ``pip install -e .`` takes the newest).
    Packages whose environment marker does not apply here, and build tools that are in the
    lock only for building the image, are not looked at."""
    from importlib import metadata

    from packaging.markers import Marker
    from packaging.version import InvalidVersion, Version

    lock = next((root / name for name in LOCK_FILES if (root / name).exists()), None)
    if lock is None:
        return None
    wrong = []
    for entry in parse_lock(lock.read_text(encoding="utf-8")):
        if entry.marker and not Marker(entry.marker).evaluate():
            continue
        if entry.via and entry.via <= {BUILD_ONLY}:
            continue
        try:
            installed = metadata.version(entry.name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{entry.name} missing (lock: {entry.version})")
            continue
        try:
            older = Version(installed) < Version(entry.version)
        except InvalidVersion:
            older = installed != entry.version
        if older:
            wrong.append(f"{entry.name} {installed} (lock: {entry.version})")
    if not wrong:
        return Row("lock file", True, f"installed versions are at least those of {lock.name}")
    shown = ", ".join(wrong[:4]) + (f" and {len(wrong) - 4} more" if len(wrong) > 4 else "")
    return Row("lock file", False, shown, f"pip install --require-hashes -r {lock.name}")


def versions_row(requirements: list[str] | None = None) -> Row:
    from importlib import metadata

    from packaging.requirements import Requirement

    if requirements is None:
        requirements = [r for r in metadata.requires("crossfade") or [] if "extra ==" not in r]
    unmet = []
    for text in requirements:
        requirement = Requirement(text)
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            unmet.append(f"{requirement.name} missing")
            continue
        if installed not in requirement.specifier:
            unmet.append(f"{requirement.name} {installed} (needs {requirement.specifier})")
    python = ".".join(map(str, sys.version_info[:3]))
    version = metadata.version("crossfade")
    if not unmet:
        return Row("versions", True, f"crossfade {version}, Python {python}, dependencies in range")
    return Row("versions", False, "; ".join(unmet), "pip install -e . (or rebuild the image)")


async def diagnose(
    *,
    now: Now = _utcnow,
    platform_checks: dict[str, PlatformCheck] | None = None,
    root: Path = ROOT,
) -> list[Row]:
    """Every row of the table (settings from the environment and ``.env``)."""
    from bot.kernel.configcheck import ConfigErrors, load_settings

    try:
        settings: Settings | None = load_settings(platforms=True)
        problems: list[object] = []
    except ConfigErrors as errors:
        problems = list(errors.problems)
        settings = _lenient_settings()
    rows = configuration_rows(settings, problems)
    if settings is None:
        return rows
    rows += await database_rows(settings, now=now)
    rows.append(key_row(settings))
    checks = platform_checks if platform_checks is not None else _platform_checks()
    for platform in settings.enabled_platforms:
        if platform in checks:
            rows += await checks[platform](settings)
    lock = lock_row(root)
    if lock is not None:
        rows.append(lock)
    rows.append(versions_row())
    return rows


def _lenient_settings() -> Settings | None:
    try:
        return Settings()
    except Exception:  # unparsable values: the configuration rows say which
        return None


def _platform_checks() -> dict[str, PlatformCheck]:
    # Imported when the doctor runs: each adapter's check brings its platform's library.
    from adapters.discord.doctor import discord_rows
    from adapters.slack.doctor import slack_rows

    return {"slack": slack_rows, "discord": discord_rows}


def render(rows: list[Row], out: TextIO) -> None:
    width = max(len(row.check) for row in rows)
    for row in rows:
        out.write(f"{'✔' if row.ok else '✘'} {row.check:<{width}}  {row.detail}\n")
        if not row.ok and row.fix:
            out.write(f"  {'':<{width}}  fix: {row.fix}\n")
    failed = sum(not row.ok for row in rows)
    out.write(f"\n{failed} problem(s) found\n" if failed else "\neverything looks ready\n")


def run_doctor() -> int:
    rows = asyncio.run(diagnose())
    render(rows, sys.stdout)
    return 1 if any(not row.ok for row in rows) else 0
