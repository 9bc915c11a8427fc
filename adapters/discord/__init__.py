"""The Discord adapter. ``adapters.discord.serve`` runs the bot until cancelled (set
``DISCORD_TOKEN``; for scale-out ``DISCORD_SHARD_IDS``/``DISCORD_SHARD_COUNT``); publish the
commands once with ``crossfade discord sync``. See docs/discord.md.

Importing this package loads nothing of discord.py, so that the composition root can register
the adapter's tables (``adapters.discord.models``) in processes that never talk to Discord.
"""
