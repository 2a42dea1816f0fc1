"""ui/translation.py: the window's language from the setting, Qt's own words from the qtbase
translation PySide6 ships, QLocale's numbers, Arabic's right-to-left layout; and untrusted text
keeping its own direction in a right-to-left window (widgets.PlainLabel, core/text.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.core import i18n
from desktop_app.core.i18n import _
from desktop_app.core.text import FSI, PDI, RLM
from desktop_app.ui import translation
from desktop_app.ui.widgets import ElidedLabel, plain_label


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    translation.install(qapp, "en")


def _cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    button = box.button(QDialogButtonBox.StandardButton.Cancel)
    text = button.text()
    box.deleteLater()
    return text


def test_pyside6_ships_qt_s_own_german_and_arabic() -> None:
    folder = Path(translation.qt_translations_dir())
    assert (folder / "qtbase_de.qm").is_file()
    assert (folder / "qtbase_ar.qm").is_file()


def test_german_translates_lanyard_and_qt_and_writes_german_numbers(app: QApplication) -> None:
    assert translation.install(app, "de") == "de"
    assert _("options") == "Optionen"
    assert _cancel_text() == "Abbrechen"  # Qt's own standard button
    assert QLocale().toString(1234.5, "f", 1) == "1.234,5"
    assert app.layoutDirection() is Qt.LayoutDirection.LeftToRight


def test_arabic_mirrors_the_window(app: QApplication) -> None:
    assert translation.install(app, "ar") == "ar"
    assert app.layoutDirection() is Qt.LayoutDirection.RightToLeft
    assert _cancel_text() == "ألغِ"  # qtbase_ar.qm's word
    assert QLocale().toString(12345) == "١٢٬٣٤٥"


def test_english_takes_everything_back(app: QApplication) -> None:
    translation.install(app, "ar")
    assert translation.install(app, "en") == "en"
    assert _cancel_text() == "Cancel"
    assert app.layoutDirection() is Qt.LayoutDirection.LeftToRight
    assert not app.findChildren(translation.QTranslator, "lanyard_qt_translator")


def test_system_follows_the_system_locale(app: QApplication, monkeypatch) -> None:
    monkeypatch.setattr(translation.QLocale, "system", lambda: QLocale("de_DE"))
    assert translation.window_language("system") == "de"
    monkeypatch.setattr(translation.QLocale, "system", lambda: QLocale("fr_FR"))
    assert translation.window_language("system") == "en"  # not shipped
    assert translation.window_language("ar") == "ar"  # the setting wins


def test_untrusted_text_keeps_its_own_direction_in_arabic(app: QApplication, qtbot: QtBot) -> None:
    translation.install(app, "ar")
    name = plain_label("Alice Example (Contoso)")
    qtbot.addWidget(name)
    arabic_name = plain_label("محمد (Contoso)")
    qtbot.addWidget(arabic_name)
    own_words = plain_label(_("options"))
    qtbot.addWidget(own_words)
    # drawn isolated (left to right) though the window is right to left; its text unchanged
    assert super(type(name), name).text() == f"{RLM}{FSI}Alice Example (Contoso){PDI}"
    assert name.text() == "Alice Example (Contoso)"
    # right to left as the window, and its Latin word that starts with "(" isolated: the
    # parentheses stay around Contoso instead of moving to its other end
    assert super(type(arabic_name), arabic_name).text() == f"{RLM}محمد {FSI}(Contoso){PDI}"
    assert arabic_name.text() == "محمد (Contoso)"
    assert super(type(own_words), own_words).text() == f"{RLM}الخيارات"
    # the text's own isolates are escaped, never obeyed (core/text.shown)
    sneaky = plain_label("a\u2067b")
    qtbot.addWidget(sneaky)
    assert sneaky.text() == "a\\u2067b"
    line = ElidedLabel("someone@contoso.example")
    qtbot.addWidget(line)
    assert line.text() == "someone@contoso.example"
    assert line.shown_text() == "someone@contoso.example"


def test_english_draws_text_as_it_is(app: QApplication, qtbot: QtBot) -> None:
    translation.install(app, "en")
    name = plain_label("Alice Example (Contoso)")
    qtbot.addWidget(name)
    assert super(type(name), name).text() == "Alice Example (Contoso)"
    assert not i18n.is_right_to_left()


def test_times_keep_their_pattern_and_take_the_language_s_digits(app: QApplication) -> None:
    import time as clock

    from desktop_app.core.i18n import digits

    moment = clock.mktime((2026, 12, 4, 9, 5, 7, 0, 0, -1))
    translation.install(app, "en")
    assert translation.local_time(moment) == "09:05:07"
    assert translation.local_time(moment, "yyyy-MM-dd HH:mm") == "2026-12-04 09:05"
    translation.install(app, "de")
    assert translation.local_time(moment) == "09:05:07"
    translation.install(app, "ar")
    assert translation.local_time(moment) == "٠٩:٠٥:٠٧"
    assert digits("2026-12-04 UTC") == "٢٠٢٦-١٢-٠٤ UTC"  # the terminal's and the claims' way
