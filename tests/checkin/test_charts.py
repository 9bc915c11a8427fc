"""The dashboard chart: a valid, preview-sized PNG for 0, 1, 7 and 30 days, rendered off the
event loop."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from datetime import date, time, timedelta

import pytest
from PIL import Image

from bot.features.checkin.chart import ChartDay, checkin_chart, render_checkin_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sample_days(count: int) -> list[ChartDay]:
    start = date(2026, 3, 2)
    days = []
    for i in range(count):
        day = start + timedelta(days=i)
        if day.weekday() >= 5:
            days.append(ChartDay(day))  # weekends: nothing to draw
            continue
        late = i % 4 == 2
        days.append(
            ChartDay(
                day,
                mood=1 + i % 5,
                energy=("low", "ok", "high")[i % 3],
                hours=("lt6", "6-8", "8-10", "10+")[i % 4],
                logoff=time(18, 45) if late else time(17, 25 + i % 10),
                late=late,
                target=time(17, 30),
            )
        )
    return days


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Walk the PNG chunk by chunk, checking every CRC (what a strict decoder does)."""
    assert data.startswith(PNG_SIGNATURE)
    chunks = []
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


@pytest.mark.parametrize("count", [0, 1, 7, 30])
def test_chart_is_a_valid_png_sized_for_chat_previews(count: int) -> None:
    png = render_checkin_chart(sample_days(count), title=f"Your last {count} days")
    chunks = png_chunks(png)
    width, height = struct.unpack(">II", chunks[0][1][:8])
    # Wide enough to be sharp, small enough that a preview shrinks it by at most ~2×.
    assert 600 <= width <= 900 and 250 <= height <= 700
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel
    assert image.size == (width, height)
    # Not a blank canvas: a chart has ink on it.
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 10


def test_days_without_any_value_still_render() -> None:
    empty_week = [ChartDay(date(2026, 3, 2) + timedelta(days=i)) for i in range(7)]
    png_chunks(render_checkin_chart(empty_week, title="Quiet week"))


async def test_rendering_runs_off_the_event_loop() -> None:
    """While a chart renders, the loop keeps running other tasks (it is in a thread)."""
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    png = await checkin_chart(sample_days(30), title="Off the loop")
    stop.set()
    await task
    assert png.startswith(PNG_SIGNATURE)
    assert ticks > 1  # a render on the loop itself would have let the ticker run at most once
