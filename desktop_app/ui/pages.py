"""The pages shown before someone is signed in: welcome, waiting for the browser, set-up."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop_app.auth.results import Account
from desktop_app.ui.widgets import clear_layout, heading, muted, plain_label


def page_card(parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(parent)
    card.setObjectName("card")
    card.setMaximumWidth(560)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(32, 28, 32, 28)
    layout.setSpacing(12)
    return card, layout


def center_card(page: QWidget, card: QFrame) -> None:
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 3)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


class WelcomePage(QWidget):
    sign_in_requested = Signal()
    device_code_requested = Signal()
    account_chosen = Signal(object)  # Account: a saved account to continue with

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card, layout = page_card(self)
        layout.addWidget(heading("Sign in to Lanyard", card, 18))
        layout.addWidget(
            plain_label(
                "Lanyard shows your Microsoft Entra ID profile and the app roles in your sign-in. "
                "It opens your web browser so you sign in on Microsoft's page, never in this window.",
                card,
            )
        )
        self.hint = muted("", card)
        self.hint.hide()
        layout.addWidget(self.hint)
        self.saved_title = muted("Saved on this computer:", card)
        self.saved_title.hide()
        layout.addWidget(self.saved_title)
        self._saved = QVBoxLayout()
        self._saved.setSpacing(6)
        self.account_buttons: list[QPushButton] = []
        layout.addLayout(self._saved)
        self.sign_in_button = QPushButton("Sign in", card)
        self.sign_in_button.setProperty("primary", True)
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.device_code_button = QPushButton("Sign in from another device…", card)
        self.device_code_button.setFlat(True)
        self.device_code_button.setToolTip(
            "Get a code to enter in a browser on your phone or another computer"
        )
        self.device_code_button.clicked.connect(self.device_code_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.device_code_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        center_card(self, card)

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def set_accounts(self, accounts: list[Account]) -> None:
        """One 'Continue as …' button per account saved in the cache."""
        clear_layout(self._saved)
        self.account_buttons = []
        for account in accounts:
            name = account.username or account.home_account_id
            # '&' would become a keyboard mnemonic in a button's text
            button = QPushButton(f"Continue as {name.replace('&', '&&')}", self)
            button.setAccessibleName(f"Continue as {name}")
            button.clicked.connect(partial(self.account_chosen.emit, account))
            self._saved.addWidget(button)
            self.account_buttons.append(button)
        self.saved_title.setVisible(bool(accounts))
        self.sign_in_button.setText("Sign in with another account" if accounts else "Sign in")


class WaitingPage(QWidget):
    cancel_requested = Signal()
    device_code_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card, layout = page_card(self)
        layout.addWidget(heading("Waiting for the browser…", card, 18))
        layout.addWidget(
            plain_label(
                "Finish signing in in the browser window Lanyard opened. "
                "This window updates by itself when you are done.",
                card,
            )
        )
        self.link_note = muted("If no browser opened, copy the sign-in link into one.", card)
        layout.addWidget(self.link_note)
        buttons = QHBoxLayout()
        self.copy_link_button = QPushButton("Copy sign-in link", card)
        self.copy_link_button.setEnabled(False)
        self.copy_link_button.clicked.connect(self._copy_link)
        self.device_code_button = QPushButton("Use a code instead", card)
        self.device_code_button.setToolTip("Sign in from a browser on another device")
        self.device_code_button.clicked.connect(self.device_code_requested)
        self.cancel_button = QPushButton("Cancel", card)
        self.cancel_button.clicked.connect(self.cancel_requested)
        buttons.addWidget(self.copy_link_button)
        buttons.addWidget(self.device_code_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        center_card(self, card)
        self._url = ""

    def set_url(self, url: str) -> None:
        self._url = url
        self.copy_link_button.setEnabled(bool(url))

    def _copy_link(self) -> None:
        QGuiApplication.clipboard().setText(self._url)


class SetupPage(QWidget):
    """Shown when no client id is configured, or the configuration is wrong: what to do, plainly."""

    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card, layout = page_card(self)
        self.title = heading("Set up Lanyard for your organisation", card, 18)
        layout.addWidget(self.title)
        self.problem = plain_label("", card, selectable=True)
        self.problem.setProperty("warning", True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.instructions = plain_label("", card, selectable=True)
        layout.addWidget(self.instructions)
        self.demo_button = QPushButton("Try the offline demo", card)
        self.demo_button.setProperty("primary", True)
        self.demo_button.clicked.connect(self.demo_requested)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)
        center_card(self, card)

    def show_setup(self, config_file: Path | None, problem: str = "") -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        where = str(config_file) if config_file else "the config file"
        self.instructions.setText(
            "Lanyard needs the Application (client) ID of an app registration in Microsoft Entra "
            "ID (a public client with redirect URI http://localhost).\n\n"
            f"Put it in {where}:\n\n"
            '    client_id = "00000000-0000-0000-0000-000000000000"\n'
            '    tenant = "contoso.onmicrosoft.com"\n\n'
            "or set LANYARD_CLIENT_ID and LANYARD_TENANT, or pass --client-id and --tenant. "
            "The README explains the registration step by step."
        )
