"""Neutral UI → Discord within Discord's limits, degrading instead of failing."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord import limits
from adapters.discord.limits import clip
from adapters.discord.render import render_form, render_message, to_markdown
from adapters.discord.views import MORE, TEMPLATE
from bot.kernel.ui import (
    Button,
    Buttons,
    Divider,
    Field,
    Fields,
    File,
    Form,
    FormField,
    Image,
    Message,
    Option,
    Select,
    Text,
)


def _components(message: Message) -> list[dict[str, Any]]:
    rendered = render_message(message)
    return rendered.view.to_components() if rendered.view is not None else []


def test_light_markdown_becomes_discord_markdown() -> None:
    assert to_markdown("*bold* and _italic_ ~gone~") == "**bold** and _italic_ ~~gone~~"
    assert to_markdown("`*not bold*` *bold*") == "`*not bold*` **bold**"
    assert to_markdown("see <https://x.org|the docs>") == "see [the docs](https://x.org)"
    assert to_markdown("2 * 3 * 4") == "2 * 3 * 4"


def test_short_text_is_plain_content_and_long_text_an_embed() -> None:
    short = render_message(Message("hi", (Text("Hello *there*"),)))
    assert short.content == "Hello **there**" and not short.embeds
    long_text = "\n".join(f"line {n} " + "x" * 60 for n in range(100))
    long = render_message(Message("Summary", (Text(long_text),)))
    assert long.content == "Summary"
    (embed,) = long.embeds
    assert embed.description is not None
    assert len(embed.description) <= limits.EMBED_DESCRIPTION
    assert embed.description.endswith("…")


def test_fields_become_embed_fields_in_order() -> None:
    message = Message(
        "Settings",
        (
            Text("*Yours*"),
            Fields((Field("Zone", "Europe/Berlin"), Field("Days", "Mon–Fri"))),
            Divider(),
            Text("*Team*"),
            Fields(tuple(Field(f"k{n}", "v" * 2000) for n in range(30))),
        ),
    )
    rendered = render_message(message)
    assert [e.description for e in rendered.embeds] == ["**Yours**", "**Team**"]
    assert [f.name for f in rendered.embeds[0].fields] == ["Zone", "Days"]
    team = rendered.embeds[1]
    assert len(team.fields) <= limits.FIELDS
    assert all(len(f.value or "") <= limits.FIELD_VALUE for f in team.fields)
    assert sum(len(e) for e in rendered.embeds) <= limits.EMBED_TOTAL


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=9),
    select_options=st.integers(min_value=0, max_value=40),
    label=st.text(min_size=0, max_size=120),
)
def test_components_always_fit_and_nothing_is_lost_silently(
    rows: list[int], select_options: int, label: str
) -> None:
    blocks: list[Any] = [
        Buttons(tuple(Button(f"{label}{r}.{b}", "quiz:answer", f"{r}.{b}") for b in range(n)))
        for r, n in enumerate(rows)
    ]
    if select_options:
        options = tuple(Option(f"o{n}", str(n)) for n in range(select_options))
        blocks.append(Select("Pick", "personal:timezone", options))
    components = _components(Message("m", tuple(blocks)))
    assert len(components) <= limits.ROWS
    ids: list[str] = []
    for row in components:
        items = row["components"]
        assert len(items) <= limits.BUTTONS_PER_ROW
        if any(i["type"] == 3 for i in items):
            assert len(items) == 1  # a select fills its row
        for item in items:
            ids.append(item["custom_id"])
            assert len(item["custom_id"]) <= limits.CUSTOM_ID
            assert TEMPLATE.fullmatch(item["custom_id"])
            if item["type"] == 2:
                assert 1 <= len(item["label"]) <= limits.BUTTON_LABEL
            else:
                assert 1 <= len(item["options"]) <= limits.SELECT_OPTIONS
                assert all(len(o["label"]) <= limits.OPTION_LABEL for o in item["options"])
    assert len(ids) == len(set(ids)), "duplicate custom_id in one message"
    shown = [i["custom_id"] for row in components for i in row["components"] if i["type"] == 2]
    more = [i for row in components for i in row["components"] if i["custom_id"] == MORE]
    offered = shown + [o["value"] for m in more for o in m["options"]]
    keys = [f"quiz:answer|{r}.{b}" for r, n in enumerate(rows) for b in range(n)]
    if select_options:
        keys += [f"personal:timezone|{n}" for n in range(select_options)]
    if len(keys) - len(shown) <= limits.SELECT_OPTIONS:
        # every choice is offered: as a button, in its select, or in the "More…" select
        selects = [i for row in components for i in row["components"] if i["type"] == 3]
        in_selects = {
            f"{s['custom_id']}|{o['value']}"
            for s in selects
            if s["custom_id"] != MORE
            for o in s["options"]
        }
        assert set(keys) <= set(offered) | in_selects
    if sum(rows) <= 25 and not select_options:
        assert len(shown) == sum(rows) and not more  # packed, never hidden


def test_buttons_beyond_five_rows_move_into_a_more_select() -> None:
    buttons = tuple(Button(f"B{n}", "quiz:answer", str(n)) for n in range(27))
    components = _components(Message("m", (Buttons(buttons),)))
    assert len(components) == 5
    (more,) = components[-1]["components"]
    assert more["custom_id"] == MORE
    values = [o["value"] for o in more["options"]]
    assert values == [f"quiz:answer|{n}" for n in range(20, 27)]


def test_two_selects_with_one_action_get_distinct_ids() -> None:
    options = (Option("a", "1"), Option("b", "2"))
    components = _components(
        Message("m", (Select("x", "pulse:answer", options), Select("y", "pulse:answer", options)))
    )
    ids = [row["components"][0]["custom_id"] for row in components]
    assert ids == ["pulse:answer", "pulse:answer|~2"]


def test_images_and_files_are_attachments() -> None:
    rendered = render_message(
        Message("chart", (Image(b"\x89PNG", "Mood over a week"), File(b"{}", "me.json")))
    )
    assert [f.filename for f in rendered.files] == ["chart.png", "me.json"]
    assert rendered.files[0].description == "Mood over a week"
    assert rendered.content  # never an empty message


def test_forms_become_modals_with_labels_and_selects() -> None:
    fields = tuple(FormField(f"f{n}", f"Field number {n} " + "z" * 60) for n in range(7))
    form = Form(
        "pulse:create|123",
        "A title that is much too long for a Discord modal, surely",
        (
            FormField(
                "kind",
                "Answers",
                "select",
                initial="yesno",
                options=(Option("Scale", "scale"), Option("Yes / no", "yesno")),
            ),
            *fields,
        ),
    )
    payload = json.loads(json.dumps(render_form(form).to_dict()))
    assert payload["custom_id"] == "pulse:create|123"
    assert len(payload["title"]) <= limits.MODAL_TITLE
    assert len(payload["components"]) == limits.MODAL_COMPONENTS
    for label in payload["components"]:
        assert label["type"] == 18
        assert len(label["label"]) <= limits.LABEL_TEXT
    select = payload["components"][0]["component"]
    assert select["type"] == 3 and select["custom_id"] == "kind"
    assert [o["default"] for o in select["options"]] == [False, True]
    text = payload["components"][1]["component"]
    assert text["type"] == 4 and text["max_length"] == 200


@given(st.text(max_size=300), st.integers(min_value=1, max_value=120))
def test_clip_never_exceeds_the_limit(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith("…")
