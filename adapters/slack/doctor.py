"""``crossfade doctor``'s Slack rows: the token against ``auth.test`` and the scopes Slack
granted against the manifest's."""

from __future__ import annotations

from bot.kernel.diagnosis import Row
from bot.kernel.settings import Settings

__all__ = ["slack_rows"]


async def slack_rows(settings: Settings) -> list[Row]:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    if not settings.slack_bot_token:
        detail = "OAuth installs: each workspace's token is checked as it is used"
        return [Row("slack", True, detail)]
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    try:
        response = await client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error", "refused")
        fix = "copy the Bot User OAuth Token (xoxb-…) from the app's Install App page"
        return [Row("slack auth.test", False, f"Slack refused SLACK_BOT_TOKEN ({reason})", fix)]
    except Exception as error:  # the network: one line, never a traceback
        detail = f"cannot reach Slack at {settings.slack_api_url} ({type(error).__name__})"
        return [Row("slack auth.test", False, detail, "check the network and SLACK_API_URL")]
    team, user = response.get("team") or response.get("team_id"), response.get("user")
    rows = [Row("slack auth.test", True, f"workspace {team}, bot user {user}")]
    rows.append(_scopes_row(response.headers))
    return rows


def _scopes_row(headers: dict[str, object]) -> Row:
    from adapters.slack.manifest import load_manifest

    needed = set(load_manifest()["oauth_config"]["scopes"]["bot"])
    value = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), "")
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    granted = {scope.strip() for scope in str(value).split(",") if scope.strip()}
    missing = sorted(needed - granted)
    if not missing:
        return Row("slack scopes", True, f"all {len(needed)} scopes of the manifest granted")
    fix = (
        "add them under OAuth & Permissions (or re-create the app from `crossfade slack "
        "manifest`), then reinstall the app to the workspace"
    )
    return Row("slack scopes", False, f"missing {', '.join(missing)}", fix)
