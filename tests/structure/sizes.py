"""Module and function sizes: no module over 400 lines and no function over 60 lines in
``bot/`` and ``adapters/``, migrations aside. ``python -m tests.structure.sizes [PATH…]``
lists what is over; the test in this folder fails on any."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
PACKAGES = ("bot", "adapters")


def sources(roots: list[Path] | None = None) -> Iterator[Path]:
    for root in roots or [ROOT / p for p in PACKAGES]:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if "migrations" not in path.parts:
                yield path


def oversized(path: Path) -> Iterator[str]:
    text = path.read_text()
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    lines = text.count("\n")
    if lines > MAX_MODULE_LINES:
        yield f"{name}: {lines} lines (module limit {MAX_MODULE_LINES})"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_FUNCTION_LINES:
                yield (
                    f"{name}:{node.lineno}: {node.name} is {length} lines "
                    f"(function limit {MAX_FUNCTION_LINES})"
                )


def all_oversized(roots: list[Path] | None = None) -> list[str]:
    return [problem for path in sources(roots) for problem in oversized(path)]


if __name__ == "__main__":
    found = all_oversized([Path(a).resolve() for a in sys.argv[1:]] or None)
    print("\n".join(found) or "all within limits")
    raise SystemExit(1 if found else 0)
