"""The way into and out of the offline demo, wherever a person looks for it: a File-menu entry
and a button on the sign-in page. Inside the demo both say *Leave the demo*; outside it, once a
demo profile exists (core/demo.py keeps it), they bring the person back in one click, still
signed in as before."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QBoxLayout, QMenu, QPushButton, QWidget

from desktop_app.core import demo
from desktop_app.core.i18n import N_, _

LEAVE_TEXT = N_("&Leave the demo")
ENTER_MENU_TEXT = N_("Try the offline de&mo")
BACK_TEXT = N_("Back to the offline de&mo")


class DemoControls(QObject):
    enter_requested = Signal()
    leave_requested = Signal()

    def __init__(self, menu: QMenu, before: QAction, page: QWidget, row: QBoxLayout) -> None:
        """``row``: the layout of ``page``'s buttons, ending in a stretch."""
        super().__init__(page)
        self._in_demo = False
        self.action = QAction(_(ENTER_MENU_TEXT), menu)
        self.action.triggered.connect(self._activated)
        menu.insertAction(before, self.action)
        menu.insertSeparator(before)
        self.button = QPushButton(_(BACK_TEXT), page)
        self.button.setFlat(True)
        self.button.clicked.connect(self._activated)
        self.button.hide()
        row.insertWidget(max(row.count() - 1, 0), self.button)
        self.show_mode(in_demo=False, home=None)

    @property
    def in_demo(self) -> bool:
        return self._in_demo

    def show_mode(self, *, in_demo: bool, home: Path | None) -> None:
        """``home``: the demo's folder, to offer the way back when there is one to go to."""
        self._in_demo = in_demo
        if in_demo:
            self.action.setText(_(LEAVE_TEXT))
            self.action.setToolTip(_("Stop the offline demo and use your own tenant's settings"))
            self.button.setText(_(LEAVE_TEXT))
            self.button.setAccessibleName(_("Leave the demo"))
            self.button.setToolTip(self.action.toolTip())
            self.button.show()
            return
        self.action.setText(_(ENTER_MENU_TEXT))
        self.action.setToolTip(_("Sign in to a built-in stand-in for Microsoft Entra ID"))
        self.button.setText(_(BACK_TEXT))
        self.button.setAccessibleName(_("Back to the offline demo"))
        self.button.setToolTip(_("The demo is kept as you left it, signed in"))
        self.button.setVisible(home is not None and demo.has_been_used(home))

    def _activated(self) -> None:
        (self.leave_requested if self._in_demo else self.enter_requested).emit()
