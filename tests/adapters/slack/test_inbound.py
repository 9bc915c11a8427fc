"""Slack's documented payloads → core events (the one place that reads them)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from adapters.slack.inbound import (
    parse_block_action,
    parse_command,
    parse_direct_message,
    parse_view_submission,
    team_of,
)
from adapters.slack.render import render_modal
from bot.kernel.events import Action, Actor, Command, DirectText, FormSubmit, MessageRef, Place
from bot.kernel.ui import Form, FormField
from tests.adapters.slack.rig import command_body, fixture

ADA = Actor("slack", "T1", "U1", "Ada")


def test_slash_command() -> None:
    body = dict(parse_qsl(command_body("checkin at 17:00")))
    incoming = parse_command(body)
    origin = incoming.origin
    assert (origin.team_id, origin.user_id, origin.channel_id) == ("T1", "U1", "C1")
    assert origin.response_url.startswith("https://hooks.slack.com/")
    assert origin.trigger_id and origin.surface == "command" and origin.place_kind == ""
    event = incoming.event(ADA, Place.channel("C1", "general"))
    assert event == Command(ADA, "checkin at 17:00", Place.channel("C1", "general"))


def test_button_on_a_channel_message() -> None:
    payload = fixture("block_actions")
    payload["actions"][0].update(action_id="cf.3.quiz:answer", value="quiz:answer|q2|b")
    incoming = parse_block_action(payload)
    assert incoming is not None
    assert (incoming.action, incoming.value) == ("quiz:answer", "q2|b")
    assert incoming.origin.surface == "message" and incoming.origin.place_kind == ""
    place = Place.channel("C1", "general")
    event = incoming.event(ADA, place)
    assert event == Action(
        ADA, "quiz:answer", "q2|b", MessageRef(place, "1548261231.000200"), place
    )


def test_select_choice() -> None:
    payload = fixture("block_actions")
    payload["actions"] = [
        {
            "action_id": "cf.1.settings:zone",
            "block_id": "x",
            "type": "static_select",
            "selected_option": {
                "text": {"type": "plain_text", "text": "Berlin"},
                "value": "settings:zone|Europe/Berlin",
            },
            "action_ts": "1",
        }
    ]
    incoming = parse_block_action(payload)
    assert incoming is not None
    assert (incoming.action, incoming.value) == ("settings:zone", "Europe/Berlin")


def test_buttons_in_the_bots_dm_and_ephemeral_ones() -> None:
    payload = fixture("block_actions")
    payload["container"].update(channel_id="DU1")
    incoming = parse_block_action(payload)
    assert incoming is not None and incoming.origin.place_kind == "dm"
    payload["container"].update(is_ephemeral=True)
    incoming = parse_block_action(payload)
    assert incoming is not None
    assert incoming.origin.place_kind == "" and incoming.origin.ephemeral


def test_button_on_the_home_tab() -> None:
    payload = fixture("block_actions")
    payload["container"] = {"type": "view", "view_id": "V1"}
    payload["view"] = {"id": "V1", "type": "home"}
    del payload["channel"], payload["message"], payload["response_url"]
    incoming = parse_block_action(payload)
    assert incoming is not None
    assert incoming.origin.surface == "home" and incoming.origin.place_kind == "dm"
    assert incoming.event(ADA, Place.dm()) == Action(ADA, "help", "", None, Place.dm())


def test_actions_that_are_not_ours_are_ignored() -> None:
    payload = fixture("block_actions")
    payload["actions"][0]["action_id"] = "link-button"
    assert parse_block_action(payload) is None
    payload["actions"][0].update(action_id="cf.1.x", value="")
    assert parse_block_action(payload) is None


def test_view_submission_with_metadata() -> None:
    form = Form(
        "pulse:create|C1",
        "New pulse",
        (FormField("question", "Question"), FormField("closes", "Closes", required=False)),
    )
    view = render_modal(
        form,
        private_metadata={
            "channel": "C1",
            "channel_name": "general",
            "kind": "channel",
            "response_url": "https://hooks.slack.com/x",
        },
    )
    payload = fixture("view_submission")
    payload["view"].update(view)
    payload["view"]["state"] = {
        "values": {
            "question": {"value": {"type": "plain_text_input", "value": "Fine?"}},
            "closes": {"value": {"type": "plain_text_input", "value": None}},
        }
    }
    incoming = parse_view_submission(payload)
    origin = incoming.origin
    assert (origin.channel_id, origin.place_kind, origin.response_url) == (
        "C1",
        "channel",
        "https://hooks.slack.com/x",
    )
    place = Place.channel("C1", "general")
    event = incoming.event(ADA, place)
    assert event == FormSubmit(ADA, "pulse:create|C1", {"question": "Fine?", "closes": ""}, place)


def test_direct_messages_only_from_people() -> None:
    body = fixture("message_im")
    incoming = parse_direct_message(body)
    assert incoming is not None
    assert incoming.event(ADA, Place("dm", "DU1")) == DirectText(ADA, "hello there")
    for change in (
        {"subtype": "message_changed"},
        {"bot_id": "B1"},
        {"channel_type": "channel"},
        {"text": "  "},
    ):
        other = fixture("message_im")
        other["event"].update(change)
        assert parse_direct_message(other) is None


def test_team_of_every_shape() -> None:
    assert team_of({"team": {"id": "T1"}}) == "T1"
    assert team_of({"team_id": "T2"}) == "T2"
    assert team_of({"team": None, "user": {"id": "U1", "team_id": "T3"}}) == "T3"
    assert team_of({"team": None, "enterprise": {"id": "E1"}}) == "E1"
