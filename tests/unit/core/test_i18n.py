"""core/i18n.py: which language is chosen (the setting, the system locale as GNU gettext reads
it), the catalog installed and taken back, argparse's own words, numbers and relative times with
Arabic's plural forms; config.py's language setting from each place, wrong values named."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import i18n
from desktop_app.core.config import FILE_KEYS, ConfigError, load_config
from desktop_app.core.i18n import _, ngettext


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.install("en")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "ar_EG.UTF-8"}, "ar"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # not shipped
        ({"LANG": "de_DE.UTF-8", "LC_MESSAGES": "ar_SA.UTF-8"}, "ar"),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:de:en"}, "de"),  # the first shipped of the list
        ({"LANG": "C", "LANGUAGE": "de"}, "en"),  # GNU gettext ignores LANGUAGE under C
        ({"LC_ALL": "C.UTF-8", "LANGUAGE": "ar"}, "en"),
        ({"LANG": "de-AT"}, "de"),
    ],
)
def test_the_system_language_is_read_as_gnu_gettext_reads_it(
    env: dict[str, str], expected: str
) -> None:
    assert i18n.system_language(env) == expected


def test_the_setting_wins_over_the_system_and_system_follows_it() -> None:
    env = {"LANG": "de_DE.UTF-8"}
    assert i18n.resolve("ar", env) == "ar"
    assert i18n.resolve("system", env) == "de"
    assert i18n.resolve("", env) == "de"


def test_the_command_line_language_comes_from_the_flag_then_the_variable() -> None:
    env = {"LANG": "de_DE.UTF-8", "LANYARD_LANGUAGE": "ar"}
    assert i18n.early_language(["--language", "en", "whoami"], env) == "en"
    assert i18n.early_language(["whoami", "--language=de"], env) == "de"
    assert i18n.early_language(["whoami"], env) == "ar"
    assert i18n.early_language(["--", "--language", "en"], env) == "ar"  # after --: an operand


def test_installing_a_language_translates_and_english_takes_it_back() -> None:
    assert _("options") == "options"
    i18n.install("de")
    assert i18n.current_language() == "de"
    assert _("options") == "Optionen"
    assert _("not a marked string") == "not a marked string"  # unknown: the English itself
    assert argparse._("usage: ") == "Aufruf: "  # type: ignore[attr-defined]
    i18n.install("en")
    assert _("options") == "options"
    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]


def test_argparse_help_comes_out_in_german() -> None:
    i18n.install("de")
    parser = argparse.ArgumentParser(prog="x")
    text = parser.format_help()
    assert text.startswith("Aufruf: x")
    assert "Optionen:" in text
    assert "diese Hilfe zeigen und beenden" in text


def test_arabic_is_right_to_left_and_german_is_not() -> None:
    assert i18n.is_right_to_left("ar")
    assert not i18n.is_right_to_left("de")
    i18n.install("ar")
    assert i18n.is_right_to_left()


def test_a_missing_catalog_leaves_english(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.install("de")
    assert i18n.current_language() == "en"
    assert _("options") == "options"


def test_numbers_are_written_as_each_language_writes_them() -> None:
    assert i18n.number(1234567) == "1,234,567"
    i18n.install("de")
    assert i18n.number(1234.5, 1) == "1.234,5"
    i18n.install("ar")
    assert i18n.number(1234.5, 1) == "١٬٢٣٤٫٥"


def test_relative_times_in_english_keep_their_forms() -> None:
    assert i18n.relative_time(0.2) == "now"
    assert i18n.relative_time(30) == "in 30 s"
    assert i18n.relative_time(-300) == "5 min ago"
    assert i18n.relative_time(3 * 3600) == "in 3.0 h"
    assert i18n.relative_time(-3 * 86400) == "3 days ago"


def test_relative_times_in_german() -> None:
    i18n.install("de")
    assert i18n.relative_time(300) == "in 5 min"
    assert i18n.relative_time(-3 * 3600) == "vor 3,0 h"
    assert i18n.relative_time(-5 * 86400) == "vor 5 Tagen"


def test_arabic_plural_forms_come_from_the_catalog() -> None:
    i18n.install("ar")
    # nplurals=6: two is the dual, 3-10 the few, 11-99 the many
    assert i18n.relative_time(2 * 86400) == "خلال يومين"
    assert i18n.relative_time(5 * 86400) == "خلال ٥ أيام"
    assert i18n.relative_time(15 * 86400) == "خلال ١٥ يومًا"
    assert i18n.relative_time(100 * 86400) == "خلال ١٠٠ يوم"
    assert ngettext("in {n} day", "in {n} days", 1) == "خلال يوم واحد"


def test_language_is_a_setting_from_every_place() -> None:
    assert "language" in FILE_KEYS  # so the file, the environment and the policy carry it
    assert load_config({}, env={}).language == "system"
    assert load_config({}, env={"LANYARD_LANGUAGE": "de"}).language == "de"
    assert load_config({"language": "ar"}, env={"LANYARD_LANGUAGE": "de"}).language == "ar"
    assert load_config({}, env={"LANYARD_LANGUAGE": "AR"}).language == "ar"


def test_a_wrong_language_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({}, env={"LANYARD_LANGUAGE": "klingon"})
    assert caught.value.details["field"] == "language"
    assert "environment variable LANYARD_LANGUAGE" in caught.value.message
    assert "system, en, de, ar" in caught.value.message


def test_without_locale_variables_the_os_setting_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows sets no LANG, nor does macOS outside Terminal: a terminal command there follows
    the OS's display language (macOS's AppleLanguages; Windows' UI language id)."""
    import plistlib

    prefs = tmp_path / "Library" / "Preferences"
    prefs.mkdir(parents=True)
    (prefs / ".GlobalPreferences.plist").write_bytes(
        plistlib.dumps({"AppleLanguages": ["fr-FR", "de-DE", "en-US"]}, fmt=plistlib.FMT_BINARY)
    )
    assert i18n.os_languages("darwin", tmp_path) == ["fr-FR", "de-DE", "en-US"]
    assert i18n.os_languages("darwin", tmp_path / "nobody") == []  # no file: nothing
    (prefs / ".GlobalPreferences.plist").write_bytes(b"\x00damaged")
    assert i18n.os_languages("darwin", tmp_path) == []
    assert i18n.os_languages("linux") == []
    assert i18n.os_languages("win32") == []  # (no kernel32 here: nothing, never a crash)
    monkeypatch.setattr(i18n, "os_languages", lambda: ["fr-FR", "ar-EG"])
    assert i18n.system_language({}) == "ar"  # the first one Lanyard ships
    assert i18n.system_language({"LANG": "de_DE.UTF-8"}) == "de"  # a variable still wins
    assert i18n.system_language({"LANG": "C.UTF-8"}) == "en"
