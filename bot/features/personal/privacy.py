"""Your data: ``export`` (a JSON file of everything stored about you), ``forget`` (delete it
all, after a confirmation button) and ``privacy`` (what is stored, how long, who sees it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.bounds import small_int
from bot.features.personal.data import describe_counts, export_bytes
from bot.features.personal.export_view import people_export
from bot.features.personal.store import PersonalData
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply, SendDirect, Update
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.slots import BEFORE_FORGET
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Button, Buttons, File, Message, Text

__all__ = ["CONFIRM_MINUTES", "flow", "privacy_message"]

flow = Flow("privacy")

CONFIRM_MINUTES = 15
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SETTINGS_LINE = "your settings (time zone, workdays, quiet hours, away days)"


def _private(ctx: Context, message: Message) -> list[Effect]:
    """Files go to the DM: a channel can't hold a private file (a Slack ephemeral message
    can't carry one), and a DM is where personal data belongs anyway."""
    if ctx.place.kind == "dm":
        return [Reply(message)]
    note = "I've sent it to our DM — only you can see it there."
    return [Reply(Message(note, (Text(note),))), SendDirect(ctx.user_ref, message)]


def _show(ctx: Context, message: Message) -> list[Effect]:
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, message)]
    return [Reply(message)]


@flow.command(
    "export",
    summary="everything stored about you, as a JSON file (sent to your DM)",
    syntax=(Usage(help="a copy of everything stored about you, sent to your DM"),),
    section="Your data",
)
async def export(ctx: Context, cmd: Call) -> list[Effect]:
    document = await ctx.store(PersonalData).export(ctx.member, now=ctx.now)
    counts = {name: len(rows) for name, rows in document["data"].items()}
    lines = describe_counts(counts)
    what = ", ".join([SETTINGS_LINE, *lines])
    text = (
        f"Your data, as stored by Crossfade: {what}. Pulse answers are not in it because they "
        "are never linked to anyone. `forget` deletes all of it."
    )
    filename = f"crossfade-export-{ctx.local_today:%Y-%m-%d}.json"
    message = Message(
        "Your Crossfade data export",
        (
            Text(text),
            File(export_bytes(people_export(document, ctx.zone)), filename, "application/json"),
        ),
    )
    return _private(ctx, message)


def _created(ctx: Context) -> int:
    # Microseconds: a member re-created right after being forgotten may get the same id
    # (SQLite reuses the highest rowid), but never the same creation instant.
    return (ctx.member.created_at - _EPOCH) // timedelta(microseconds=1)


def _confirm_value(ctx: Context) -> str:
    """Who (member id and creation instant) and when the question was asked."""
    return f"{ctx.member.id}.{_created(ctx)}.{int(ctx.now.timestamp())}"


@flow.command(
    "forget",
    summary="delete everything stored about you (asks you to confirm first)",
    syntax=(Usage(help="delete everything stored about you, after you confirm"),),
    section="Your data",
)
async def forget(ctx: Context, cmd: Call) -> list[Effect]:
    counts = await ctx.store(PersonalData).counts(ctx.member)
    what = ", ".join([SETTINGS_LINE, *describe_counts(counts)])
    text = (
        f"*Delete everything Crossfade stores about you?*\nThat is {what}. Your reminders and "
        "check-ins stop. This can't be undone — run `export` first if you want a copy. "
        f"The button works for {CONFIRM_MINUTES} minutes."
    )
    value = _confirm_value(ctx)
    buttons = Buttons(
        (
            Button("Delete everything", "privacy:forget", value, "danger"),
            Button("Keep my data", "privacy:keep", value),
        )
    )
    return [Reply(Message("Delete all your Crossfade data?", (Text(text), buttons)))]


def _parse(value: str) -> tuple[int, int, int]:
    parts = [small_int(part, high=2**53) for part in value.split(".")]
    if len(parts) != 3 or any(part is None for part in parts):
        raise UserError("That button is no longer valid; nothing was deleted.")
    member_id, created, asked = (int(part or 0) for part in parts)
    return member_id, created, asked


