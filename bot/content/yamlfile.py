"""Reading one YAML file into a pydantic model, with errors that name the line and place.

PyYAML gives us a node tree with line marks; pydantic gives error locations as paths
(``("questions", 2, "answers", 0, "score")``). Walking the path through the node tree turns
each error into "quiz.yaml, line 41 (questions[dinner].answers[reply].score): …". Every
feature's content files (the quiz's, the pulse templates) are read with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.content.errors import ContentError, Problem

__all__ = ["ParsedFile", "parse_yaml", "read_model"]

M = TypeVar("M", bound=BaseModel)
Loc = Sequence[int | str]

_MAX_PROBLEMS = 20


@dataclass(frozen=True)
class ParsedFile:
    """A YAML file's data and its node tree (for line numbers)."""

    path: Path
    data: Any
    node: yaml.Node

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest place along ``loc`` that exists (1-based): the line of
        its key for mapping entries (``thresholds:``, not the first line below it)."""
        node = self.node
        line = int(node.start_mark.line) + 1
        for segment in loc:
            found = _child(node, segment)
            if found is None:
                break
            marker, node = found
            line = int(marker.start_mark.line) + 1
        return line

    def place_of(self, loc: Loc) -> str:
        """``loc`` as a readable path, naming list items by their ``id`` when they have one."""
        parts: list[str] = []
        value = self.data
        for segment in loc:
            if segment == "[key]":
                continue
            if isinstance(segment, int):
                item = value[segment] if isinstance(value, list) and segment < len(value) else None
                name = item.get("id") if isinstance(item, dict) else None
                label = str(name) if isinstance(name, str) and name else f"#{segment + 1}"
                parts.append(f"[{label}]")
                value = item
            else:
                parts.append(f".{segment}" if parts else str(segment))
                value = value.get(segment) if isinstance(value, dict) else None
        return "".join(parts)

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.path, self.line_of(loc), self.place_of(loc), message)


def _child(node: yaml.Node, segment: int | str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (node to point at, node to descend into) for one step of a location."""
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        for key, value in pairs:
            if isinstance(key, yaml.ScalarNode) and key.value == str(segment):
                return key, value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(segment, int) and segment >= 0:
        items: list[yaml.Node] = node.value
        return (items[segment], items[segment]) if segment < len(items) else None
    return None


def _duplicate_keys(path: Path, node: yaml.Node) -> list[Problem]:
    """PyYAML keeps the last of two equal keys silently; a translator would never notice."""
    problems: list[Problem] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    line = int(key.start_mark.line) + 1
                    if key.value in seen:
                        problems.append(
                            Problem(
                                path,
                                line,
                                "",
                                f"the key `{key.value}` appears twice in the same block "
                                f"(first on line {seen[key.value]}); keep one",
                            )
                        )
                    else:
                        seen[key.value] = line
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(problems, key=lambda p: p.line or 0)


def parse_yaml(path: Path) -> ParsedFile:
    """Read and parse ``path``; raise :class:`ContentError` for unreadable or invalid YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(path, None, "", "the file does not exist")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError([Problem(path, None, "", f"cannot be read ({error})")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        what = error.problem or "invalid YAML"
        if error.context:
            what = f"{error.context}, {what}"
        column = f" (column {int(mark.column) + 1})" if mark is not None else ""
        raise ContentError([Problem(path, line, "", f"not valid YAML: {what}{column}")]) from None
    except yaml.YAMLError as error:
        raise ContentError([Problem(path, None, "", f"not valid YAML: {error}")]) from None
    if node is None:
        raise ContentError([Problem(path, None, "", "the file is empty")])
    if not isinstance(data, dict):
        raise ContentError(
            [Problem(path, int(node.start_mark.line) + 1, "", "the file must be a mapping of keys")]
        )
    duplicates = _duplicate_keys(path, node)
    if duplicates:
        raise ContentError(duplicates)
    return ParsedFile(path, data, node)


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    loc = error["loc"]
    last = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f"`{last}` is missing"
    if kind == "extra_forbidden":
        return f"unknown key `{last}` (check the spelling; unknown keys are not allowed)"
    if kind == "string_pattern_mismatch":
        return (
            f"“{error.get('input')}” is not a valid id: use lower-case letters, digits and _, "
            "starting with a letter, at most 24 characters"
        )
    if kind == "string_type":
        return _not_text(error.get("input"))
    found = error.get("input")
    message = str(error["msg"]).replace("Input should be", "should be")
    if (
        isinstance(found, int | float | str)
        and len(str(found)) <= 40
        and kind
        not in (
            "string_too_long",
            "string_too_short",
        )
    ):
        return f"{message} (found: {found!r})"
    if kind in ("string_too_long", "string_too_short") and isinstance(error.get("input"), str):
        return f"{message} (it has {len(str(found).strip())})"
    return message


def _not_text(value: object) -> str:
    # YAML 1.1 turns bare yes/no/on/off into booleans and 1.0 into a number, which surprises
    # anyone writing a button label such as "No".
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif value is None:
        shown = "nothing (an empty value)"
    elif isinstance(value, int | float):
        shown = f"the number {value}"
    else:
        return "this should be text"
    return f'this should be text, but YAML read it as {shown}: put it in quotes, e.g. "No"'


def _without_echoes(details: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop "too few items" on a list whose items have errors of their own: pydantic counts
    only the valid items, so one bad score would also report "at least 8 questions"."""
    locs = [tuple(d["loc"]) for d in details]

    def echoes(detail: ErrorDetails) -> bool:
        loc = tuple(detail["loc"])
        return detail["type"] in ("too_short", "too_long") and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in locs
        )

    return [d for d in details if not echoes(d)]


def read_model(parsed: ParsedFile, model: type[M]) -> M:
    """Validate ``parsed.data`` as ``model``; raise :class:`ContentError` naming every
    problem's line and place."""
    try:
        return model.model_validate(parsed.data)
    except ValidationError as error:
        details = _without_echoes(error.errors(include_url=False))
        problems = [
            parsed.problem(list(detail["loc"]), _message(detail))
            for detail in details[:_MAX_PROBLEMS]
        ]
        raise ContentError(problems) from None
