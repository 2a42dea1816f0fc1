"""Untrusted text made safe to show: one function for every place Lanyard shows what a server, a
token, a directory or a cache sent (the window's labels, tables and JSON view, the terminal).

What a person reads must be what the text holds. Unicode's format characters change how text
around them is drawn without being drawn themselves: a right-to-left override makes
``Graham\\u202egnp.exe`` read "Grahamexe.png", a zero-width space splits a name that looks whole,
a word joiner or an invisible separator hides inside an address. Control characters move the
terminal's cursor or start escape sequences. Each is shown as its escape, ``\\u202e``, instead,
so the person sees that something is there, and what (the form JSON and Python write it in).

Kept as they are: ZWNJ and ZWJ (U+200C, U+200D), which Persian, the Indic scripts and emoji
sequences need to be spelled right, and which reorder nothing. A lone surrogate (JSON's "\\ud800"
decodes to one; Qt drops it and UTF-8 cannot encode it) becomes U+FFFD. Newlines and tabs stay
unless ``one_line`` (a CRLF becomes a newline).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# a hostile directory or token can carry megabyte strings, which freeze the window while Qt lays
# them out (14 s for 1 MB); nobody reads past this
MAX_SHOWN_CHARS = 4096

_JOINERS = frozenset("\u200c\u200d")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# fillers that are letters to Unicode (so printable) yet draw as nothing
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


def _visible(ch: str, for_json: bool) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    if for_json:  # JSON spells a character beyond the BMP as its UTF-16 surrogate pair
        high, low = divmod(code - 0x10000, 0x400)
        return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
    return f"\\U{code:08x}"


def _replacement(ch: str, one_line: bool, for_json: bool) -> str:
    if ch in "\n\t":
        return _ESCAPES[ch] if one_line else ch
    if "\ud800" <= ch <= "\udfff":
        return _visible(ch, for_json) if for_json else "\ufffd"
    if ch in _JOINERS:
        return ch
    category = unicodedata.category(ch)
    # Cc: controls; Cf: format characters (bidi controls, invisible separators, tags);
    # Zl/Zp: line and paragraph separators. Variation selectors (Mn) only pick a glyph: kept.
    if category in ("Cc", "Cf", "Zl", "Zp"):
        return _ESCAPES.get(ch) or _visible(ch, for_json)
    if ch in _FILLERS:
        return _visible(ch, for_json)
    return ch


def shown_unchanged(texts: Sequence[str], limit: int = MAX_SHOWN_CHARS) -> bool:
    """Whether ``shown(text, one_line=True, limit=limit)`` is ``text`` for each of ``texts``:
    all short and printable (no line break, no control, format character or filler). Tested
    on all of them at once, at C speed: 10,000 roles one by one took 4 ms of the GUI thread."""
    if any(len(text) > limit for text in texts):
        return False
    joined = "".join(texts)
    return joined.isprintable() and _FILLERS.isdisjoint(joined)


def shown(
    text: str, *, one_line: bool = False, for_json: bool = False, limit: int = MAX_SHOWN_CHARS
) -> str:
    """``text`` as Lanyard shows it: every invisible or reordering character made visible,
    at most ``limit`` characters of it, then an ellipsis. ``one_line`` also shows line breaks and tabs
    as ``\\n``, ``\\t`` (for table cells, previews and the terminal). ``for_json``: ``text``
    is JSON that json.dumps wrote with ensure_ascii=False; the escapes are JSON's, so it still
    parses to the same values (a lone surrogate is kept as its escape, not replaced)."""
    # the quick test, in C: str.isprintable is False for every Cc, Cf, Cs, Zl, Zp (and Zs but
    # the space, Co, Cn, which the scan keeps); most text has none and is not scanned
    cut = len(text) > limit  # cut first: a megabyte of controls is not expanded sixfold
    if cut:
        text = text[:limit]
    if not text.isprintable() or not _FILLERS.isdisjoint(text):
        if one_line:
            text = "".join(_replacement(ch, one_line, for_json) for ch in text)
        else:
            # line by line: a line break alone makes text unprintable, and a long document (a
            # token's claims as JSON) is mostly printable lines, kept at C speed
            text = "\n".join(
                line
                if line.isprintable() and _FILLERS.isdisjoint(line)
                else "".join(_replacement(ch, one_line, for_json) for ch in line)
                for line in text.replace("\r\n", "\n").split("\n")
            )
    if cut or len(text) > limit:
        text = text[:limit] + "…"
    return text


# a first-strong isolate and its end (Unicode's bidi algorithm, UAX #9): what they wrap is laid
# out in its own direction, and moves nothing around it
FSI, PDI = "\u2068", "\u2069"
# a right-to-left mark: the paragraph's direction is right to left even when its first letter is
# Latin ("Microsoft Entra ID (رمز مميز جديد)"), so it is aligned with the window's text
RLM = "\u200f"


def _has_right_to_left(line: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in line)


_PAIRS = {"(": ")", "[": "]", "{": "}"}


def _unmatched(text: str, bracket: str) -> bool:
    """Whether ``bracket`` has more of itself in ``text`` than of its partner."""
    partner = _PAIRS.get(bracket) or next(o for o, c in _PAIRS.items() if c == bracket)
    return text.count(bracket) > text.count(partner)


def _isolated_run(match: re.Match[str]) -> str:
    run = match.group(0)
    # what belongs to the right-to-left text around: a bracket the run does not close or open
    # itself (at either end), the sentence's own punctuation at its end
    start, end = 0, len(run)
    while start < end and run[start] in "()[]{}" and _unmatched(run[start:end], run[start]):
        start += 1
    while end > start and (
        run[end - 1] in ".,;:!?"
        or (run[end - 1] in "()[]{}" and _unmatched(run[start:end], run[end - 1]))
    ):
        end -= 1
    core = run[start:end].strip()
    start = start + (len(run[start:end]) - len(run[start:end].lstrip()))
    end = start + len(core)
    if not re.search(r"[A-Za-z0-9]", core):
        return run
    if unicodedata.bidirectional(core[0]) == "L" and unicodedata.bidirectional(core[-1]) == "L":
        return run  # drawn left to right in order already
    return f"{run[:start]}{FSI}{core}{PDI}{run[end:]}"


# a stretch of text without a right-to-left letter, from a visible character to a visible one
_RUN = re.compile(
    r"[^\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\s](?:[^\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]*[^\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\s])?"
)


def own_direction(text: str) -> str:
    """``text`` (already ``shown``) as a right-to-left window draws it in its own direction: a
    line without a right-to-left letter (a name, an address, a claim, JSON) is isolated, so it
    reads left to right ("Alice (Contoso)", not ")Alice (Contoso"); a line with one (Lanyard's
    Arabic, an Arabic name) keeps the window's direction, and each left-to-right stretch in it
    that starts or ends with punctuation or a digit ("/tmp/config.toml", "--tenant", "(no Secret
    Service is running)") is isolated, or the algorithm would move that punctuation to its other
    end. ``shown`` escaped any isolate the text
    itself held, so every FSI/PDI/RLM here is Lanyard's. Each line starts with an RLM: it is
    aligned with the window (right), whatever it starts with."""
    return "\n".join(
        RLM + _RUN.sub(_isolated_run, line)
        if _has_right_to_left(line)
        else (f"{RLM}{FSI}{line}{PDI}" if line else line)
        for line in text.split("\n")
    )


def without_isolates(text: str) -> str:
    return text.replace(FSI, "").replace(PDI, "").replace(RLM, "")
