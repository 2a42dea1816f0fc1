"""core/text.py: untrusted text shown as it is, never obeyed."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.text import MAX_SHOWN_CHARS, shown, shown_unchanged
from tests.support.deceptive import SAMPLES, deceptive_chars
from tests.support.hostile import hostile_text


def test_a_right_to_left_override_is_shown_not_obeyed() -> None:
    # "Graham\u202egnp.exe" would read "Grahamexe.png"
    assert shown("Graham\u202egnp.exe") == "Graham\\u202egnp.exe"


def test_every_kind_of_deceptive_character_becomes_its_escape() -> None:
    for ch in SAMPLES:
        text = shown(f"a{ch}b", one_line=True)
        assert deceptive_chars(text, multi_line=False) == [], repr(ch)
        assert text.startswith("a") and text.endswith("b") and len(text) > 2, repr(ch)
    assert shown("\U000e0041") == "\\U000e0041"
    assert shown("\x1b[31m") == "\\u001b[31m"  # no terminal sequence reaches a terminal


def test_what_spells_a_language_or_an_emoji_is_kept() -> None:
    for text in ("می\u200cخواهم", "👩🏽\u200d💻", "مريم מרים", "🇳🇱", "e\u0301", "︎☺\ufe0f", "Zoë"):
        assert shown(text) == text


def test_line_breaks_stay_in_multi_line_text_and_are_escaped_on_one_line() -> None:
    assert shown("a\r\nb\tc") == "a\nb\tc"
    assert shown("a\r\nb\tc", one_line=True) == "a\\r\\nb\\tc"
    assert shown("a\rb") == "a\\rb"  # a lone carriage return would overwrite on a terminal


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert shown("a\ud800b") == "a\ufffdb"
    assert shown("a\ud800b").encode("utf-8") == "a\ufffdb".encode()


def test_long_text_is_cut_and_says_so() -> None:
    assert shown("x" * 10) == "x" * 10
    assert shown("x" * 10, limit=4) == "xxxx…"
    assert len(shown("\u202e" * 1_000_000)) == MAX_SHOWN_CHARS + 1  # cut before expanding


def test_for_json_the_escapes_are_jsons_and_parse_back_to_the_same_values() -> None:
    value = {"name": "Graham\u202egnp.exe", "tag": "\U000e0041x", "bad": "\ud800", "ok": "مريم"}
    text = shown(json.dumps(value, ensure_ascii=False), for_json=True, limit=10_000)
    assert deceptive_chars(text) == []
    assert json.loads(text) == value
    assert "مريم" in text  # readable, not ensure_ascii's \u escapes


@settings(max_examples=300)
@given(hostile_text, st.booleans())
def test_any_text_comes_out_with_nothing_hidden(text: str, one_line: bool) -> None:
    out = shown(text, one_line=one_line)
    assert deceptive_chars(out, multi_line=not one_line) == []
    assert len(out) <= 10 * MAX_SHOWN_CHARS + 1
    out.encode("utf-8")  # no lone surrogate left
    if not deceptive_chars(text) and len(text) <= MAX_SHOWN_CHARS:
        assert out == text  # ordinary text is untouched
    assert shown(out, one_line=one_line, limit=len(out)) == out  # showing twice changes nothing


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=5), hostile_text, max_size=4))
def test_json_output_parses_back_whatever_it_holds(value: dict[str, str]) -> None:
    small = {k: v[:300] for k, v in value.items()}
    text = json.dumps(small, ensure_ascii=False)
    out = shown(text, for_json=True, limit=10 * len(text) + 1)
    assert deceptive_chars(out) == []
    assert json.loads(out) == small


def test_own_direction_isolates_what_would_be_reordered_in_a_right_to_left_line() -> None:
    from desktop_app.core.text import FSI, PDI, RLM, own_direction

    assert own_direction("Alice (Contoso)") == f"{RLM}{FSI}Alice (Contoso){PDI}"
    assert own_direction("حُفظ في /tmp/config.toml.") == f"{RLM}حُفظ في {FSI}/tmp/config.toml{PDI}."
    assert own_direction("مرّر --tenant الآن") == f"{RLM}مرّر {FSI}--tenant{PDI} الآن"
    # words that start with a letter are already drawn left to right, in order, with their
    # neighbours: isolating each would reverse "Microsoft Entra ID"
    assert own_direction("في Microsoft Entra ID") == f"{RLM}في Microsoft Entra ID"
    assert own_direction("سطر\nline") == f"{RLM}سطر\n{RLM}{FSI}line{PDI}"
    assert own_direction("") == ""


def test_own_direction_keeps_a_bracketed_english_phrase_whole() -> None:
    from desktop_app.core.text import FSI, PDI, RLM, own_direction

    reason = "ملف نص صريح (no Secret Service is running)"
    assert own_direction(reason) == f"{RLM}ملف نص صريح {FSI}(no Secret Service is running){PDI}"
    # a bracket opened by the Arabic words around stays theirs
    assert own_direction("Microsoft Entra ID (رمز مميز جديد)") == (
        f"{RLM}Microsoft Entra ID (رمز مميز جديد)"
    )


def test_own_direction_leaves_the_arabic_brackets_to_the_arabic() -> None:
    from desktop_app.core.text import RLM, own_direction

    # "(لا تعمل أي خدمة Secret Service)": the ")" closes the Arabic "(", and "Secret Service"
    # starts and ends with a letter: nothing to isolate
    text = "ملف (لا تعمل أي خدمة Secret Service)"
    assert own_direction(text) == RLM + text


@settings(max_examples=300)
@given(st.lists(st.one_of(hostile_text, st.text(max_size=40)), max_size=8), st.integers(0, 50))
def test_shown_unchanged_is_true_only_when_showing_changes_none(
    texts: list[str], limit: int
) -> None:
    # the Roles list's batch test: True must mean every text is shown exactly as it is
    if shown_unchanged(texts, limit):
        assert all(shown(text, one_line=True, limit=limit) == text for text in texts)
    if all(text.isprintable() and len(text) <= limit for text in texts):
        assert shown_unchanged(texts, limit) == all(
            shown(text, one_line=True, limit=limit) == text for text in texts
        )
