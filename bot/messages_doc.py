"""``docs/messages.md``: every text the bot can send, in one document, for reading in one go.

Two parts:

1. **Conversations** — console transcripts of scripted tours through every flow (the
   examples plus ``docs/messages_tour.txt``, which walks the error answers too), exactly as a
   person reads them.
2. **Every sentence in the code** — each user-facing string in the flows and the parsers,
   found by reading the source (``ast``), grouped by module and function. Placeholders show
   the expression they are filled from, ``{format_clock(at)}``; so an answer no tour reaches
   is still reviewed.

``python -m bot.messages_doc`` rewrites the file; ``--check`` exits 1 when it is out of date
(a test runs the same check, so CI fails until it is regenerated).
"""

from __future__ import annotations

import ast
import asyncio
import io
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ROOT", "TARGET", "main", "render"]

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "messages.md"
TOURS = (
    ("The tour: every flow and its answers to mistakes", ROOT / "docs" / "messages_tour.txt"),
    ("Foundation", ROOT / "examples" / "foundation.txt"),
    ("The quiz", ROOT / "examples" / "quiz.txt"),
    ("A week of check-ins", ROOT / "examples" / "checkin_week.txt"),
    ("Pulse polls", ROOT / "examples" / "pulse.txt"),
    ("Weekly pulses", ROOT / "examples" / "pulse_weekly.txt"),
    ("A pulse waits for the working window", ROOT / "examples" / "pulse_window.txt"),
)
SOURCES = (
    "bot/features",
    "bot/domain",
    "bot/kernel/app.py",
    "bot/kernel/grammar.py",
    "bot/kernel/syntax.py",
    "bot/kernel/arguments.py",
)
# Calls whose strings are for developers and operators, never for a person in chat.
_QUIET_CALLS = {"debug", "info", "warning", "error", "exception", "ValueError", "RuntimeError"}
_QUIET_CALLS |= {"TypeError", "KeyError", "AssertionError", "getLogger", "select", "text"}
_BYTES = re.compile(r"\b[\d,]+ bytes\]")


# --- part 1: conversations ------------------------------------------------------------------


async def _transcript(script: Path, lines: list[str]) -> str:
    from adapters.console.runner import run_script, script_clock
    from bot.bootstrap import build
    from bot.kernel.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'tour.db'}"
        settings = Settings(DATABASE_URL=url, _env_file=None)  # type: ignore[call-arg]
        services = await build(settings, clock=script_clock())
        out = io.StringIO()
        try:
            await run_script(services, lines, name=script.name, out=out)
        finally:
            await services.close()
    # Image and file sizes depend on library versions, not on the words: leave them out.
    return _BYTES.sub("… bytes]", out.getvalue())


def _lines(script: Path) -> list[str]:
    return script.read_text().splitlines()


# --- part 2: every sentence in the code -----------------------------------------------------


def _render(node: ast.expr) -> str | None:
    """The text of a string expression, placeholders as ``{expression}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                spec = _render(value.format_spec) if value.format_spec else None
                parts.append("{" + ast.unparse(value.value) + (f":{spec}" if spec else "") + "}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _render(node.left), _render(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _is_sentence(text: str) -> bool:
    """Words for people: at least two words and a letter; not an id, path, SQL or format."""
    stripped = text.strip()
    if len(stripped) < 8 or " " not in stripped or not re.search(r"[A-Za-z]", stripped):
        return False
    return not re.match(r"^(SELECT|INSERT|UPDATE|DELETE|%|\^|\(\?)", stripped)


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _quiet(tree: ast.Module) -> set[int]:
    """Ids of the nodes inside log calls, developer exceptions, asserts and regexes."""
    found: set[int] = set()
    for node in ast.walk(tree):
        inside: ast.AST | None = None
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = name or (node.func.id if isinstance(node.func, ast.Name) else "")
            if name in _QUIET_CALLS or name in {"compile", "match", "fullmatch", "sub"}:
                inside = node
        elif isinstance(node, ast.Assert):
            inside = node
        if inside is not None:
            found |= {id(child) for child in ast.walk(inside)}
    return found


def _sentences(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, function, text) for each user-facing string in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    skip = _docstrings(tree) | _quiet(tree)
    owners: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for child in ast.walk(node):
                owners.setdefault(id(child), node.name)
    seen: set[int] = set()
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in seen or not isinstance(node, ast.expr):
            continue
        text = _render(node)
        if text is None:
            continue
        seen |= {id(child) for child in ast.walk(node)}
        if _is_sentence(text):
            yield node.lineno, owners.get(id(node), "(module)"), " ".join(text.split())


def _source_files() -> list[Path]:
    files: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _code_part() -> list[str]:
    lines: list[str] = []
    for path in _source_files():
        found = sorted(set(_sentences(path)))
        if not found:
            continue
        lines += ["", f"### `{path.relative_to(ROOT)}`", ""]
        current = ""
        for _, func, text in found:
            if func != current:
                lines.append(f"- **{func}**")
                current = func
            lines.append(f"  - {text}")
    return lines


# --- the document ---------------------------------------------------------------------------


async def render() -> str:
    """The whole document, as it must read in ``docs/messages.md``."""
    lines = [
        "# Every message Crossfade sends",
        "",
        "Generated by `python -m bot.messages_doc` (a test fails when it is out of date). Read it",
        "for one voice: short, warm, concrete, no jargon, no blame. Change the words in the code",
        "(or the content files), then regenerate.",
        "",
        "## Part 1 — Conversations",
    ]
    for title, script in TOURS:
        transcript = await _transcript(script, _lines(script))
        rel = script.relative_to(ROOT)
        lines += ["", f"### {title} (`{rel}`)", "", "```text", transcript.rstrip(), "```"]
    lines += ["", "## Part 2 — Every sentence in the code"]
    lines += _code_part()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = asyncio.run(render())
    if "--check" in args:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != text:
            sys.stderr.write(f"{TARGET} is out of date: run `python -m bot.messages_doc`.\n")
            return 1
        return 0
    TARGET.write_text(text)
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
