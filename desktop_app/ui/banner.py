"""A dismissable message strip: what happened, what to do, and copyable details for support."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.errors import LanyardError
from desktop_app.core.i18n import _
from desktop_app.ui.accessibility import announce
from desktop_app.ui.clipboard import copy_button_text
from desktop_app.ui.widgets import plain_label


class Banner(QFrame):
    action_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 10, 10)
        text = QVBoxLayout()
        self.message = plain_label("", self)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.recommendation = plain_label("", self)
        text.addWidget(self.message)
        text.addWidget(self.recommendation)
        layout.addLayout(text, 1)
        self.action_button = QPushButton("", self)
        self.action_button.clicked.connect(self.action_requested)
        self.copy_button = QPushButton(_("Copy details"), self)
        self.copy_button.clicked.connect(self._copy)
        self.close_button = QPushButton(_("Dismiss"), self)
        self.close_button.clicked.connect(self.hide)
        for button in (self.action_button, self.copy_button, self.close_button):
            layout.addWidget(button)
        self.action_button.hide()  # only when the message has something to do
        self._error: LanyardError | None = None
        self._spoken = ""  # what the screen reader was last told
        self.hide()

    def show_error(self, error: LanyardError, severity: str = "error", action: str = "") -> None:
        self._error = error
        self.setProperty("severity", severity)
        self.style().unpolish(self)
        self.style().polish(self)
        self.message.setText(error.message)
        self.recommendation.setText(error.recommendation)
        self.recommendation.setVisible(bool(error.recommendation))
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self.copy_button.setVisible(bool(error.details))
        # said without moving the focus; an error interrupts what is being read, a notice
        # waits. The same message shown again while it is on screen is not said twice.
        spoken = " ".join(part for part in (error.message, error.recommendation) if part)
        repeated = self.isVisible() and spoken == self._spoken
        self._spoken = spoken
        self.show()
        if not repeated:
            announce(self, spoken, assertive=severity == "error")

    def _copy(self) -> None:
        if self._error is not None:
            copy_button_text(self.copy_button, self._error.support_text())
