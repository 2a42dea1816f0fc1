"""Hostile and malformed values for property tests: markup, scripts, right-to-left and emoji
text, control characters, NULs, megabyte strings, and JSON of the wrong type."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.support.deceptive import SAMPLES as DECEPTIVE_SAMPLES

MEGABYTE = "A" * 1_000_000  # one long word: nothing to break a line on
MEGABYTE_WORDS = ("<b>x</b> " * 111_112)[:1_000_000]

SAMPLES = (
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>call</a>",
    "&amp; &lt;b&gt; &#x3c;i>",
    "</td></tr><tr><td>injected",
    "<html><body><h1>big</h1></body></html>",
    "مريم מרים",  # right-to-left
    "Graham\u202egnp.exe",  # right-to-left override
    "🦄👩🏽‍💻🇳🇱",
    "a\x00b",
    "\x00",
    "line\nbreak\r\ttab",
    "\u200b\ufeff\u00ad",
    "\ud800",  # a lone surrogate: JSON's "\ud800" escape decodes to one
    "a\udfffb",
    "",
    " ",
    MEGABYTE,
    MEGABYTE_WORDS,
)

# text with format and control characters mixed in (tests/support/deceptive.py's samples)
mixed_text = st.lists(
    st.one_of(st.sampled_from(DECEPTIVE_SAMPLES), st.text(max_size=6)), max_size=12
).map("".join)
hostile_text = st.one_of(st.sampled_from(SAMPLES), st.text(max_size=200), mixed_text)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=8,
)
# A value where a string belongs: mostly strings (hostile ones), sometimes the wrong type
field_values = st.one_of(hostile_text, hostile_text, json_values)
