"""What a person must never be shown raw: characters that are drawn as nothing or reorder or move
what is around them (the tests' own definition, written apart from desktop_app/core/text.py)."""

from __future__ import annotations

import unicodedata

# needed to spell Persian, the Indic scripts and emoji sequences; they reorder nothing
JOINERS = frozenset("\u200c\u200d")
FILLERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers: letters that draw as nothing
SAMPLES = (
    "\u202e",  # right-to-left override: "Graham\u202egnp.exe" reads "Grahamexe.png"
    "\u2067",  # right-to-left isolate
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark / zero-width no-break space
    "\u00ad",  # soft hyphen
    "\U000e0041",  # tag letter A: invisible text
    "\u2028",  # line separator
    "\x1b",  # escape: starts terminal sequences
    "\x07",  # bell
    "\x85",  # next line (C1)
    "\x00",
    "\u3164",  # Hangul filler
)


def deceptive_chars(text: str, *, multi_line: bool = True) -> list[str]:
    """The characters of ``text`` no person should be shown raw."""
    allowed = "\n\t" if multi_line else ""
    found = []
    for ch in text:
        if ch in JOINERS or ch in allowed:
            continue
        if ch in FILLERS or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            found.append(ch)
    return found
