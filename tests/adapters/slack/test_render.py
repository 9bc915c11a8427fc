"""Rendering the neutral UI as Block Kit: Slack's limits hold for any message."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.inbound import view_metadata
from adapters.slack.render import (
    LIMITS,
    TRUNCATED_NOTE,
    escape,
    form_id_from_callback,
    modal_errors,
    read_modal_values,
    render_home,
    render_message,
    render_modal,
)
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
    split_action_id,
)

words = st.text(min_size=0, max_size=120)
long_text = st.text(min_size=0, max_size=9000)
actions = st.from_regex(r"[a-z]{1,10}:[a-z]{1,10}", fullmatch=True)
values = st.text(alphabet="abcdefghij0123456789|-", max_size=40)
buttons = st.builds(
    Button, words, actions, values, st.sampled_from(["default", "primary", "danger"])
)
blocks = st.one_of(
    st.builds(Text, long_text),
    st.builds(Buttons, st.lists(buttons, min_size=1, max_size=40).map(tuple)),
    st.builds(
        Select,
        words,
        actions,
        st.lists(st.builds(Option, words, values), min_size=0, max_size=150).map(tuple),
    ),
    st.builds(Fields, st.lists(st.builds(Field, words, long_text), max_size=25).map(tuple)),
    st.builds(Image, st.just(b"\x89PNG"), words),
    st.builds(Divider),
)
messages = st.builds(Message, long_text, st.lists(blocks, max_size=80).map(tuple))


def _texts(block: dict[str, Any]) -> list[str]:
    found = []
    if "text" in block and isinstance(block["text"], dict):
        found.append(block["text"]["text"])
    found += [f["text"] for f in block.get("fields", [])]
    return found


@settings(max_examples=150, deadline=None)
@given(messages)
def test_any_message_fits_slacks_limits(message: Message) -> None:
    rendered = render_message(message)
    assert 1 <= len(rendered.blocks) <= LIMITS.message_blocks or not message.text.strip()
    assert len(rendered.text) <= LIMITS.fallback_text
    action_ids: list[str] = []
    for block in rendered.blocks:
        if block["type"] == "section":
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= LIMITS.section_text
            assert len(block.get("fields", [])) <= LIMITS.fields_per_section
            assert all(len(f["text"]) <= LIMITS.field_text for f in block.get("fields", []))
        if block["type"] == "actions":
            assert 1 <= len(block["elements"]) <= LIMITS.elements_per_actions
            for element in block["elements"]:
                action_ids.append(element["action_id"])
                assert element["action_id"].startswith("cf.")
                assert len(element["action_id"]) <= LIMITS.action_id
                assert (
                    len(element["placeholder" if "placeholder" in element else "text"]["text"])
                    <= 150
                )
                if element["type"] == "button":
                    assert len(element["text"]["text"]) <= LIMITS.button_text
                    assert len(element["value"]) <= LIMITS.button_value
                else:
                    assert 1 <= len(element["options"]) <= LIMITS.select_options
                    for option in element["options"]:
                        assert len(option["text"]["text"]) <= LIMITS.option_text
                        assert len(option["value"]) <= LIMITS.option_value
    # a Slack action_id must be unique within a message
    assert len(action_ids) == len(set(action_ids))
    json.dumps(rendered.blocks)


@settings(max_examples=100, deadline=None)
@given(st.lists(buttons, min_size=1, max_size=25))
def test_every_button_carries_its_routing_key(row: list[Button]) -> None:
    rendered = render_message(Message("m", (Buttons(tuple(row)),)))
    elements = [e for b in rendered.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [split_action_id(e["value"]) for e in elements] == [(b.action, b.value) for b in row]


def test_the_same_button_twice_gets_two_action_ids() -> None:
    twice = Buttons((Button("Yes", "poll:answer", "1"), Button("Yes", "poll:answer", "1")))
    rendered = render_message(Message("m", (twice,)))
    first, second = rendered.blocks[0]["elements"]
    assert first["value"] == second["value"] == "poll:answer|1"
    assert first["action_id"] != second["action_id"]


def test_select_options_carry_the_select_action() -> None:
    select = Select("Pick", "settings:zone", (Option("Berlin", "Europe/Berlin"),))
    element = render_message(Message("m", (select,))).blocks[0]["elements"][0]
    assert element["type"] == "static_select"
    assert element["options"][0]["value"] == "settings:zone|Europe/Berlin"


def test_people_cannot_inject_mentions() -> None:
    rendered = render_message(Message("<!channel> hi", (Text("Is <!here> & <@U1> ok?"),)))
    assert rendered.text == "&lt;!channel&gt; hi"
    assert rendered.blocks[0]["text"]["text"] == "Is &lt;!here&gt; &amp; &lt;@U1&gt; ok?"
    assert escape("a < b") == "a &lt; b"


def test_long_text_is_split_at_line_breaks_not_lost() -> None:
    lines = [f"line {n} " + "x" * 50 for n in range(200)]
    rendered = render_message(Message("long", (Text("\n".join(lines)),)))
    joined = "\n".join(b["text"]["text"] for b in rendered.blocks)
    assert joined == "\n".join(lines)
    assert len(rendered.blocks) > 1


def test_too_many_blocks_keep_the_buttons_and_say_so() -> None:
    many = tuple(Text(f"paragraph {n}") for n in range(80))
    row = Buttons((Button("Answer", "x:y"),))
    rendered = render_message(Message("m", (*many, row)))
    assert len(rendered.blocks) == LIMITS.message_blocks
    assert rendered.truncated
    assert rendered.blocks[-1]["type"] == "actions"
    assert rendered.blocks[-2]["elements"][0]["text"] == TRUNCATED_NOTE


def test_empty_message_still_says_something() -> None:
    rendered = render_message(Message("Only a summary"))
    assert rendered.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Only a summary"}}
    ]


def test_images_and_files_are_attachments_with_an_optional_note() -> None:
    image = Image(b"\x89PNG", "Mood, last 7 days")
    export = File(b"{}", "crossfade-export.json", "application/json")
    rendered = render_message(
        Message("m", (Text("Your week"), image, export)),
        attachment_note=lambda a: f"note for {getattr(a, 'filename', '')}",
    )
    assert rendered.attachments == [image, export]
    notes = [b for b in rendered.blocks if b["type"] == "context"]
    assert [n["elements"][0]["text"] for n in notes] == [
        "note for chart.png",
        "note for crossfade-export.json",
    ]


def test_home_view_allows_a_hundred_blocks() -> None:
    view = render_home(
        Message("home", tuple(Text(f"p{n}") for n in range(120))), attachment_note=lambda a: None
    )
    assert view["type"] == "home"
    assert len(view["blocks"]) == LIMITS.view_blocks


# --- modals -------------------------------------------------------------------------------


FORM = Form(
    "pulse:create|C1",
    "Ask the team a very long question title",
    (
        FormField("question", "Question", max_length=300, placeholder="How was your week?"),
        FormField("details", "Details", kind="textarea", required=False, initial="x" * 5000),
        FormField(
            "kind",
            "Kind",
            kind="select",
            options=(Option("1–5 scale", "scale"), Option("Yes / no", "yesno")),
            initial="yesno",
        ),
    ),
    submit_label="Post",
)


def test_a_form_becomes_a_modal_within_limits() -> None:
    view = render_modal(FORM, private_metadata={"channel": "C1", "response_url": "https://x"})
    assert view["type"] == "modal"
    assert form_id_from_callback(view["callback_id"]) == "pulse:create|C1"
    assert len(view["title"]["text"]) <= LIMITS.modal_title
    question, details, kind = view["blocks"]
    assert question["block_id"] == "question" and question["optional"] is False
    assert question["element"]["max_length"] == 300
    assert details["element"]["multiline"] is True and details["optional"] is True
    assert len(details["element"]["initial_value"]) <= LIMITS.input_max_length
    assert kind["element"]["initial_option"]["value"] == "yesno"
    assert view_metadata(view) == {"channel": "C1", "response_url": "https://x"}


def test_private_metadata_never_exceeds_slacks_limit() -> None:
    view = render_modal(FORM, private_metadata={"channel": "C1", "response_url": "h" * 4000})
    assert len(view["private_metadata"]) <= LIMITS.private_metadata
    assert view_metadata(view) == {"channel": "C1"}


def test_submitted_values_are_read_by_field_name() -> None:
    view = {
        "state": {
            "values": {
                "question": {"value": {"type": "plain_text_input", "value": "Fine?"}},
                "details": {"value": {"type": "plain_text_input", "value": None}},
                "kind": {"value": {"type": "static_select", "selected_option": {"value": "yesno"}}},
            }
        }
    }
    assert read_modal_values(view) == {"question": "Fine?", "details": "", "kind": "yesno"}


def test_errors_go_beside_their_fields() -> None:
    view = render_modal(FORM, private_metadata={})
    shown = modal_errors(view, {"question": "Too short", "_form": "Try again", "kind": "x" * 900})
    assert shown["question"].startswith("Too short")
    assert "Try again" in shown["question"]  # no such field: shown under the first one
    assert len(shown["kind"]) <= LIMITS.error_text
