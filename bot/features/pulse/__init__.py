"""pulse: anonymous team polls, one-off and weekly, with their trend in the ``team`` view.

The package's public face is its flow. Inside: :mod:`~bot.features.pulse.commands` (the
routing table); the steps (``polls``, ``ask``, ``recurring``, ``window``, ``team_trends``);
the pure rules (``spec``, ``tally``, ``anonymity``, ``trends``); ``views`` and ``chart``; the
stores (``store``, ``series_store``) and their ``models``; ``templates``, the ready-made
questions.
"""

from bot.features.pulse.commands import flow

__all__ = ["flow"]
