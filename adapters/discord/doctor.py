"""``crossfade doctor``'s Discord rows: the token, the gateway (intents, identify budget),
the ``/crossfade`` command published, and the bot's permissions in each guild."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.kernel.diagnosis import Row
from bot.kernel.settings import Settings

__all__ = ["NEEDED_PERMISSIONS", "discord_rows"]

# View Channel, Send Messages, Embed Links, Attach Files (the invite's 52224).
NEEDED_PERMISSIONS = {1 << 10: "View Channel", 1 << 11: "Send Messages", 1 << 14: "Embed Links"}
NEEDED_PERMISSIONS[1 << 15] = "Attach Files"
ADMINISTRATOR = 1 << 3


class _Api:
    def __init__(self, http: aiohttp.ClientSession, settings: Settings) -> None:
        self.http = http
        self.base = settings.discord_api_url.rstrip("/")
        self.headers = {"Authorization": f"Bot {settings.discord_token}"}

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(self.base + path, headers=self.headers) as response:
            body = await response.json(content_type=None)
            return response.status, body


async def discord_rows(settings: Settings) -> list[Row]:
    timeout = aiohttp.ClientTimeout(total=15)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            return await _rows(_Api(http, settings))
    except (aiohttp.ClientError, TimeoutError) as error:
        detail = f"cannot reach Discord at {settings.discord_api_url} ({type(error).__name__})"
        return [Row("discord token", False, detail, "check the network and DISCORD_API_URL")]


async def _rows(api: _Api) -> list[Row]:
    status, me = await api.get("/users/@me")
    if status != 200:
        fix = "reset the token under Developer Portal → Bot and put it in DISCORD_TOKEN"
        return [Row("discord token", False, f"Discord refused DISCORD_TOKEN (HTTP {status})", fix)]
    rows = [Row("discord token", True, f"bot user {me.get('username')}")]
    rows.append(await _gateway_row(api))
    _, application = await api.get("/oauth2/applications/@me")
    rows.append(await _command_row(api, str(application.get("id", ""))))
    rows += await _permission_rows(api)
    return rows


async def _gateway_row(api: _Api) -> Row:
    from adapters.discord.client import intents

    wanted = ", ".join(name for name, on in intents() if on)
    status, gateway = await api.get("/gateway/bot")
    limit = gateway.get("session_start_limit", {}) if status == 200 else {}
    remaining = int(limit.get("remaining", 1))
    detail = f"intents {wanted} (none privileged); {remaining} session starts left today"
    if status == 200 and remaining > 0:
        return Row("discord gateway", True, detail)
    reset = int(limit.get("reset_after", 0)) // 1000
    fix = f"wait {reset // 60} min for Discord's identify budget to reset; avoid restart loops"
    return Row("discord gateway", False, detail, fix)


async def _command_row(api: _Api, application_id: str) -> Row:
    status, commands = await api.get(f"/applications/{application_id}/commands")
    names = {c.get("name") for c in commands} if status == 200 else set()
    if "crossfade" in names:
        return Row("discord /crossfade", True, "published globally")
    return Row("discord /crossfade", False, "not published", "crossfade discord sync")


async def _permission_rows(api: _Api) -> list[Row]:
    status, guilds = await api.get("/users/@me/guilds")
    if status != 200:
        return [Row("discord guilds", False, f"cannot list guilds (HTTP {status})", "")]
    lacking = []
    for guild in guilds:
        held = int(guild.get("permissions", 0))
        if held & ADMINISTRATOR:
            continue
        missing = [name for bit, name in NEEDED_PERMISSIONS.items() if not held & bit]
        if missing:
            lacking.append(f"{guild.get('name')} lacks {', '.join(missing)}")
    if not lacking:
        return [Row("discord permissions", True, f"enough in all {len(guilds)} guild(s)")]
    fix = "give the bot's role these permissions (or re-invite it with permissions=52224)"
    return [Row("discord permissions", False, "; ".join(lacking), fix)]
