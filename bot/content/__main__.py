"""``python -m bot.content [DIR]``: validate content files and say what is wrong, or OK.

An entry point kept here for its documented name. The files it checks belong to the quiz
feature, which does the work; this is the one import from ``bot.content`` upward, declared in
the import contracts of ``pyproject.toml`` (an entry point may know a feature).
"""

from __future__ import annotations

from bot.features.quiz.content.check import main

if __name__ == "__main__":
    raise SystemExit(main())
