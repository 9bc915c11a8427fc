"""Every configuration mistake an operator is likely to make, through the real ``crossfade``
command: one line naming what to fix, the exit code, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ops.support import ROOT, SERVER_KEY, clean_env, crossfade, free_port, one_line
from tests.support import pg


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An operator's directory holding `.env.example` copied as `.env`, unchanged."""
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def test_env_example_copied_as_env_is_valid_for_every_command(home: Path) -> None:
    # The empty `DISCORD_SHARD_COUNT=` line used to fail every command.
    result = crossfade("db", "upgrade", cwd=home)
    assert result.returncode == 0, result.stderr
    assert "database at" in result.stdout
    assert (home / "crossfade.db").exists()
    assert crossfade("slack", "manifest", cwd=home).returncode == 0


@pytest.mark.parametrize(
    ("env", "needles"),
    [
        ({"DATABASE_URL": "bogus://x"}, ["DATABASE_URL:", "'bogus'", "e.g. DATABASE_URL="]),
        ({"DATABASE_URL": "mysql://u:p@h/db"}, ["DATABASE_URL:", "'mysql'", "PostgreSQL"]),
        ({"DATABASE_URL": "not a url"}, ["DATABASE_URL:", "not a database URL"]),
        ({"LOG_LEVEL": "bogus"}, ["LOG_LEVEL:", "'bogus'", "e.g. LOG_LEVEL=INFO"]),
        ({"LOG_FORMAT": "xml"}, ["LOG_FORMAT:", "'xml'", "e.g. LOG_FORMAT=json"]),
        ({"PORT": "http"}, ["PORT:", "'http'", "e.g. PORT=3000"]),
        ({"PORT": "70000"}, ["PORT:", "70000", "not a TCP port"]),
        (
            {"CROSSFADE_DEFAULT_TIMEZONE": "Mars/Base"},
            [
                "CROSSFADE_DEFAULT_TIMEZONE:",
                "'Mars/Base'",
                "e.g. CROSSFADE_DEFAULT_TIMEZONE=Europe/",
            ],
        ),
        ({"DISCORD_SHARD_IDS": "0,x", "DISCORD_SHARD_COUNT": "2"}, ["DISCORD_SHARD_IDS:", "'x'"]),
        ({"DISCORD_SHARD_IDS": "0,5", "DISCORD_SHARD_COUNT": "2"}, ["DISCORD_SHARD_IDS:", "[5]"]),
        ({"DISCORD_SHARD_IDS": "0"}, ["DISCORD_SHARD_COUNT:", "needed"]),
        ({"CROSSFADE_PLATFORMS": "discord"}, ["DISCORD_TOKEN:", "discord is enabled"]),
        ({"CROSSFADE_PLATFORMS": "teams"}, ["CROSSFADE_PLATFORMS:", "teams"]),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            ["SLACK_SIGNING_SECRET:", "SLACK_APP_TOKEN"],
        ),
        ({"DISCORD_GATEWAY_URL": "https://x"}, ["DISCORD_GATEWAY_URL:", "wss"]),
        ({"CROSSFADE_SECRET_KEY": "hunter2"}, ["CROSSFADE_SECRET_KEY:", "not a server key"]),
        (
            {"DATABASE_URL": "postgresql://u@127.0.0.1/x"},
            ["CROSSFADE_SECRET_KEY:", "PostgreSQL", "crossfade keygen"],
        ),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(
    home: Path, env: dict[str, str], needles: list[str]
) -> None:
    result = crossfade("run", cwd=home, env=clean_env(**env))
    line = one_line(result, 2, "crossfade: ", *needles)
    assert "hunter2" not in line  # a mistyped key is still most of a key: never echoed


def test_every_problem_is_reported_at_once(home: Path) -> None:
    env = clean_env(DATABASE_URL="mysql://x/y", LOG_LEVEL="loud", PORT="x")
    result = crossfade("run", cwd=home, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["PORT", "DATABASE_URL", "LOG_LEVEL"]


def test_no_credentials_and_no_terminal_exits_2_with_the_reason(home: Path) -> None:
    for stdin in ("devnull", "closed"):
        if stdin == "devnull":
            result = crossfade("run", cwd=home)
        else:
            result = crossfade(
                "run", cwd=home, stdin=None, pass_fds=(), close_fds=True, preexec_fn=_close_stdin
            )
        one_line(
            result,
            2,
            "no platform credentials: set SLACK_",
            "DISCORD_TOKEN",
            "(see .env.example)",
            "`crossfade console`",
        )


def test_a_piped_script_says_one_line_on_stderr_and_leaves_no_key_file(home: Path) -> None:
    result = crossfade("run", cwd=home, stdin=None, input="/crossfade help\n")
    assert result.returncode == 0, result.stderr
    assert "/crossfade help" in result.stdout and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "script run on a throwaway database" in lines[0], lines
    assert not list(home.glob("*.key"))  # its key lived in memory with its database


def _close_stdin() -> None:
    import os

    os.close(0)


def test_unreachable_postgresql_is_one_line(home: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/crossfade"
    for args in (("db", "upgrade"), ("run",)):
        env = clean_env(DATABASE_URL=url, DISCORD_TOKEN="x", CROSSFADE_SECRET_KEY=SERVER_KEY)
        result = crossfade(*args, cwd=home, env=env)
        one_line(result, 1, "cannot reach PostgreSQL at 127.0.0.1:", "DATABASE_URL")


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_one_line(home: Path, postgres_url: str) -> None:
    url = pg.with_database(postgres_url, "crossfade_no_such_db")
    env = clean_env(DATABASE_URL=url, DISCORD_TOKEN="x", CROSSFADE_SECRET_KEY=SERVER_KEY)
    result = crossfade("run", cwd=home, env=env)
    one_line(result, 1, "'crossfade_no_such_db' does not exist", "createdb")


def test_a_database_in_an_unwritable_place_is_one_line(home: Path) -> None:
    # /proc refuses new files even to root (a chmod'ed directory would not stop root).
    env = clean_env(DATABASE_URL="sqlite:////proc/crossfade.db", DISCORD_TOKEN="x")
    result = crossfade("run", cwd=home, env=env)
    one_line(result, 1, "cannot open the SQLite file /proc/crossfade.db", "writable")
    result = crossfade(
        "console",
        "--database",
        "sqlite:////proc/x.db",
        cwd=home,
        input="/crossfade help\n",
        stdin=None,
    )
    assert "cannot open the SQLite file /proc/x.db" in result.stderr
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_console_database_option_gets_the_url_fix_up_and_checks(home: Path) -> None:
    path = home / "kept.db"
    result = crossfade(
        "console",
        "--database",
        f"sqlite:///{path}",
        cwd=home,
        input="/crossfade timezone Europe/Berlin\n",
        stdin=None,
    )
    assert result.returncode == 0, result.stderr
    assert path.exists()
    result = crossfade("console", "--database", "mysql://x/y", cwd=home)
    one_line(result, 2, "--database:", "'mysql'", "e.g. --database postgresql://")


@pytest.mark.postgres
def test_console_database_option_takes_a_plain_postgresql_url(
    home: Path, postgres_url: str
) -> None:
    plain = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    result = crossfade(
        "console",
        "--database",
        plain,
        cwd=home,
        input="/crossfade help\n",
        stdin=None,
        env=clean_env(CROSSFADE_SECRET_KEY=SERVER_KEY),
    )
    assert result.returncode == 0, result.stderr
    assert "Commands:" in result.stdout


def test_discord_sync_without_network_is_one_line(home: Path) -> None:
    api = f"http://127.0.0.1:{free_port()}/api/v10"
    result = crossfade(
        "discord", "sync", cwd=home, env=clean_env(DISCORD_TOKEN="x", DISCORD_API_URL=api)
    )
    one_line(result, 1, "cannot reach Discord at", "DISCORD_API_URL")
