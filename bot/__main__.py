"""``python -m bot`` is the ``crossfade`` command."""

from bot.cli import main

raise SystemExit(main())
