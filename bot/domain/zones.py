"""Time zone names: resolve what a person typed to an IANA zone, or suggest close ones."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "COMMON_ZONES",
    "ZoneMatch",
    "format_offset",
    "resolve_zone",
    "safe_zone",
    "search_zones",
]

_ALIASES = {"utc": "UTC", "gmt": "UTC", "z": "UTC"}


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    zone: str | None
    suggestions: tuple[str, ...] = ()


@cache
def _zones() -> tuple[str, ...]:
    # Skip legacy aliases (US/Eastern, Etc/GMT+5 …) from suggestions; they still resolve.
    return tuple(
        sorted(
            z
            for z in available_timezones()
            if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
        )
    )


@cache
def _by_lower() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def resolve_zone(text: str) -> ZoneMatch:
    """``Europe/Berlin`` (any case), ``berlin``, ``New York`` → the zone; otherwise up to
    five suggestions, closest first."""
    cleaned = text.strip().replace(" ", "_")
    if not cleaned:
        return ZoneMatch(None, ("Europe/Berlin", "America/New_York", "Asia/Kolkata"))
    lower = cleaned.lower()
    if lower in _ALIASES:
        return ZoneMatch(_ALIASES[lower])
    if lower in _by_lower():
        return ZoneMatch(_by_lower()[lower])
    city_matches = [z for z in _zones() if z.lower().rsplit("/", 1)[-1] == lower]
    if len(city_matches) == 1:
        return ZoneMatch(city_matches[0])
    if city_matches:
        return ZoneMatch(None, tuple(city_matches[:5]))
    candidates = {z.lower(): z for z in _zones()}
    cities = {z.lower().rsplit("/", 1)[-1]: z for z in _zones()}
    found: list[str] = []
    for hit in difflib.get_close_matches(lower, list(candidates), n=5, cutoff=0.5):
        found.append(candidates[hit])
    city_part = lower.rsplit("/", 1)[-1]
    for hit in difflib.get_close_matches(city_part, list(cities), n=5, cutoff=0.6):
        if cities[hit] not in found:
            found.append(cities[hit])
    if not found:
        area = lower.split("/", 1)[0]
        found = [z for z in _zones() if z.lower().startswith(area + "/")][:3]
    return ZoneMatch(None, tuple(found[:5]))


# Offered first when someone has typed nothing yet: one or two per populous region.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


def search_zones(text: str, *, limit: int = 25) -> list[str]:
    """Zones for a half-typed name, best first, for autocomplete: exact, then names or
    cities that start with the text, then ones that contain it, then close spellings.
    Nothing typed gives :data:`COMMON_ZONES`."""
    cleaned = text.strip().replace(" ", "_").lower()
    if not cleaned:
        return list(COMMON_ZONES[:limit])
    found: list[str] = []

    def add(zones: list[str] | tuple[str, ...]) -> None:
        for zone in zones:
            if zone not in found:
                found.append(zone)

    if cleaned in _ALIASES:
        add([_ALIASES[cleaned]])
    if cleaned in _by_lower():
        add([_by_lower()[cleaned]])
    zones = _zones()
    add([z for z in zones if z.lower().startswith(cleaned)])
    add([z for z in zones if z.lower().rsplit("/", 1)[-1].startswith(cleaned)])
    add([z for z in zones if cleaned in z.lower()])
    if len(found) < limit:
        add(resolve_zone(text).suggestions)
    return found[:limit]


def safe_zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The zone called ``name``, or ``fallback`` if it is missing or unknown."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def format_offset(zone: ZoneInfo, at: datetime) -> str:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# Legacy abbreviations the zone database keeps as fixed offsets (no daylight saving): valid,
# but a person who types them almost always means a place whose clocks change for summer.
_FIXED_MEANT = {"EST": "America/New_York", "MST": "America/Denver"}


def place_zone_for(zone: str) -> str | None:
    """For a legacy zone name (``EST``, ``CET``), the place zone the person likely means."""
    return _FIXED_MEANT.get(zone)
