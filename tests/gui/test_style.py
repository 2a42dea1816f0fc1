"""Colours follow the system's light or dark scheme."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.style import DARK, LIGHT, is_dark, stylesheet


def palette(window_colour: str, text_colour: str) -> QPalette:
    result = QPalette()
    result.setColor(QPalette.ColorRole.Window, QColor(window_colour))
    result.setColor(QPalette.ColorRole.WindowText, QColor(text_colour))
    return result


def test_dark_palette_gets_dark_colours() -> None:
    dark, light = palette("#202124", "#e8eaed"), palette("#f0f0f0", "#000000")
    assert is_dark(dark) and not is_dark(light)
    assert DARK.surface in stylesheet(dark) and LIGHT.window not in stylesheet(dark)
    assert LIGHT.surface in stylesheet(light)


def test_window_restyles_when_the_scheme_changes(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    window = MainWindow()
    qtbot.addWidget(window)
    original = QApplication.palette()
    try:
        QApplication.setPalette(palette("#202124", "#e8eaed"))
        qtbot.waitUntil(lambda: DARK.surface in window.styleSheet())
        QApplication.setPalette(palette("#f6f7f9", "#000000"))
        qtbot.waitUntil(lambda: LIGHT.surface in window.styleSheet())
    finally:
        QApplication.setPalette(original)
