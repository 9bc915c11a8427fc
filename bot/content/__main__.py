"""``python -m bot.content [DIR]``: validate content files and say what is wrong, or OK."""

from __future__ import annotations

import os
import sys

from bot.content.errors import ContentError
from bot.content.loader import load_content


def main(argv: list[str] | None = None) -> int:
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


if __name__ == "__main__":
    raise SystemExit(main())