@flow.action("privacy:forget")
async def confirm_forget(ctx: Context, value: str) -> list[Effect]:
    member_id, created, asked = _parse(value)
    same_person = member_id == ctx.member.id and created == _created(ctx)
    if not same_person:
        # Already forgotten (a second press, or another instance got there first). This very
        # press re-created an empty member row: remove it again, so nothing is left.
        if ctx.first_contact:
            await ctx.store(PersonalData).delete(ctx.member)
        text = "Already done: nothing is stored about you."
        return _show(ctx, Message(text, (Text(text),)))
    if ctx.now.timestamp() - asked > timedelta(minutes=CONFIRM_MINUTES).total_seconds():
        text = (
            "That confirmation has expired, so nothing was deleted. Run `/crossfade forget` "
            "again if you still want to."
        )
        return _show(ctx, Message(text, (Text(text),)))
    # e.g. the team's quiz view counts their leaving as a change; a Slack `connect` token
    # is revoked, not just dropped
    for let_go in ctx.provided(BEFORE_FORGET):
        await let_go(ctx)
    counts = await ctx.store(PersonalData).delete(ctx.member)
    what = ", ".join([SETTINGS_LINE, *describe_counts(counts)])
    text = (
        f"Done. Deleted {what}. Nothing about you is left in Crossfade. If you use it again, "
        "it starts from scratch."
    )
    return _show(ctx, Message("Your data was deleted", (Text(text),)))


@flow.action("privacy:keep")
async def keep(ctx: Context, value: str) -> list[Effect]:
    member_id, created, _asked = _parse(value)
    if member_id != ctx.member.id or created != _created(ctx):
        # Delete everything was pressed first (the old question may still show its buttons):
        # say what happened, and leave no row behind for this press either.
        if ctx.first_contact:
            await ctx.store(PersonalData).delete(ctx.member)
        text = (
            "Your data was already deleted when you pressed *Delete everything*, so there is "
            "nothing left to keep. If you use Crossfade again, it starts from scratch."
        )
        return _show(ctx, Message(text, (Text(text),)))
    text = "Nothing was deleted. Your data stays as it was."
    return _show(ctx, Message(text, (Text(text),)))


def privacy_message(ctx: Context) -> Message:
    team = ctx.team
    text = (
        "*What Crossfade stores about you, for how long, and who can see it*\n"
        f"• *Your settings* — time zone, workdays, quiet hours, away days, reminder times. "
        "Kept until you change them or run `forget`.\n"
        f"• *Check-ins* — mood, energy, hours, breaks, downtime and your optional note. "
        f"Kept {team.retention_days} days (a team setting), then deleted automatically.\n"
        "• *Log-off reminders* — whether you logged off on time, for your on-time %; your "
        "working window; whether a late evening was your choice or needed (only you see "
        f"yours; `team` shows a weekly share only when at least {team.k_threshold} people "
        "answered).\n"
        "• *Slack connection* (only if you ran `connect`) — a Slack token that lets Crossfade "
        "do exactly two things as you: pause your notifications (Do Not Disturb) and set "
        "your status, when you log off, until your next working day; it cannot read or send "
        "messages. It is stored encrypted with the server's key. `disconnect` revokes it at "
        "Slack and deletes it; removing the app under your Slack profile's *Apps* revokes it "
        "too.\n"
        "• *Quiz result* — which approach fits you and why.\n"
        "• *Pulse polls* — only that you answered (a keyed mark, so nobody votes twice), never "
        "*what*: your answer is sealed with the poll's own key and opened only when the poll "
        "closes, which keeps just the totals — and only if at least "
        f"{team.k_threshold} people answered — and deletes the sealed answers and the marks. "
        "`forget` keeps only the mark of a poll still open (so you cannot answer it twice); "
        "it goes when that poll closes.\n\n"
        "*Who sees it*: only you. Team admins see team settings and anonymous pulse results, "
        "never your check-ins, notes, reminders or quiz result, and team views never show one "
        "person. Someone who reads the database without the server's key cannot tell who "
        "answered what; the limits (people who collude, the operator with the key and an old "
        "backup) are in `docs/privacy.md` in Crossfade's source.\n\n"
        "*Your controls*: `export` sends you all of it as a JSON file; `forget` deletes all of "
        "it; `checkin off` and `logoff off` stop the DMs; `disconnect` revokes the Slack "
        "connection. Outside your working window Crossfade sends you nothing but what you "
        "asked for (`workday`, `next`)."
    )
    return Message("What Crossfade stores and who sees it", (Text(text),))


@flow.command(
    "privacy",
    summary="what is stored about you, for how long, and who can see it",
    syntax=(Usage(help="what is stored, for how long, and who can see it"),),
    section="Your data",
)
async def privacy(ctx: Context, cmd: Call) -> list[Effect]:
    return [Reply(privacy_message(ctx))]
