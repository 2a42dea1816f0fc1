"""The pages shown before someone is signed in: welcome, waiting for the browser, set-up (the
settings form, for the first run)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.i18n import _
from desktop_app.ui.clipboard import copy_button_text
from desktop_app.ui.keyboard import set_defaults
from desktop_app.ui.widgets import clear_layout, heading, muted, plain_label

if TYPE_CHECKING:
    from desktop_app.auth.models import Account
    from desktop_app.core.config import ConfigError


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
        layout.addWidget(heading(_("Sign in to Lanyard"), card, 18))
        layout.addWidget(
            plain_label(
                _(
                    "Lanyard shows your Microsoft Entra ID profile and the app roles in your sign-in. "
                    "It opens your web browser so you sign in on Microsoft's page, never in this window."
                ),
                card,
            )
        )
        self.hint = muted("", card)
        self.hint.hide()
        layout.addWidget(self.hint)
        self.saved_title = muted(_("Saved on this computer:"), card)
        self.saved_title.hide()
        layout.addWidget(self.saved_title)
        self._saved = QVBoxLayout()
        self._saved.setSpacing(6)
        self.account_buttons: list[QPushButton] = []
        layout.addLayout(self._saved)
        self.sign_in_button = QPushButton(_("Sign in"), card)
        self.sign_in_button.setProperty("primary", True)
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.device_code_button = QPushButton(_("Sign in from another device…"), card)
        self.device_code_button.setFlat(True)
        self.device_code_button.setToolTip(
            _("Get a code to enter in a browser on your phone or another computer")
        )
        self.device_code_button.clicked.connect(self.device_code_requested)
        self.buttons = QHBoxLayout()  # ui/demo_controls.py adds the demo's way in or out
        self.buttons.addWidget(self.sign_in_button)
        self.buttons.addWidget(self.device_code_button)
        self.buttons.addStretch(1)
        layout.addLayout(self.buttons)
        center_card(self, card)
        self.keyboard = set_defaults(self, self.sign_in_button)

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
            button = QPushButton(_("Continue as {name}").format(name=name.replace("&", "&&")), self)
            button.setAccessibleName(_("Continue as {name}").format(name=name))
            button.clicked.connect(partial(self.account_chosen.emit, account))
            self._saved.addWidget(button)
            self.account_buttons.append(button)
        self.saved_title.setVisible(bool(accounts))
        self.sign_in_button.setText(_("Sign in with another account") if accounts else _("Sign in"))
        # Enter continues as the first saved account; without one it signs in
        first = self.account_buttons[0] if self.account_buttons else self.sign_in_button
        self.keyboard.set_default(first)
        if self.isVisible() and (self.focusWidget() is None or not self.focusWidget().isVisible()):
            self.keyboard.focus_now()


class WaitingPage(QWidget):
    cancel_requested = Signal()
    device_code_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card, layout = page_card(self)
        layout.addWidget(heading(_("Waiting for the browser…"), card, 18))
        layout.addWidget(
            plain_label(
                _(
                    "Finish signing in in the browser window Lanyard opened. "
                    "This window updates by itself when you are done."
                ),
                card,
            )
        )
        self.link_note = muted(_("If no browser opened, copy the sign-in link into one."), card)
        layout.addWidget(self.link_note)
        buttons = QHBoxLayout()
        self.copy_link_button = QPushButton(_("C&opy sign-in link"), card)
        self.copy_link_button.setEnabled(False)
        self.copy_link_button.clicked.connect(self._copy_link)
        self.device_code_button = QPushButton(_("Use a co&de instead"), card)
        self.device_code_button.setToolTip(_("Sign in from a browser on another device"))
        self.device_code_button.clicked.connect(self.device_code_requested)
        self.cancel_button = QPushButton(_("Cancel"), card)
        self.cancel_button.clicked.connect(self.cancel_requested)
        buttons.addWidget(self.copy_link_button)
        buttons.addWidget(self.device_code_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        center_card(self, card)
        self._url = ""
        # no default: the sign-in happens in the browser, and Enter must not cancel it
        self.keyboard = set_defaults(self, None, focus=self.copy_link_button)

    def set_url(self, url: str) -> None:
        self._url = url
        self.copy_link_button.setEnabled(bool(url))
        if url and self.isVisible() and self.focusWidget() is not self.cancel_button:
            self.keyboard.focus_now()  # the link arrived: Copy it has the focus

    def _copy_link(self) -> None:
        copy_button_text(self.copy_link_button, self._url)


class SetupPage(QWidget):
    """First run (no client id) or a wrong configuration: the settings form right here, to save
    and go on to sign-in without a restart, or the offline sandbox to look around first."""

    demo_requested = Signal()
    settings_saved = Signal(object)  # Config, written to the config file

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        scroll = QScrollArea(self)  # the form is taller than a small window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not to this
        body = QWidget(scroll)
        card, layout = page_card(body)
        card.setMaximumWidth(640)
        self.title = heading(_("Set up Lanyard"), card, 18)
        layout.addWidget(self.title)
        self.problem = plain_label("", card, selectable=True)
        self.problem.setProperty("warning", True)
        self.problem.setAccessibleName(_("Problem with the configuration"))
        self.problem.hide()
        layout.addWidget(self.problem)
        self.instructions = plain_label("", card, selectable=True)
        layout.addWidget(self.instructions)
        # imported with the page, which is built only when it is first shown (main_window.py)
        from desktop_app.ui.registration_help import RegistrationHelp
        from desktop_app.ui.settings_form import SettingsForm

        self.registration = RegistrationHelp(card)
        layout.addWidget(self.registration)
        self.form = SettingsForm(card)
        layout.addWidget(self.form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(_("&Save and continue"), card)
        self.save_button.setProperty("primary", True)
        self.save_button.setAccessibleName(_("Save settings and continue to sign-in"))
        self.save_button.clicked.connect(self.save)
        self.demo_button = QPushButton(_("Try the offline sa&ndbox"), card)
        self.demo_button.setAccessibleName(_("Try the offline sandbox"))
        self.demo_button.setToolTip(
            _("Sign in to a built-in stand-in for Microsoft Entra ID, on this computer only")
        )
        self.demo_button.clicked.connect(self.demo_requested)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # the sign-in broker is for an organisation's managed devices, and the language is the
        # system's until chosen (the window shows another from its next start): in File →
        # Settings… (and policy), not among the first steps, which stay on one screen
        for key in ("broker", "language"):
            row = self.form.rows[key]
            row.label.hide()
            row.box.hide()
        QWidget.setTabOrder(self.form.browse_button, self.save_button)
        QWidget.setTabOrder(self.save_button, self.demo_button)
        # the first field to fill in has the focus; Enter anywhere saves (a field passes it on)
        self.keyboard = set_defaults(self, self.save_button, focus=self.form.client_id)
        center_card(body, card)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._loaded = False
        self._flags: Mapping[str, object | None] = {}
        self._env: Mapping[str, str] | None = None

    def use_settings(
        self, flags: Mapping[str, object | None], env: Mapping[str, str] | None = None
    ) -> None:
        """The command-line flags (and environment) in force, so the form shows what overrides
        the file and saves to the file Lanyard reads."""
        self._flags, self._env = dict(flags), env
        self._loaded = False

    def show_setup(self, config_file: Path | None, problem: str = "") -> None:
        if not self._loaded:
            self.form.load(self._flags, self._env)
            self._loaded = True
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        where = str(config_file or self.form.path)
        self.instructions.setText(
            _(
                "Lanyard signs you in to your organisation's Microsoft Entra ID through an app registration of its own, made once by you or your administrator. Enter its client ID below: Lanyard saves it in {where} (client_id). Or set LANYARD_CLIENT_ID and LANYARD_TENANT in the environment, or pass --client-id and --tenant at start."
            ).format(where=where)
        )

    def show_config_error(self, error: ConfigError) -> None:
        """A configuration that failed to load: beside the field it names, when it is here."""
        self.show_setup(None, error.message)
        self.form.show_error(error)

    def save(self) -> None:
        config = self.form.save()
        if config is not None:
            self.problem.hide()
            self.settings_saved.emit(config)
