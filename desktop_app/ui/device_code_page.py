"""The device code sign-in: the code, big and copyable, where to enter it, and Cancel."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from desktop_app.core.i18n import _
from desktop_app.session.state import DeviceCodePrompt
from desktop_app.ui.clipboard import copy_button_text
from desktop_app.ui.keyboard import set_defaults
from desktop_app.ui.on_screen_timer import OnScreenTimer
from desktop_app.ui.pages import center_card, page_card
from desktop_app.ui.widgets import heading, muted, plain_label


class DeviceCodePage(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card, layout = page_card(self)
        layout.addWidget(heading(_("Sign in from another device"), card, 18))
        self.instructions = plain_label(_("Asking the identity provider for a code…"), card)
        layout.addWidget(self.instructions)
        self.uri = plain_label("", card, selectable=True)
        self.uri.setObjectName("deviceUri")
        layout.addWidget(self.uri)
        self.code = plain_label("", card)
        self.code.setObjectName("deviceCode")
        self.code.setWordWrap(False)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.code.font()
        font.setPointSize(26)
        font.setBold(True)
        font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 4)
        self.code.setFont(font)
        layout.addWidget(self.code)
        self.expiry = muted("", card)
        layout.addWidget(self.expiry)
        buttons = QHBoxLayout()
        self.copy_code_button = QPushButton(_("&Copy code"), card)
        self.copy_code_button.setProperty("primary", True)
        self.copy_code_button.setEnabled(False)
        self.copy_code_button.clicked.connect(self._copy_code)
        self.copy_uri_button = QPushButton(_("Copy a&ddress"), card)
        self.copy_uri_button.setEnabled(False)
        self.copy_uri_button.clicked.connect(self._copy_uri)
        self.cancel_button = QPushButton(_("Cancel"), card)
        self.cancel_button.clicked.connect(self.cancel_requested)
        for button in (self.copy_code_button, self.copy_uri_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        center_card(self, card)
        # Enter copies the code (the one thing to do here); Cancel never is the default
        self.keyboard = set_defaults(self, self.copy_code_button)
        self._prompt: DeviceCodePrompt | None = None
        self._countdown = OnScreenTimer(self, 1000, self._tick)  # while the page is seen

    def show_prompt(self, prompt: DeviceCodePrompt | None) -> None:
        self._prompt = prompt
        if prompt is None:
            self._countdown.stop()
            self.instructions.setText(_("Asking the identity provider for a code…"))
            for label in (self.uri, self.code, self.expiry):
                label.setText("")
        else:
            self.instructions.setText(
                _(
                    "On your phone or another computer, open this address in a browser and enter "
                    "the code. This window updates by itself when you are done."
                )
            )
            self.uri.setText(prompt.verification_uri)
            self.code.setText(prompt.user_code)
            self._countdown.start()
            self._tick()
        self.copy_code_button.setEnabled(prompt is not None)
        self.copy_uri_button.setEnabled(prompt is not None)
        focused = self.focusWidget()
        if prompt is not None and self.isVisible() and focused in (None, self.cancel_button):
            self.keyboard.focus_now()  # the code arrived: Copy code, not Cancel, has the focus

    def _tick(self) -> None:
        if self._prompt is None:
            return
        left = max(0, int(self._prompt.expires_at - time.time()))
        self.expiry.setText(
            _("The code expires in {minutes}:{seconds:02d}.").format(
                minutes=left // 60, seconds=left % 60
            )
        )
        if not left:
            self._countdown.stop()

    def _copy_code(self) -> None:
        if self._prompt is not None:
            copy_button_text(self.copy_code_button, self._prompt.user_code)

    def _copy_uri(self) -> None:
        if self._prompt is not None:
            copy_button_text(self.copy_uri_button, self._prompt.verification_uri)
