"""The server key: keygen, the PostgreSQL start-up error, SQLite's key file, rotation."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.security.keys import (
    MissingServerKey,
    generate_key,
    key_file_for,
    load_server_keys,
    parse_keys,
)
from bot.security.secrets import SecretUnreadable, decrypt_secret, encrypt_secret


def test_keygen_prints_a_new_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen"]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["keygen"]) == 0
    second = capsys.readouterr().out.strip()
    assert first != second
    assert len(parse_keys(first).keys[0]) == 32


def test_postgres_without_a_key_is_one_clear_startup_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CROSSFADE_SECRET_KEY", raising=False)
    # A port nobody listens on: the key check comes before any connection.
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:9/none")
    monkeypatch.setenv("CROSSFADE_PLATFORMS", "slack")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    # A missing key is a configuration problem, checked with every setting: exit 2.
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "CROSSFADE_SECRET_KEY: is empty" in err and "crossfade keygen" in err
    assert "Traceback" not in err


def test_a_bad_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(MissingServerKey) as raised:
        parse_keys("not-a-key-but-a-secret-fragment")
    assert "secret-fragment" not in str(raised.value)
    with pytest.raises(MissingServerKey):
        load_server_keys(" , ", "postgresql+asyncpg://x/y")


def test_sqlite_creates_an_owner_only_key_file_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crossfade.db'}"
    path = key_file_for(url)
    assert path == tmp_path / "crossfade.db.key"
    with caplog.at_level(logging.WARNING, logger="bot.security.keys"):
        first = load_server_keys("", url)
        second = load_server_keys("", url)
    assert first.keys == second.keys
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    said = [r for r in caplog.records if "created the server key" in r.getMessage()]
    assert len(said) == 1
    # the message names the file, never the key
    assert path.read_text().strip() not in caplog.text


def test_a_set_key_wins_over_the_key_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crossfade.db'}"
    key = generate_key()
    assert load_server_keys(key, url).keys == parse_keys(key).keys
    assert not (tmp_path / "crossfade.db.key").exists()


def test_in_memory_sqlite_gets_a_process_key() -> None:
    assert key_file_for("sqlite+aiosqlite://") is None
    assert len(load_server_keys("", "sqlite+aiosqlite://").keys) == 1


def test_secrets_survive_rotation_and_refuse_a_foreign_key() -> None:
    old, new = generate_key(), generate_key()
    token = encrypt_secret("xoxb-123", parse_keys(old))
    assert "xoxb" not in token
    rotated = parse_keys(f"{new},{old}")
    assert decrypt_secret(token, rotated) == "xoxb-123"
    assert rotated.current_id != parse_keys(old).current_id
    assert rotated.ids[1] == parse_keys(old).current_id
    with pytest.raises(SecretUnreadable):
        decrypt_secret(token, parse_keys(new))


def test_subkeys_differ_by_purpose_and_key() -> None:
    keys = parse_keys(f"{generate_key()},{generate_key()}")
    a = keys.subkey("pulse-participation")
    assert a != keys.subkey("secrets-at-rest")
    assert a != keys.subkey("pulse-participation", keys.ids[1])
    assert keys.subkey("pulse-participation", keys.ids[0]) == a
    with pytest.raises(KeyError):
        keys.subkey("x", "000000000000")
    assert "ServerKeys(ids=" in repr(keys) and str(keys.keys[0]) not in repr(keys)
