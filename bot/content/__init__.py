"""What every feature's content files share: reading YAML into a pydantic model with errors
that name the file, the line and the place (:mod:`bot.content.yamlfile`), those errors
(:class:`ContentError`, :class:`Problem`), and finding a file in ``CROSSFADE_CONTENT_DIR`` or
among the built-in ones (:mod:`bot.content.loader`).

The files themselves belong to their features (the quiz's questions and tips, the pulse
templates). ``python -m bot.content [DIR]`` checks a directory of edited or translated files.
"""

from __future__ import annotations

from bot.content.errors import ContentError, Problem
from bot.content.loader import BUILTIN_DIR, require_directory, resolve_file
from bot.content.yamlfile import ParsedFile, parse_yaml, read_model

__all__ = [
    "BUILTIN_DIR",
    "ContentError",
    "ParsedFile",
    "Problem",
    "parse_yaml",
    "read_model",
    "require_directory",
    "resolve_file",
]
