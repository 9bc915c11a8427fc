"""Plain words for every way of typing every command: what ``help <command>`` says beside
each usage line. One table, so the voice stays one and a test can check that nothing is
left unexplained (a new usage without words here fails ``tests/answers``)."""

from __future__ import annotations

__all__ = ["EXPLAIN", "explain"]

EXPLAIN: dict[str, str] = {
    "help": "every command, grouped",
    "help <command>": "what one command does, each way of typing it explained",
    "timezone Area/City": "set your time zone by its city name, e.g. Europe/Berlin",
    "timezone": "show your time zone and the time there",
    "workdays mon-fri": "the days reminders and check-ins come: a range of days",
    "workdays mon,tue,thu": "or a list of days, separated by commas",
    "workdays": "show your workdays",
    "quiet HH:MM-HH:MM": "no DMs from the bot between these two times (it may cross midnight)",
    "quiet off": "allow DMs at any hour your reminders ask for",
    "quiet": "show your quiet hours (on Slack, once: offer to match your Do Not Disturb)",
    "away YYYY-MM-DD..YYYY-MM-DD": "no DMs from the first to the last day, both included",
    "away YYYY-MM-DD": "no DMs on that one day",
    "away off": "cancel your away days",
    "away": "show your away days",
    "settings": "your settings and the team's, at a glance",
    "settings timezone Area/City": "the time zone for people who haven't set their own",
    "settings channel here|#channel": "where pulses are posted (`here` = this channel)",
    "settings k N": (
        "the minimum number of answers before any pulse or team result is shown "
        "(3 to 100; more answers, more anonymity)"
    ),
    "settings pulses everyone|admins": "who may start a pulse",
    "settings logoff HH:MM": "the log-off time suggested to people who set none",
    "settings retention DAYS": "how many days check-ins are kept before they are deleted",
    "settings support https://…|off": (
        "a page the quiz points to when someone seems worn out, e.g. your employee "
        "assistance programme"
    ),
    "settings workday HH:MM": "the start of day for people who haven't set their own",
    "settings strict on|off": (
        "strict mode: no DMs outside people's working windows except what they asked for"
    ),
    'settings policy "We don\'t expect replies after 18:00"|off': (
        "a short team norm shown in help, the home page and the welcome message"
    ),
    "team disconnect": (
        "admins: the bot's DMs of the last 4 weeks, inside and outside working windows"
    ),
    "workday 09:00-17:30": "your working window: start of day and log-off time",
    "workday 08:00": "change only your start of day",
    "workday off": "go back to the team's start of day",
    "workday": "show your working window",
    "connect": "Slack: pause your notifications and set a status when you log off",
    "connect auto on|off": "Slack: let your log-off time itself pause your notifications",
    "disconnect": "Slack: take that permission back and delete its token",
    "next": "what the bot will send you in the next 7 days, and why not the rest",
    "quiz": "start the quiz (or carry on where you stopped)",
    "quiz result": "show your latest result again",
    "quiz history": "your past results",
    "quiz restart": "start over from the first question",
    "quiz cancel": "stop the quiz in progress",
    "team": "how the team's quiz results and weekly pulses look, never one person",
    "checkin": "answer today's check-in now: four taps and an optional note",
    "checkin at HH:MM": "get the check-in by DM every workday at this time",
    "checkin off": "stop the daily check-in (past check-ins stay until you `forget`)",
    "me": "your last 7 days: streak, mood, energy, hours and a chart",
    "me 30": "the same for the last 30 days",
    "logoff HH:MM": "a reminder to log off at this time on your workdays",
    "logoff off": "no more log-off reminders",
    "logoff": "show your reminder and when the next one comes",
    "logoff headsup N|off": ("a wind-down nudge N minutes before the reminder (1 to 120), or none"),
    "done": "say you're logging off now; today's reminders stop",
    "start": "start today's clock in hours mode (see `hours`)",
    "hours N": "hours mode: a reminder N hours after `start` (1 to 16)",
    "hours N until HH:MM": "the same, and never later than this time (your hard stop)",
    "hours off": "leave hours mode",
    "hours": "show your hours mode",
    "holidays CODE": (
        "no reminders on your country's or region's public holidays, e.g. US, DE-BY, GB-SCT"
    ),
    "holidays off": "reminders on public holidays again",
    "holidays": "show your holiday calendar and the next holiday",
    "pulse": "open a form to write an anonymous question for the team",
    'pulse ask "Question?" scale|yesno|options a,b,c [closes 2d]': (
        "post a question right away: a 1–5 scale, yes/no, or your own options; it closes "
        "after 2 days unless you say otherwise"
    ),
    "pulse ask TEMPLATE [closes 2d]": "post a ready-made question (`pulse templates` lists them)",
    "pulse list": "the team's recent pulses",
    "pulse results ID": "the results of a closed pulse, if enough people answered",
    "pulse close ID": "close a pulse early (whoever asked it, or an admin)",
    "pulse templates": "the ready-made questions",
    "pulse schedule weekly fri 15:00 TEMPLATE [closes 2d]": (
        "admins: ask a ready-made question every week at this day and time"
    ),
    "pulse schedule · pulse schedule off N": "list the weekly pulses, or stop number N",
    "export": "a copy of everything stored about you, sent to your DM",
    "forget": "delete everything stored about you, after you confirm",
    "privacy": "what is stored, for how long, and who can see it",
}


def explain(usage: str) -> str:
    return EXPLAIN.get(usage, "")
