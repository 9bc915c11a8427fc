"""Problems found in content files, each pointing at a file, a line and a place in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["ContentError", "Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file. ``place`` reads like ``questions[measured].answers[1]``."""

    file: Path
    line: int | None
    place: str
    message: str

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f", line {self.line}"
        if self.place:
            where += f" ({self.place})"
        return f"{where}: {self.message}"


class ContentError(ValueError):
    """The content files cannot be used. ``str()`` is a message fit to print as it is: every
    problem on its own line, naming the file, the line and what is wrong.

    A ``ValueError``, so the CLI's start-up path prints it as a sentence, not a traceback."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self._describe())

    def _describe(self) -> str:
        if len(self.problems) == 1:
            return f"Content file problem: {self.problems[0]}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{len(self.problems)} content file problems:\n{lines}"
