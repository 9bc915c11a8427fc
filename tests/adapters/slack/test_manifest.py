from __future__ import annotations

import re

import pytest
import yaml

from adapters.slack.bolt import BOT_SCOPES
from adapters.slack.listeners import Listeners
from adapters.slack.manifest import load_manifest, render_manifest
from bot.bootstrap import build_router


def test_socket_mode_manifest_is_the_default() -> None:
    data = yaml.safe_load(render_manifest(None, router=build_router()))
    assert data["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in data["settings"]["event_subscriptions"]
    assert data["features"]["slash_commands"][0]["command"] == "/crossfade"


def test_http_manifest_points_every_url_at_the_server() -> None:
    text = render_manifest("https://crossfade.example.com/", router=build_router())
    data = yaml.safe_load(text)
    events = "https://crossfade.example.com/slack/events"
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["settings"]["event_subscriptions"]["request_url"] == events
    assert data["settings"]["interactivity"]["request_url"] == events
    assert data["features"]["slash_commands"][0]["url"] == events
    assert data["oauth_config"]["redirect_urls"] == [
        "https://crossfade.example.com/slack/oauth_redirect"
    ]


def test_a_base_path_is_kept() -> None:
    data = yaml.safe_load(render_manifest("https://example.com/crossfade", router=build_router()))
    assert data["settings"]["interactivity"]["request_url"] == (
        "https://example.com/crossfade/slack/events"
    )


@pytest.mark.parametrize("url", ["http://example.com", "example.com", "https://", "https://x/?a=1"])
def test_urls_slack_would_refuse(url: str) -> None:
    with pytest.raises(ValueError, match="https|query"):
        render_manifest(url, router=build_router())


def test_scopes_match_what_the_app_asks_for_at_install() -> None:
    assert set(load_manifest()["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)


def test_every_event_the_manifest_subscribes_to_has_a_listener() -> None:
    import inspect

    events = load_manifest()["settings"]["event_subscriptions"]["bot_events"]
    source = inspect.getsource(Listeners.register)
    for event in events:
        name = event.split(".")[0]
        assert re.search(rf'app\.event\("{name}"\)', source), event


def test_the_usage_hint_names_the_featured_commands_by_example() -> None:
    data = yaml.safe_load(render_manifest(None, router=build_router()))
    hint = data["features"]["slash_commands"][0]["usage_hint"]
    assert hint.startswith("help | quiz")
    assert "logoff 17:30" in hint
    assert len(hint) <= 1000


def test_slack_limits_of_the_display_information() -> None:
    info = load_manifest()["display_information"]
    assert len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
