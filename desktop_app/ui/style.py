"""One stylesheet for the window: calm, readable, with room to breathe, light or dark.

The colours follow the system's scheme: Qt's palette says whether the desktop is dark (Qt 6 reads
the platform's colour scheme into it), and the stylesheet is built for that.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

ACCENT = "#2b5fd9"


@dataclass(frozen=True)
class Colours:
    window: str
    surface: str
    border: str
    text_muted: str
    button: str
    button_hover: str
    chip: str
    chip_text: str
    chip_border: str
    warning: str
    error_bg: str
    error_border: str
    warning_bg: str
    warning_border: str
    info_bg: str
    info_border: str
    ok: str = "#067647"
    bad: str = "#b42318"
    # the keyboard focus ring: it must stand out from the window, the surface AND a primary
    # (accent-coloured) button, so a primary button's ring is not its own colour
    focus: str = ACCENT
    focus_on_accent: str = "#0b1533"


LIGHT = Colours(
    "#f6f7f9", "white", "#e1e4ea", "#5b6270", "white", "#eef1f6", "#e7eefc", "#1d3f91",
    "#c5d5f7", "#9a3412", "#fdecec", "#f2b8b5", "#fff6e0", "#f0d58a", "#e8f1fd", "#b9d3f7",
)  # fmt: skip
DARK = Colours(
    "#1b1d22", "#25282f", "#3a3f4a", "#a3aab8", "#2e323a", "#383d47", "#24365f", "#c9d8ff",
    "#3d5590", "#fdba74", "#4a2323", "#8c3b3b", "#4a3b17", "#8a6d24", "#1f3350", "#3e5f8f",
    "#4ade80", "#f87171", "#8fb3ff", "#ffffff",
)  # fmt: skip


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def stylesheet(palette: QPalette, colours: Colours | None = None) -> str:
    c = colours or (DARK if is_dark(palette) else LIGHT)
    return f"""
QMainWindow, QWidget#central {{ background: {c.window}; }}
QLabel[muted="true"] {{ color: {c.text_muted}; }}
QLabel[warning="true"] {{ color: {c.warning}; }}
QLabel[notice="true"] {{ background: {c.warning_bg}; border: 1px solid {c.warning_border};
    border-radius: 6px; padding: 8px; }}
QFrame#card {{ background: {c.surface}; border: 1px solid {c.border}; border-radius: 10px; }}
QFrame#header {{ background: {c.surface}; border-bottom: 1px solid {c.border}; }}
QPushButton, QToolButton#headerButton {{ padding: 6px 14px; border-radius: 6px;
    border: 1px solid {c.border}; background: {c.button}; }}
QPushButton:hover, QToolButton#headerButton:hover {{ background: {c.button_hover}; }}
QToolButton#headerButton::menu-button {{ border-left: 1px solid {c.border}; width: 18px; }}
QToolButton#copyButton {{ padding: 1px 8px; border-radius: 4px; border: 1px solid {c.border};
    background: {c.button}; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT};
    font-weight: bold; padding: 9px 22px; }}
QPushButton[primary="true"]:hover {{ background: #234fb8; }}
/* a focus ring is a wider border: the padding gives back what it takes, so nothing moves
   and no text is clipped */
QPushButton:focus, QToolButton#headerButton:focus {{ border: 2px solid {c.focus};
    padding: 5px 13px; }}
QToolButton:focus {{ border: 2px solid {c.focus}; }}
QToolButton#copyButton:focus {{ border: 2px solid {c.focus}; padding: 0px 7px; }}
QPushButton[primary="true"]:focus {{ border: 3px solid {c.focus_on_accent};
    padding: 7px 20px; }}
QComboBox:focus {{ border: 2px solid {c.focus}; border-radius: 4px; }}
QAbstractItemView, QPlainTextEdit {{ border: 1px solid {c.border}; }}
QAbstractItemView:focus, QPlainTextEdit:focus {{ border: 2px solid {c.focus}; }}
QCheckBox:focus, QRadioButton:focus {{ border: 1px solid {c.focus}; border-radius: 3px; }}
QLabel#role {{ background: {c.chip}; color: {c.chip_text}; border: 1px solid {c.chip_border};
    border-radius: 10px; padding: 2px 10px; font-weight: bold; }}
QFrame#banner[severity="error"] {{ background: {c.error_bg}; border: 1px solid {c.error_border};
    border-radius: 8px; }}
QFrame#banner[severity="warning"] {{ background: {c.warning_bg};
    border: 1px solid {c.warning_border}; border-radius: 8px; }}
QFrame#banner[severity="info"] {{ background: {c.info_bg}; border: 1px solid {c.info_border};
    border-radius: 8px; }}
QLineEdit[fixed="true"] {{ background: {c.window}; border: 1px dashed {c.text_muted};
    border-radius: 4px; padding: 2px 4px; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border: 2px solid {c.bad}; border-radius: 4px; }}
QLabel#validation {{ color: {c.bad}; }}
QLabel#status[outcome="ok"] {{ color: {c.ok}; font-weight: bold; }}
QLabel#status[outcome="error"] {{ color: {c.bad}; font-weight: bold; }}
QTableWidget::item {{ padding: 3px 6px; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 8px 18px; }}
QTabBar::tab:focus {{ border: 2px solid {c.focus}; border-radius: 4px; padding: 6px 16px; }}
QStatusBar {{ background: {c.surface}; border-top: 1px solid {c.border}; }}
"""


def follow_scheme(widget: QWidget, event: QEvent) -> None:
    """From a top-level window's changeEvent: the desktop switched between light and dark, Qt
    updated the palette, and this updates the colours."""
    if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
        wanted = stylesheet(QGuiApplication.palette())
        if wanted != widget.styleSheet():  # setting it changes the palette again: no loop
            widget.setStyleSheet(wanted)
