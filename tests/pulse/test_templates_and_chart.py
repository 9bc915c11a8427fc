"""Pulse templates are validated at load with errors that name file, line and place; the
results chart is a readable PNG; the pulse schema matches its migration."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.content.errors import ContentError
from bot.features.pulse.chart import render_results_chart, render_trend_chart
from bot.features.pulse.tally import Tally
from bot.features.pulse.templates import load_pulse_templates
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Base


def test_the_built_in_templates_load_and_cover_the_source_questions() -> None:
    templates = load_pulse_templates()
    questions = {t.id: t.question for t in templates}
    assert questions["workload"] == "Is your workload sustainable?"
    assert "disconnect" in questions and "boundaries" in questions and "self_care" in questions
    assert questions["fit"].startswith("Balance, integration or something in between")
    for template in templates:
        spec = template.spec
        assert 2 <= len(spec.options) <= 10
        assert template.about


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pulse_templates.yaml").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("body", "line", "expected"),
    [
        (
            "templates:\n  - id: a\n    question: Q?\n    kind: yesno\n  - id: a\n"
            "    question: R?\n    kind: yesno\n",
            5,
            "the id `a` is used twice",
        ),
        (
            "templates:\n  - id: a\n    question: Q?\n    kind: yesno\n    options: [x, y]\n",
            5,
            "has fixed answers",
        ),
        (
            "templates:\n  - id: a\n    question: Q?\n    kind: options\n    options: [Yes, No]\n",
            5,
            'put it in quotes, e.g. "No"',
        ),
        (
            "templates:\n  - id: a\n    question: Q?\n    kind: options\n    options: [x, X]\n",
            5,
            "appears twice",
        ),
        (
            "templates:\n  - id: a\n    question: Q?\n    kind: options\n    options: [x]\n",
            5,
            "at least 2 options",
        ),
        ("templates:\n  - id: a\n    question: Q?\n    kind: vote\n", 4, "kind"),
        ("templates:\n  - id: Bad-Id\n    question: Q?\n    kind: yesno\n", 2, "not a valid id"),
        ("templates:\n  - id: a\n    kind: yesno\n", 2, "`question` is missing"),
        (
            "templates:\n  - id: a\n    question: Q?\n    kind: yesno\n    legend: 1 = x\n",
            5,
            "only applies to kind: scale",
        ),
        ("templates: [\n", 2, "not valid YAML"),
    ],
)
def test_mistakes_in_the_file_are_reported_with_their_line(
    tmp_path: Path, body: str, line: int, expected: str
) -> None:
    with pytest.raises(ContentError) as raised:
        load_pulse_templates(write(tmp_path, body))
    message = str(raised.value)
    assert "pulse_templates.yaml" in message
    assert f"line {line}" in message, message
    assert expected in message, message


def test_a_missing_content_directory_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="does not exist"):
        load_pulse_templates(tmp_path / "nope")


def test_a_team_copy_replaces_the_built_in_file(tmp_path: Path) -> None:
    body = "templates:\n  - id: energie\n    question: Wie ist deine Energie?\n    kind: scale\n"
    templates = load_pulse_templates(write(tmp_path, body))
    assert templates.ids == ("energie",)
    assert templates.get("ENERGIE") is not None


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_results_chart_is_a_chat_sized_png() -> None:
    tally = Tally(("Yes", "No"), (3, 2))
    width, height = _png_size(render_results_chart(tally, question="Q?", subtitle="5 answers"))
    assert width == 800 and 200 <= height <= 800
    ten = Tally(tuple(f"Option {i}" for i in range(10)), tuple(range(10)))
    width, height = _png_size(render_results_chart(ten, question="A long question " * 10))
    assert width == 800 and height <= 800
    zero = Tally(("Yes", "No"), (0, 0))
    assert _png_size(render_results_chart(zero, question="Q?"))[0] == 800


def test_trend_chart_is_a_png() -> None:
    png = render_trend_chart(
        [("Q", [("02 Mar", 3.0), ("16 Mar", 2.5)])],
        weeks=["02 Mar", "09 Mar", "16 Mar"],
        title="Trend",
        unit="average (1–5)",
        limits=(1, 5),
    )
    assert _png_size(png)[0] == 800
    assert io.BytesIO(png).getbuffer().nbytes > 1000


async def test_pulse_models_match_the_migration(any_db: Database) -> None:
    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return [d for d in compare_metadata(context, Base.metadata) if "pulse" in repr(d)]

    async with any_db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
