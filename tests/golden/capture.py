"""Golden outputs: what a person and a platform see, frozen so that a change of structure is
proved to change nothing. ``python -m tests.golden.capture --write`` regenerates the files in
``tests/golden/files/`` after a deliberate change of wording; review the diff before committing.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.support.console import EXAMPLES, transcript

FILES = Path(__file__).with_name("files")
# A file's size depends on library versions and on stored wall-clock times (the database fills
# in `created_at`), not on the words: it is masked, as in docs/messages.md.
_BYTES = re.compile(r"\b[\d,]+ bytes\]")


def _stable(text: str) -> str:
    return _BYTES.sub("… bytes]", text)


def help_script() -> str:
    """``help`` and ``help <command>`` for every command the router knows."""
    from bot.bootstrap import build_router

    lines = ["/crossfade help"]
    lines += [f"/crossfade help {name}" for name in sorted(build_router().commands)]
    return "\n".join(lines) + "\n"


def _help() -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as script:
        script.write(help_script())
    try:
        return _stable(transcript("--script", script.name))
    finally:
        Path(script.name).unlink()


def _discord_commands() -> str:
    from adapters.discord.sync import command_payload
    from bot.bootstrap import build_router

    return (
        json.dumps(command_payload(build_router()), indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )


def _manifest(url: str | None) -> Callable[[], str]:
    def render() -> str:
        from adapters.slack.manifest import render_manifest
        from bot.bootstrap import build_router

        return render_manifest(url, router=build_router())

    return render


def _example(path: Path) -> Callable[[], str]:
    return lambda: _stable(transcript("--script", str(path)))


def _restart() -> str:
    """The two halves of the quiz-restart example on one database, as two processes."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite+aiosqlite:///{folder}/restart.db"
        halves = [
            transcript("--database", database, "--script", str(EXAMPLES / f"quiz-restart-{n}.txt"))
            for n in (1, 2)
        ]
    return _stable("\n=== (a new process) ===\n".join(halves))


def producers() -> Iterator[tuple[str, Callable[[], str]]]:
    """(golden file name, how to produce its current text), in a stable order."""
    yield "help.txt", _help
    yield "discord_commands.json", _discord_commands
    yield "slack_manifest_socket.yml", _manifest(None)
    yield "slack_manifest_http.yml", _manifest("https://bot.example")
    for example in sorted(EXAMPLES.glob("*.txt")):
        if not example.stem.startswith("quiz-restart-"):
            yield f"example_{example.stem}.txt", _example(example)
    yield "example_quiz-restart.txt", _restart


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the golden files")
    args = parser.parse_args()
    FILES.mkdir(exist_ok=True)
    for name, produce in producers():
        text = produce()
        path = FILES / name
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        if args.write and changed:
            path.write_text(text, encoding="utf-8")
        state = "written" if args.write and changed else "changed" if changed else "same"
        print(f"{state}: {name}")


if __name__ == "__main__":
    main()
