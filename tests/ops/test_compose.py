"""The Compose file and the Dockerfile as an operator uses them (no Docker here: the parts
that can be run — the keygen one-shot's shell — are run; the rest is read)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.security.keys import parse_keys
from tests.ops.support import ROOT


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_scaling_does_not_collide_on_host_ports() -> None:
    bot = _compose()["services"]["bot"]
    for mapping in bot["ports"]:
        host, _, container = str(mapping).rpartition(":")
        assert container == "3000"
        first, dash, last = host.partition("-")
        assert dash and int(last) > int(first), "a fixed host port cannot be scaled"


def test_the_bot_waits_for_its_key_and_schema_and_is_health_checked() -> None:
    services = _compose()["services"]
    depends = services["bot"]["depends_on"]
    assert depends["keygen"]["condition"] == "service_completed_successfully"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "./.env:/app/.env:ro" in services["bot"]["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "/healthz" in dockerfile.split("HEALTHCHECK", 1)[1]
    assert "2.24" in (ROOT / "README.md").read_text(encoding="utf-8")


def _keygen(env_file: Path) -> str:
    script = _compose()["services"]["keygen"]["command"][0]
    script = script.replace("$$", "$").replace("/app/.env", str(env_file))
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env={**os.environ, "PATH": path}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_keygen_one_shot_writes_a_key_once(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    shutil.copy(ROOT / ".env.example", env_file)
    assert "wrote a new CROSSFADE_SECRET_KEY" in _keygen(env_file)
    lines = env_file.read_text().splitlines()
    keys = [line for line in lines if line.startswith("CROSSFADE_SECRET_KEY=")]
    assert len(keys) == 1
    parse_keys(keys[0].split("=", 1)[1])  # a real key
    assert "DATABASE_URL=sqlite+aiosqlite:///./crossfade.db" in lines  # the rest kept
    assert _keygen(env_file) == ""  # the second `up` leaves it alone
    assert env_file.read_text().splitlines() == lines
