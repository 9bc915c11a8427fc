"""The Slack app manifest (``manifest.yml`` beside this file), filled in for a deployment.

``crossfade slack manifest`` prints the Socket Mode manifest (development);
``crossfade slack manifest --url https://bot.example`` prints the HTTP-mode manifest with the
request URLs and the OAuth redirect URL pointing at that host. The usage hint under
``/crossfade`` comes from the commands' declarations (their ``featured`` ones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.kernel.help import SECTION_ORDER
from bot.kernel.registry import Router

__all__ = ["MANIFEST_PATH", "load_manifest", "render_manifest", "usage_hint"]

MANIFEST_PATH = Path(__file__).with_name("manifest.yml")
HEADER = (
    "# Crossfade's Slack app manifest ({mode}).\n"
    "# Paste it at https://api.slack.com/apps → Create New App → From a manifest.\n"
)


def load_manifest() -> dict[str, Any]:
    """The manifest in the repository, as data."""
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{MANIFEST_PATH} is not a YAML mapping")
    return data


def _base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(
            f"Slack only calls HTTPS URLs: give the public base URL, e.g. "
            f"--url https://crossfade.example.com (got {url!r})"
        )
    if parts.query or parts.fragment:
        raise ValueError("the base URL takes no ?query or #fragment")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}"


def usage_hint(router: Router) -> str:
    """The line Slack shows under ``/crossfade``: the featured commands in the order of
    ``help``, each by an example of its first usage (``logoff 17:30``)."""
    rank = {section: n for n, section in enumerate(SECTION_ORDER)}
    featured = [spec for spec in router.commands.values() if spec.featured]
    featured.sort(key=lambda spec: rank.get(spec.section, len(rank)))
    return " | ".join(spec.example for spec in featured)


def render_manifest(url: str | None, *, router: Router) -> str:
    """The manifest as YAML: Socket Mode when ``url`` is ``None``, else HTTP mode with every
    request URL under ``url`` (``/slack/events``, ``/slack/oauth_redirect``). Raises
    ``ValueError`` for a URL Slack would refuse (it must be ``https://``)."""
    manifest = load_manifest()
    for command in manifest.get("features", {}).get("slash_commands", []):
        command["usage_hint"] = usage_hint(router)
    settings = manifest.setdefault("settings", {})
    if url is None:
        settings["socket_mode_enabled"] = True
        return HEADER.format(mode="Socket Mode") + _dump(manifest)
    base = _base_url(url)
    events = f"{base}/slack/events"
    settings["socket_mode_enabled"] = False
    settings.setdefault("event_subscriptions", {})["request_url"] = events
    settings.setdefault("interactivity", {})["request_url"] = events
    for command in manifest.get("features", {}).get("slash_commands", []):
        command["url"] = events
    manifest.setdefault("oauth_config", {})["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    return HEADER.format(mode=f"HTTP mode at {base}") + _dump(manifest)


def _dump(manifest: dict[str, Any]) -> str:
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
