"""The supply chain, read statically (no Docker engine here): the image installs exactly the
hashed lock file, its base images are pinned by digest, the lock agrees with pyproject's
floors, and no floor admits a version with a known fix missing."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def _lock() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {
        m.group(1).lower(): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)
    }


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def test_the_dockerfile_installs_the_lock_with_hashes_and_nothing_else() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert froms and all(DIGEST.search(line.split()[1]) for line in froms), froms
    installs = [line for line in lines if "pip install" in line]
    assert installs[0] == "RUN pip install --require-hashes --no-deps -r requirements.lock"
    # the project itself: no dependency resolution and no isolated build that would fetch
    # unhashed packages
    for line in installs[1:]:
        assert "--no-deps" in line and "--no-build-isolation" in line, line
    copy_lock = lines.index("COPY requirements.lock ./")
    assert copy_lock < lines.index(installs[0])


def test_compose_images_are_pinned_by_digest() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    images = re.findall(r"^\s*image:\s*(\S+)", text, re.M)
    assert images and all(DIGEST.search(image) for image in images), images


def test_every_line_of_the_lock_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
    assert len(blocks) > 20
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)


def test_the_lock_satisfies_pyproject_and_the_build_backend() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    locked = _lock()
    for requirement in project["project"]["dependencies"]:
        name = re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        name = {"discord.py": "discord-py"}.get(name, name)
        assert name in locked or name.replace("-", "_") in locked, f"{name} is not locked"
        floor = re.search(r">=\s*([0-9.]+)", requirement)
        if floor:
            assert _version(locked[name]) >= _version(floor.group(1)), requirement
    assert {"setuptools", "wheel"} <= set(locked)  # the Dockerfile builds without fetching


def test_floors_are_past_the_known_fixes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    floors = {
        re.split(r"[\[<>=!~ ]", r, maxsplit=1)[0].lower(): _version(m.group(1))
        for r in project["project"]["dependencies"]
        if (m := re.search(r">=\s*([0-9.]+)", r))
    }
    # request smuggling (GHSA-8495-4g3g-x7pr, 3.10.11; GHSA-9548-qrrj-x5pj, 3.12.14) and the
    # zip bomb in auto_decompress (GHSA-6mq8-rvhq-8wgg, 3.13.3)
    assert floors["aiohttp"] >= (3, 13, 3)
    assert floors["pillow"] >= (11, 3)  # CVE-2025-48379
    build = project["build-system"]["requires"]
    assert any(_version(r) >= (78, 1, 1) for r in build if r.startswith("setuptools"))
