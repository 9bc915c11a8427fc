"""Pulse templates (``pulse_templates.yaml``): ready-made questions, validated at load.

Read with the generic YAML reader of :mod:`bot.content`, so a mistake is reported with the
file, the line and the place (``templates[fit].options[2]: …``). ``CROSSFADE_CONTENT_DIR``
may hold a team's edited or translated copy; otherwise the built-in file in ``bot/content/``
is used. Each template is checked with the same rules as a typed ``pulse ask``
(:mod:`bot.features.pulse.spec`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.content.errors import ContentError, Problem
from bot.content.loader import require_directory, resolve_file
from bot.content.yamlfile import ParsedFile, parse_yaml, read_model
from bot.domain.parsing import InputError
from bot.features.pulse.spec import MAX_OPTIONS, MAX_QUESTION_LENGTH, PollSpec, build_spec

__all__ = [
    "PULSE_TEMPLATES_FILE",
    "PulseTemplate",
    "PulseTemplates",
    "get_pulse_templates",
    "load_pulse_templates",
]

PULSE_TEMPLATES_FILE = "pulse_templates.yaml"

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,23}$")]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PulseTemplate(_Strict):
    """One ready question. ``spec`` is the poll it asks."""

    id: Ident
    question: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION_LENGTH)
    ]
    kind: Literal["scale", "yesno", "options"]
    options: tuple[str, ...] = Field(default=(), max_length=MAX_OPTIONS)
    legend: Line | None = None
    about: Line | None = None

    @property
    def spec(self) -> PollSpec:
        return build_spec(self.question, self.kind, self.options, self.legend or "")


class _File(_Strict):
    templates: tuple[PulseTemplate, ...] = Field(min_length=1)


class PulseTemplates:
    """The validated templates, in file order, looked up by id."""

    def __init__(self, templates: tuple[PulseTemplate, ...], path: Path) -> None:
        self.templates = templates
        self.path = path
        self._by_id = {t.id: t for t in templates}

    def __iter__(self) -> Iterator[PulseTemplate]:
        return iter(self.templates)

    def __len__(self) -> int:
        return len(self.templates)

    def get(self, template_id: str) -> PulseTemplate | None:
        return self._by_id.get(template_id.strip().lower())

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)


def _check(parsed: ParsedFile, data: _File) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, template in enumerate(data.templates):
        if template.id in seen:
            problems.append(
                parsed.problem(("templates", index, "id"), f"the id `{template.id}` is used twice")
            )
        seen.add(template.id)
        if template.kind != "options" and template.options:
            problems.append(
                parsed.problem(
                    ("templates", index, "options"),
                    f"a `{template.kind}` question has fixed answers; remove `options` or use "
                    "kind: options",
                )
            )
            continue
        if template.kind != "scale" and template.legend:
            problems.append(
                parsed.problem(
                    ("templates", index, "legend"), "`legend` only applies to kind: scale"
                )
            )
            continue
        try:
            template.spec  # noqa: B018 - runs the same validation as a typed `pulse ask`
        except InputError as error:
            problems.append(parsed.problem(("templates", index, "options"), str(error)))
    return problems


def load_pulse_templates(directory: str | Path | None = None) -> PulseTemplates:
    """Read and validate the templates; raise :class:`ContentError` naming every problem
    (file, line, place, what is wrong)."""
    require_directory(directory)
    path = resolve_file(PULSE_TEMPLATES_FILE, directory)
    parsed = parse_yaml(path)
    data = read_model(parsed, _File)
    problems = _check(parsed, data)
    if problems:
        raise ContentError(problems)
    return PulseTemplates(data.templates, path)


@lru_cache(maxsize=8)
def _cached(directory: str) -> PulseTemplates:
    return load_pulse_templates(directory or None)


def get_pulse_templates(directory: str | Path | None = None) -> PulseTemplates:
    """The templates for ``directory`` (``""``/``None`` = built-in), loaded once per process."""
    return _cached(str(directory or ""))
