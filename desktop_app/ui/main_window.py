"""The main window. It talks to SessionController only: it calls its slots and shows its signals."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop_app.auth.client import Identity
from desktop_app.errors import ErrorKind, LanyardError
from desktop_app.graph.client import Photo
from desktop_app.graph.profile import Profile
from desktop_app.session import SHOWS_ACCOUNT, Schedule, SessionController, State
from desktop_app.ui.about import add_help_menu
from desktop_app.ui.banner import Banner
from desktop_app.ui.device_code_page import DeviceCodePage
from desktop_app.ui.header import AccountHeader
from desktop_app.ui.pages import SetupPage, WaitingPage, WelcomePage
from desktop_app.ui.profile_panel import ProfilePanel
from desktop_app.ui.roles_panel import RolesPanel
from desktop_app.ui.style import STYLESHEET
from desktop_app.ui.widgets import plain_label

SANDBOX_HINT = "Offline demo: sign in as megan.bowen@contoso.test with the password sandbox."


class MainWindow(QMainWindow):
    demo_requested = Signal()
    closing = Signal()

    def __init__(self, title: str = "Lanyard", icon: QIcon | None = None) -> None:
        super().__init__()
        self.setWindowTitle(title)
        if icon is not None:
            self.setWindowIcon(icon)
        self.setStyleSheet(STYLESHEET)
        self.resize(820, 600)
        self.setMinimumSize(560, 420)
        self.session: SessionController | None = None
        self._cloud_label = "Microsoft Entra ID"
        self._identity: Identity | None = None

        central = QWidget(self)
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = AccountHeader(central)
        self.header.hide()
        layout.addWidget(self.header)
        banner_host = QWidget(central)
        banner_layout = QVBoxLayout(banner_host)
        banner_layout.setContentsMargins(16, 10, 16, 0)
        self.banner = Banner(banner_host)
        banner_layout.addWidget(self.banner)
        layout.addWidget(banner_host)

        self.stack = QStackedWidget(central)
        self.starting_page = plain_label("Starting…", central)
        self.welcome_page = WelcomePage(central)
        self.waiting_page = WaitingPage(central)
        self.device_code_page = DeviceCodePage(central)
        self.setup_page = SetupPage(central)
        self.tabs = QTabWidget(central)
        self.profile_panel = ProfilePanel(self.tabs)
        self.roles_panel = RolesPanel(self.tabs)
        self.tabs.addTab(self.profile_panel, "Profile")
        self.tabs.addTab(self.roles_panel, "Roles")
        for page in (
            self.starting_page,
            self.welcome_page,
            self.waiting_page,
            self.device_code_page,
            self.setup_page,
            self.tabs,
        ):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.state_label = QLabel("Starting…", self)
        self.schedule_label = QLabel("", self)
        self.protection_label = QLabel("", self)
        self.statusBar().addWidget(self.state_label, 1)
        self.statusBar().addPermanentWidget(self.schedule_label)
        self.statusBar().addPermanentWidget(self.protection_label)
        self._sign_in_method = "browser"
        # what makes the banner's error out of date: "recovered" (a failed refresh or start: the
        # session is signed in, or out, again) or "profile" (a failed Graph call: a profile
        # loaded since); "" for notices
        self._banner_clears_on = ""
        self._schedule: Schedule | None = None
        self._countdown = QTimer(self)  # "Retrying in 12 s" counts down
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._show_schedule_text)
        self.setup_page.demo_requested.connect(self.demo_requested)
        self.about_action = add_help_menu(self)

    # -- wiring ------------------------------------------------------------------------------------

    def attach(self, session: SessionController, cloud_label: str, sandbox: bool) -> None:
        self.session = session
        self._cloud_label = "Sandbox (offline demo)" if sandbox else cloud_label
        self.welcome_page.set_hint(SANDBOX_HINT if sandbox else "")
        if sandbox:
            self.setWindowTitle(f"{self.windowTitle()} — sandbox demo")
        session.state_changed.connect(self.show_state)
        session.identity_changed.connect(self.show_identity)
        session.profile_changed.connect(self.show_profile)
        session.photo_changed.connect(self.show_photo)
        session.error.connect(self.show_error)
        session.notice.connect(lambda notice: self.show_error(notice, "warning"))
        session.sign_in_url.connect(self.waiting_page.set_url)
        session.sign_in_method.connect(self.show_sign_in_method)
        session.device_code.connect(self.device_code_page.show_prompt)
        session.schedule_changed.connect(self.show_schedule)
        session.protection_changed.connect(self.show_protection)
        self.welcome_page.sign_in_requested.connect(self._sign_in)
        self.welcome_page.device_code_requested.connect(self._sign_in_with_code)
        self.waiting_page.cancel_requested.connect(session.cancel_sign_in)
        self.waiting_page.device_code_requested.connect(session.use_device_code)
        self.device_code_page.cancel_requested.connect(session.cancel_sign_in)
        self.header.sign_out_button.clicked.connect(session.sign_out)
        self.header.refresh_button.clicked.connect(self._refresh)
        self.banner.action_requested.connect(self._sign_in)
        self.show_state(session.state)

    def _sign_in(self) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.sign_in()

    def _sign_in_with_code(self) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.sign_in(use_device_code=True)

    def _refresh(self) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.refresh(force=True, reload_profile=True)

    def show_setup(self, config_file: Path | None, problem: LanyardError | None = None) -> None:
        """No usable configuration: explain what to set, never a traceback."""
        self.setup_page.show_setup(config_file, problem.message if problem else "")
        self.stack.setCurrentWidget(self.setup_page)
        self.state_label.setText("Not set up")

    # -- showing the session -----------------------------------------------------------------------

    def show_state(self, state: State) -> None:
        self.state_label.setText(state.value)
        if state in (State.SIGNED_IN, State.SIGNED_OUT) and self._banner_clears_on == "recovered":
            self._clear_banner()
        signed_in = state in SHOWS_ACCOUNT and self._identity is not None
        if state is State.STARTING:
            self.stack.setCurrentWidget(self.starting_page)
        elif state is State.NOT_CONFIGURED:
            self.stack.setCurrentWidget(self.setup_page)
        elif state is State.SIGNING_IN:
            self.show_sign_in_method(self._sign_in_method)
        elif signed_in:
            self.stack.setCurrentWidget(self.tabs)
        else:
            self.stack.setCurrentWidget(self.welcome_page)
        self.header.setVisible(signed_in)
        can_refresh = state in (State.SIGNED_IN, State.OFFLINE, State.ERROR)
        self.header.refresh_button.setEnabled(can_refresh)
        self.header.refresh_button.setToolTip(
            "Get a new token and reload your profile"
            if can_refresh
            else "Sign in again first"
            if state is State.SIGN_IN_NEEDED
            else ""
        )
        if state is State.SIGNING_IN:
            self.state_label.setText(
                "Waiting for the code to be entered…"
                if self._sign_in_method == "device_code"
                else state.value
            )
        if state is State.SIGN_IN_NEEDED and not self.banner.isVisible():
            problem = self.session.interaction if self.session is not None else None
            self.banner.show_error(
                problem
                or LanyardError(
                    "Your sign-in has expired or needs to be confirmed.",
                    "Sign in again to continue; Lanyard keeps showing what it last loaded.",
                    ErrorKind.INTERACTION_REQUIRED,
                ),
                "warning",
                action="Sign in again",
            )

    def show_sign_in_method(self, method: str) -> None:
        self._sign_in_method = method
        if method == "device_code":
            self.device_code_page.show_prompt(None)
            self.stack.setCurrentWidget(self.device_code_page)
            self.state_label.setText("Waiting for the code to be entered…")
        else:
            self.waiting_page.set_url("")
            self.stack.setCurrentWidget(self.waiting_page)

    def show_schedule(self, schedule: Schedule | None) -> None:
        self._schedule = schedule
        if schedule is not None and schedule.retry:
            self._countdown.start()
        else:
            self._countdown.stop()
        self._show_schedule_text()

    def _show_schedule_text(self) -> None:
        schedule = self._schedule
        if schedule is None:
            self.schedule_label.setText("")
        elif schedule.retry:
            seconds = max(0, round(schedule.at - time.time()))
            self.schedule_label.setText(f"Trying again in {seconds} s")
        else:
            clock = time.strftime("%H:%M", time.localtime(schedule.at))
            self.schedule_label.setText(f"Next refresh at {clock}")

    def show_identity(self, identity: Identity | None) -> None:
        self._identity = identity
        self.header.show_identity(identity, self._cloud_label)
        self.roles_panel.show_identity(identity)
        if identity is None:
            self.profile_panel.show_profile(None)

    def _clear_banner(self) -> None:
        self.banner.hide()
        self._banner_clears_on = ""

    def show_profile(self, profile: Profile | None) -> None:
        if profile is not None and self._banner_clears_on == "profile":
            self._clear_banner()
        self.profile_panel.show_profile(profile)
        self.header.show_profile(profile)

    def show_photo(self, photo: Photo | None) -> None:
        self.header.show_photo(photo)

    def show_error(self, error: LanyardError, severity: str = "error") -> None:
        if error.kind is ErrorKind.INTERACTION_REQUIRED and self.session is not None:
            if self.session.state is State.SIGN_IN_NEEDED:
                self.banner.show_error(error, "warning", action="Sign in again")
                return
            if error.claims_challenge:
                return  # a Graph claims challenge the session is already answering
        if (
            error.kind is ErrorKind.CONFIG
            and self.session is not None
            and self.session.state is State.NOT_CONFIGURED
        ):
            self.setup_page.show_setup(None, error.message)
            return
        self.banner.show_error(error, severity)
        state = self.session.state if self.session is not None else None
        self._banner_clears_on = (
            ""
            if severity != "error"
            else "recovered"
            if state in (State.ERROR, State.OFFLINE)
            else "profile"
            if state in (State.SIGNED_IN, State.REFRESHING)
            else ""
        )

    def show_protection(self, protection: str, encrypted: bool) -> None:
        self.protection_label.setText(
            f"Token cache: {protection}" if encrypted else f"⚠ Token cache: {protection}"
        )
        self.protection_label.setToolTip(
            "Your saved sign-in is protected by the operating system."
            if encrypted
            else "No OS secret store was usable (the reason is in brackets), so the sign-in is "
            "saved in a file only your user account can read, or not at all. To encrypt it, run "
            "and unlock your desktop's keyring (on Linux: gnome-keyring, with Lanyard installed "
            "with its 'secret' extra), then restart Lanyard. Set allow_plaintext_cache = false "
            "to never save tokens unencrypted."
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
