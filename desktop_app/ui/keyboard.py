"""Keyboard defaults for the window's pages and panels: which control has the focus when a page
appears, and which button Enter presses there.

A QPushButton's ``default`` only works inside a QDialog; the window's pages live in a QMainWindow,
so a page gets the same behaviour here: Enter that no control took (a text field passes it on)
presses the focused button, or else the page's default button.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QPushButton,
    QWidget,
)

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_FIELDS = (QLineEdit, QComboBox)  # Enter in these means "done": the default button


class KeyboardDefaults(QObject):
    """Attached to a page (a child of it, found by ``defaults_of``)."""

    def __init__(
        self, page: QWidget, default: QPushButton | None, focus: QWidget | None = None
    ) -> None:
        super().__init__(page)
        self.setObjectName("keyboard_defaults")
        self.page = page
        self.focus = focus
        self.default: QPushButton | None = None
        self.set_default(default)
        page.installEventFilter(self)

    def set_default(self, button: QPushButton | None) -> None:
        if self.default is not None and self.default is not button:
            self.default.setDefault(False)
        self.default = button
        if button is not None:
            button.setDefault(True)  # drawn as the default (the style's own emphasis)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.page
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            focused = QApplication.focusWidget()
            if isinstance(focused, QAbstractButton) and self.page.isAncestorOf(focused):
                button: QAbstractButton | None = focused  # Enter presses the focused button
            elif focused is None or focused is self.page or isinstance(focused, _FIELDS):
                button = self.default
            else:
                return False  # a list or tree passed Enter on: it is not "submit"
            if button is not None and button.isVisible() and button.isEnabled():
                button.click()
                return True
        return False

    def initial_focus(self) -> QWidget | None:
        """The control to focus when the page appears: the one named, if it can take focus,
        else the first enabled, visible control that can."""
        wanted = self.focus if self.focus is not None else self.default
        if wanted is not None and wanted.isVisible() and wanted.isEnabled():
            return wanted
        for child in self.page.findChildren(QWidget):
            if (
                child.focusPolicy() & Qt.FocusPolicy.TabFocus
                and child.isVisible()
                and child.isEnabled()
                and (not isinstance(child, QAbstractButton) or child.text())
            ):
                return child
        return None

    def focus_now(self) -> None:
        target = self.initial_focus()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)


def set_defaults(
    page: QWidget, default: QPushButton | None, focus: QWidget | None = None
) -> KeyboardDefaults:
    """``default``: what Enter presses on ``page``; ``focus``: what has the focus when it
    appears (the default button when not given)."""
    existing = defaults_of(page)
    if existing is not None:
        page.removeEventFilter(existing)
        existing.deleteLater()
        existing.setObjectName("")
    return KeyboardDefaults(page, default, focus)


def defaults_of(page: QWidget | None) -> KeyboardDefaults | None:
    if page is None:
        return None
    found = page.findChild(
        KeyboardDefaults, "keyboard_defaults", Qt.FindChildOption.FindDirectChildrenOnly
    )
    return found if isinstance(found, KeyboardDefaults) else None


def focus_page(page: QWidget | None) -> None:
    """Give the page's initial control the focus (the page just appeared)."""
    defaults = defaults_of(page)
    if defaults is not None:
        defaults.focus_now()
