"""Text a person typed, made safe to show to others: invisible controls out, look-alikes
recognised.

Bidi controls can reverse how a poll option reads (``\u202e``), zero-width spaces and byte
order marks make two labels that look the same compare different. They are removed; the
zero-width joiner and non-joiner stay, because emoji sequences (👩‍💻) and scripts such as
Persian and the Indic ones need them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["look_alike_key", "strip_invisible"]

_INVISIBLE = re.compile(
    "[\u200b\u2060\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u00ad\u180e]"
)
# Letters from other scripts that are drawn like Latin ones (a small, common set from
# Unicode's confusables list: Cyrillic and Greek capitals and lower case).
_CONFUSABLE = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ο": "o", "ν": "v", "α": "a",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "А": "A", "В": "B",
        "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
        "Х": "X", "І": "I",
    }
)  # fmt: skip


def strip_invisible(text: str) -> str:
    """``text`` without bidi controls, zero-width spaces, soft hyphens and BOMs; otherwise
    exactly as typed (normalising would change some CJK compatibility ideographs)."""
    return _INVISIBLE.sub("", text)


def look_alike_key(text: str) -> str:
    """Equal for two labels a reader could not tell apart (case, width, look-alike letters)."""
    # NFKC folds full-width letters and the same letter typed two ways (é, e + ◌́).
    folded = unicodedata.normalize("NFKC", strip_invisible(text)).translate(_CONFUSABLE)
    return re.sub(r"\s+", " ", folded).strip().casefold()
