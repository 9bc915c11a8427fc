"""Quiz questions and tips as data files, validated at load (see ``docs/quiz.md``).

``python -m bot.content [DIR]`` checks a directory of edited or translated files.
"""

from __future__ import annotations

from bot.content.errors import ContentError, Problem
from bot.content.loader import BUILTIN_DIR, Content, get_content, load_content

__all__ = ["BUILTIN_DIR", "Content", "ContentError", "Problem", "get_content", "load_content"]
