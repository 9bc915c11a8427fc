"""Finding content files: a team's edited or translated copy, else the built-in one.

``CROSSFADE_CONTENT_DIR`` may hold copies of any content file (the quiz's, the pulse
templates); each file is looked up there first and falls back to the built-in one, one file
at a time. A feature keeps its built-in files beside its code and names that folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.content.errors import ContentError, Problem

__all__ = ["BUILTIN_DIR", "require_directory", "resolve_file"]

log = logging.getLogger(__name__)

# The built-in files kept here rather than beside a feature (the pulse templates).
BUILTIN_DIR = Path(__file__).parent


def resolve_file(name: str, directory: str | Path | None, *, builtin: Path = BUILTIN_DIR) -> Path:
    """``name`` in ``directory`` when it is there, else the built-in file in ``builtin``."""
    if directory:
        candidate = Path(directory) / name
        if candidate.is_file():
            return candidate
        log.info("%s not in %s; using the built-in one", name, directory)
    return builtin / name


def require_directory(directory: str | Path | None) -> None:
    """A content directory that does not exist is an error, so that a typo in
    ``CROSSFADE_CONTENT_DIR`` is not silently replaced by the built-in files."""
    if directory and not Path(directory).is_dir():
        raise ContentError(
            [
                Problem(
                    Path(directory),
                    None,
                    "",
                    "CROSSFADE_CONTENT_DIR names a directory that does not exist",
                )
            ]
        )
