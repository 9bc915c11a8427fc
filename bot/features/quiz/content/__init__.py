"""The quiz's content: questions, results and tips as YAML files beside this package,
validated at load (see ``docs/quiz.md``). A team's edited or translated copies in
``CROSSFADE_CONTENT_DIR`` take their place file by file."""

from __future__ import annotations

from bot.features.quiz.content.loader import BUILTIN_DIR, Content, get_content, load_content

__all__ = ["BUILTIN_DIR", "Content", "get_content", "load_content"]
