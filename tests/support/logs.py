"""Run part of a test with the application's own logging set-up at DEBUG, writing to a
buffer, and put the previous logging state back afterwards."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bot.kernel.logs import configure_logging
from bot.kernel.storage.log_redaction import LIBRARIES


@contextmanager
def debug_logs(secrets: tuple[str, ...] = ()) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in LIBRARIES}
    buffer = io.StringIO()
    real, sys.stderr = sys.stderr, buffer
    try:
        configure_logging("DEBUG", secrets=secrets)
    finally:
        sys.stderr = real
    try:
        yield buffer
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
