"""``python -m bot.content [DIR]``: check a directory of content files, say what is wrong or
OK. The files it checks are the quiz's (questions, results, tips), so the work is done here;
``bot/content/__main__.py`` keeps the documented command."""

from __future__ import annotations

import os
import sys

from bot.content.errors import ContentError
from bot.features.quiz.content.loader import load_content

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Exit status 0 and one line of figures when the files are sound; 1 and every problem
    (file, line, place) on stderr when not."""
    args = sys.argv[1:] if argv is None else argv
    directory = args[0] if args else os.environ.get("CROSSFADE_CONTENT_DIR", "")
    try:
        content = load_content(directory or None)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    files = ", ".join(str(p) for p in content.files.values())
    print(
        f"OK: {len(content.questions)} questions, {len(content.tips)} tips ({files}); "
        f"totals run from {content.total_range[0]} to {content.total_range[1]}."
    )
    return 0
