"""Web API calls for one neutral message: post, update, ephemeral, and file uploads.

Shared by the executor (answers to events) and the notifier (scheduled deliveries). Images
and files cannot live inside a Slack message posted by a bot without a public URL, so they
are uploaded (``files_upload_v2``: getUploadURLExternal, the upload, completeUploadExternal)
into the same conversation right after the message, or into its thread after an update.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import Attachment, Rendered, render_message, truncate
from bot.kernel.ui import File, Image, Message

__all__ = [
    "attachment_label",
    "error_code",
    "post_ephemeral",
    "post_message",
    "update_message",
    "upload_after",
    "upload_attachments",
]

log = logging.getLogger(__name__)


def error_code(error: SlackApiError) -> str:
    """Slack's error string (``not_in_channel``…) of a failed call."""
    response = getattr(error, "response", None)
    try:
        return str(response.get("error") or "unknown_error") if response is not None else "unknown"
    except AttributeError:
        return "unknown"


def attachment_label(attachment: Attachment) -> str:
    if isinstance(attachment, Image):
        return attachment.alt or attachment.filename
    return attachment.filename


async def upload_attachments(
    client: AsyncWebClient,
    channel: str,
    attachments: list[Attachment],
    *,
    thread_ts: str | None = None,
) -> None:
    """Upload images and files into ``channel`` (a conversation id, not a user id)."""
    if not attachments:
        return
    uploads: list[dict[str, Any]] = []
    for item in attachments:
        if isinstance(item, Image):
            uploads.append(
                {
                    "file": item.png,
                    "filename": item.filename or "chart.png",
                    "title": truncate(item.alt or item.filename, 250),
                    "alt_txt": truncate(item.alt, 1000),
                }
            )
        elif isinstance(item, File):
            uploads.append({"file": item.data, "filename": item.filename, "title": item.filename})
    await client.files_upload_v2(file_uploads=uploads, channel=channel, thread_ts=thread_ts)


async def upload_after(
    client: AsyncWebClient,
    channel: str,
    attachments: list[Attachment],
    *,
    thread_ts: str | None = None,
) -> bool:
    """Upload the attachments of a message already delivered; a failure is logged, not
    raised (the message itself must not be sent again). Joins a public channel the bot
    could post to (``chat:write.public``) but not upload to."""
    if not attachments:
        return True
    try:
        try:
            await upload_attachments(client, channel, attachments, thread_ts=thread_ts)
        except SlackApiError as error:
            if error_code(error) != "not_in_channel" or not channel.startswith("C"):
                raise
            await client.conversations_join(channel=channel)
            await upload_attachments(client, channel, attachments, thread_ts=thread_ts)
    except SlackApiError as error:
        log.warning("uploading %d file(s) failed: %s", len(attachments), error_code(error))
        return False
    return True


async def post_message(
    client: AsyncWebClient,
    channel: str,
    message: Message,
    *,
    rendered: Rendered | None = None,
    metadata: dict[str, Any] | None = None,
    upload: bool = True,
) -> tuple[str, str]:
    """``chat.postMessage`` then the attachments; returns (channel id, message ts). A user
    id as ``channel`` posts into the bot's DM with them (Slack answers with the D-id).
    ``metadata`` (Slack message metadata) lets the sender find the message again. Without
    ``upload`` the caller uploads the attachments itself (a step of its own)."""
    rendered = rendered or render_message(message)
    extra: dict[str, Any] = {"metadata": metadata} if metadata else {}
    response = await client.chat_postMessage(
        channel=channel,
        text=rendered.text,
        blocks=rendered.blocks or None,
        unfurl_links=False,
        unfurl_media=False,
        **extra,
    )
    channel_id = str(response.get("channel") or channel)
    ts = str(response.get("ts") or "")
    if upload:
        await upload_after(client, channel_id, rendered.attachments)
    return channel_id, ts


async def update_message(client: AsyncWebClient, channel: str, ts: str, message: Message) -> None:
    """``chat.update``; attachments (which an update cannot carry) go into its thread."""
    rendered = render_message(message)
    await client.chat_update(channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks)
    await upload_after(client, channel, rendered.attachments, thread_ts=ts)


async def post_ephemeral(
    client: AsyncWebClient, channel: str, user: str, rendered: Rendered
) -> None:
    await client.chat_postEphemeral(
        channel=channel, user=user, text=rendered.text, blocks=rendered.blocks or None
    )
