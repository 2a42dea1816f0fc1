"""The main window. It talks to SessionController only: it calls its slots and shows its signals.

Why ~680 lines in one module: what is left here is the wiring of the session's signals to the
pages and panels, and the window's own events (menus, geometry, close). The parts with state of
their own are modules already: the status bar (status_line.py), the header, the tabs
(panel_tabs.py), the placement, the keyboard defaults and the demo controls. The lazily built
pages and panels (issue 19) added ~140 lines: what the window keeps for a panel not built yet
and hands it when it is (``_panel_built``), kept beside the signal it stands in for, so that a
signal and its late delivery cannot drift apart. That section (from "what is built on first
use") is the next to move out, as a holder the tabs own, if this grows again."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QByteArray, QEvent, QSettings, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QIcon,
    QKeySequence,
    QMoveEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.core.i18n import N_, _
from desktop_app.session.state import MAY_REFRESH, SHOWS_ACCOUNT, Schedule, State
from desktop_app.ui.banner import Banner
from desktop_app.ui.clipboard import clipboard_guard
from desktop_app.ui.demo_controls import DemoControls
from desktop_app.ui.header import AccountHeader
from desktop_app.ui.keyboard import focus_page
from desktop_app.ui.pages import WaitingPage, WelcomePage
from desktop_app.ui.panel_tabs import PanelTabs
from desktop_app.ui.placement import bring_forward, fit_to_screen
from desktop_app.ui.status_line import StatusLine
from desktop_app.ui.style import follow_scheme, stylesheet
from desktop_app.ui.widgets import plain_label

if TYPE_CHECKING:  # the window path imports only what its first frame shows (see _page)
    from desktop_app.auth.broker import SignInPath
    from desktop_app.auth.models import Account, CacheEntry, Identity
    from desktop_app.graph.client import Photo
    from desktop_app.graph.organization import Organization
    from desktop_app.graph.profile import Profile
    from desktop_app.graph.snapshot import Snapshot
    from desktop_app.session.controller import SessionController
    from desktop_app.session.state import TokenInfo
    from desktop_app.ui.admin_panel import AdminPanel
    from desktop_app.ui.api_panel import ApiPanel
    from desktop_app.ui.device_code_page import DeviceCodePage
    from desktop_app.ui.diagnostics import DiagnosticsSaver
    from desktop_app.ui.inspector_panel import InspectorPanel
    from desktop_app.ui.pages import SetupPage
    from desktop_app.ui.roles_panel import RolesPanel
    from desktop_app.ui.token_panel import TokenPanel

PLACING_S = 2.0  # how long after showing the window follows its frame into the screen
SANDBOX_HINT = N_("Offline demo: sign in as megan.bowen@contoso.test with the password sandbox.")


class MainWindow(QMainWindow):
    demo_requested = Signal()
    leave_demo_requested = Signal()
    settings_requested = Signal()  # File → Settings…
    settings_saved = Signal(object)  # Config: the set-up page's Save

    def __init__(
        self, title: str = "Lanyard", icon: QIcon | None = None, state_file: Path | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle(title)
        if icon is not None:
            self.setWindowIcon(icon)
        self.setStyleSheet(stylesheet(self.palette()))
        # window geometry, the panel shown, the account, the API panel's last call
        self._settings = (
            QSettings(str(state_file), QSettings.Format.IniFormat) if state_file else None
        )
        self.resize(880, 680)
        self.setMinimumSize(560, 420)
        self.session: SessionController | None = None
        self._cloud_label = "Microsoft Entra ID"
        self._identity: Identity | None = None
        # what a panel built later is given (panel_tabs.py builds them when first shown)
        self._token_info: TokenInfo | None = None
        self._protection: tuple[str, bool] | None = None
        self._sign_in_path: SignInPath | None = None
        self._setup_flags: Any = None  # the set-up page's flags (use_settings), once given
        # the last profile shown before the session has started (show_last_profile), until the
        # session shows its own or says nobody is signed in
        self._early: Snapshot | None = None

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
        self.starting_page = plain_label(_("Starting…"), central)
        self.welcome_page = WelcomePage(central)
        self.waiting_page = WaitingPage(central)
        self._device_code_page: DeviceCodePage | None = None  # built when first needed
        self._setup_page: SetupPage | None = None
        self.tabs = PanelTabs(self._access_token, self._load_inventory, self._settings, central)
        self.tabs.panel_built.connect(self._panel_built)
        # the panels, by the names the rest of the window (and its tests) use (properties below)
        self.profile_panel = self.tabs.profile_panel
        for page in (self.starting_page, self.welcome_page, self.waiting_page, self.tabs):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.stack.currentChanged.connect(self._page_shown)
        self._last_state: State | None = None
        self._placed = False  # fitted to the screen once shown, with the real frame
        self._placing_until = 0.0

        self.status = StatusLine(self.statusBar())
        self.state_label = self.status.state_label
        self.schedule_label = self.status.schedule_label
        self.protection_label = self.status.protection_label
        self._not_saved_message = ""  # that notice's text, while it is the banner's
        self._sign_in_method = "browser"
        # what makes the banner's error out of date: "recovered" (a failed refresh or start: the
        # session is signed in, or out, again) or "profile" (a failed Graph call: a profile
        # loaded since); "" for notices
        self._banner_clears_on = ""
        # any panel's copy of a secret: say when it goes (bound methods, not lambdas: the guard
        # lives as long as the application, and Qt drops a dead window's slots, not lambdas)
        guard = clipboard_guard()
        guard.copied.connect(self._say_copied)
        guard.copied_secret.connect(self._say_secret_copied)
        guard.cleared.connect(self._say_clipboard_cleared)
        self._connect_controls()
        self._add_menus()
        self._restore_window_state()

    # -- menus, remembered geometry -----------------------------------------------------------------

    def _add_menus(self) -> None:
        """Every menu, in the menu bar's order: File (Settings…, Quit), View (one entry per
        panel), Help (Save diagnostics…, About Lanyard). Settings… only asks for the dialog
        (``settings_requested``): the session host (ui/app.py) knows what saving applies to."""
        file_menu = self.menuBar().addMenu(_("&File"))
        self.settings_action = file_menu.addAction(_("&Settings…"))
        preferences = QKeySequence(QKeySequence.StandardKey.Preferences)
        self.settings_action.setShortcut(
            preferences if not preferences.isEmpty() else QKeySequence("Ctrl+,")
        )
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)  # macOS: the app menu
        self.settings_action.triggered.connect(self.settings_requested)
        quit_action = file_menu.addAction(_("&Quit"))
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.demo_controls = DemoControls(
            file_menu, quit_action, self.welcome_page, self.welcome_page.buttons
        )
        self.demo_controls.enter_requested.connect(self.demo_requested)
        self.demo_controls.leave_requested.connect(self.leave_demo_requested)
        self.view_menu = self.menuBar().addMenu(_("&View"))
        self.panel_actions: list[QAction] = []
        self._list_panels()
        self.tabs.panels_changed.connect(self._list_panels)
        help_menu = self.menuBar().addMenu(_("&Help"))
        self._diagnostics_saver: DiagnosticsSaver | None = None  # built when first used
        self.diagnostics_action = help_menu.addAction(_("Save &diagnostics…"))
        self.diagnostics_action.triggered.connect(lambda: self.diagnostics_saver.start())
        help_menu.addSeparator()
        self.about_action = help_menu.addAction(_("&About Lanyard"))
        self.about_action.triggered.connect(self._show_about)

    def _show_about(self) -> None:
        from desktop_app.ui.about import show_about

        show_about(self)

    # -- what is built on first use: pages, panels, the diagnostics saver ----------------------

    @property
    def diagnostics_saver(self) -> DiagnosticsSaver:
        if self._diagnostics_saver is None:
            from desktop_app.ui.diagnostics import DiagnosticsSaver

            self._diagnostics_saver = DiagnosticsSaver(self)
        return self._diagnostics_saver

    @property
    def device_code_page(self) -> DeviceCodePage:
        if self._device_code_page is None:
            from desktop_app.ui.device_code_page import DeviceCodePage

            page = self._device_code_page = DeviceCodePage(self.stack)
            page.cancel_requested.connect(self._cancel_sign_in)
            self.stack.addWidget(page)
        return self._device_code_page

    @property
    def setup_page(self) -> SetupPage:
        if self._setup_page is None:
            from desktop_app.ui.pages import SetupPage

            page = self._setup_page = SetupPage(self.stack)
            page.demo_requested.connect(self.demo_requested)
            page.settings_saved.connect(self.settings_saved)
            if self._setup_flags is not None:
                page.use_settings(self._setup_flags)
            self.stack.addWidget(page)
        return self._setup_page

    def use_settings(self, flags: Any) -> None:
        """The command line's flags, for the set-up page (given now, or when it is built)."""
        self._setup_flags = flags
        if self._setup_page is not None:
            self._setup_page.use_settings(flags)

    @property
    def roles_panel(self) -> RolesPanel:
        return self.tabs.roles_panel

    @property
    def token_panel(self) -> TokenPanel:
        return self.tabs.token_panel

    @property
    def api_panel(self) -> ApiPanel:
        return self.tabs.api_panel

    @property
    def admin_panel(self) -> AdminPanel:
        return self.tabs.admin_panel

    def _panel_built(self, name: str, panel: QWidget) -> None:
        """A panel built now (first shown, or asked for): what it shows so far, its controls."""
        session = self.session
        if name == "roles":
            roles = cast("RolesPanel", panel)
            roles.refresh_requested.connect(self._refresh_roles)
            roles.show_identity(self._identity)
        elif name == "token":
            token = cast("TokenPanel", panel)
            token.show_identity(self._identity)
            if self._token_info is not None:
                token.show_token(self._token_info)
        elif name == "admin":
            admin = cast("AdminPanel", panel)
            if session is not None and session.setup is not None:
                setup = session.setup
                admin.show_settings(setup.client_id, setup.authority, setup.scopes)
            if self._protection is not None:
                admin.show_protection(*self._protection)
            if self._sign_in_path is not None:
                admin.show_sign_in_path(self._sign_in_path)
        elif name == "api" and session is not None:
            cast("ApiPanel", panel).attach(session)
        elif name == "inspector" and session is not None:
            cast("InspectorPanel", panel).attach(session)

    def _list_panels(self) -> None:
        """View menu: one entry per panel, Ctrl+1… in tab order (panels come and go)."""
        self.view_menu.clear()
        self.panel_actions = []
        for index in range(self.tabs.count()):
            action = self.view_menu.addAction(
                self.tabs.tabText(index).replace("&&", "\0").replace("&", "").replace("\0", "&&")
            )
            if index < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.tabs.show_panel_focused(i))
            self.panel_actions.append(action)

    def _restore_window_state(self) -> None:
        settings = self._settings
        if settings is not None:
            geometry = settings.value("window/geometry")
            if isinstance(geometry, QByteArray) and not geometry.isEmpty():
                self.restoreGeometry(geometry)
            self.tabs.restore_panel(str(settings.value("window/panel", "") or ""))
        fit_to_screen(self)  # remembered at another scale or on another screen: fit this one

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._placed:
            self._placed = True
            # a window manager frames the window after it is shown (a title bar the screen
            # must hold too): fit again as the frame arrives, for a moment
            self._placing_until = time.monotonic() + PLACING_S
            QTimer.singleShot(0, self._fit_after_show)

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        if time.monotonic() < self._placing_until:
            QTimer.singleShot(0, self._fit_after_show)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if time.monotonic() < self._placing_until:
            QTimer.singleShot(0, self._fit_after_show)

    def _fit_after_show(self) -> None:
        fit_to_screen(self)

    def _page_shown(self, _index: int) -> None:
        focus_page(self.stack.currentWidget())

    def _save_window_state(self) -> None:
        settings = self._settings
        if settings is None:
            return
        settings.setValue("window/geometry", self.saveGeometry())
        if self.tabs.currentWidget() is not None:
            settings.setValue("window/panel", self.tabs.current_panel())
        session = self.session
        if session is not None and session.state is not State.STARTING:
            # (closed while starting: the account to show next time is still the one kept)
            account = session.account
            settings.setValue("session/account", account.home_account_id if account else "")
        settings.sync()

    # -- wiring ------------------------------------------------------------------------------------

    def attach(self, session: SessionController, cloud_label: str, sandbox: bool) -> None:
        self.session = session
        if self._settings is not None:
            session.preferred_account_id = str(self._settings.value("session/account", "") or "")
        self._cloud_label = _("Sandbox (offline demo)") if sandbox else cloud_label
        self.welcome_page.set_hint(_(SANDBOX_HINT) if sandbox else "")
        self.demo_controls.show_mode(in_demo=sandbox, home=None)
        if sandbox:
            self.setWindowTitle(_("{title} — sandbox demo").format(title=self.windowTitle()))
        session.state_changed.connect(self.show_state)
        session.identity_changed.connect(self.show_identity)
        session.profile_changed.connect(self.show_profile)
        session.profile_freshness.connect(self.profile_panel.show_freshness)
        session.photo_changed.connect(self.show_photo)
        session.organization_changed.connect(self.show_organization)
        session.error.connect(self.show_error)
        self.status.not_saved = ""
        session.notice.connect(self.show_notice)
        session.sign_in_url.connect(self.waiting_page.set_url)
        session.sign_in_method.connect(self.show_sign_in_method)
        session.device_code.connect(self.device_code_page.show_prompt)
        session.schedule_changed.connect(self.show_schedule)
        session.protection_changed.connect(self.show_protection)
        session.sign_in_path.connect(self.show_sign_in_path)
        session.window_id = self._native_handle
        session.token_changed.connect(self.show_token)
        session.accounts_changed.connect(self.show_accounts)
        api = cast("ApiPanel | None", self.tabs.built("api"))
        if api is not None:  # (panels built later are given it then: _panel_built)
            api.attach(session)
        inspector = cast("InspectorPanel | None", self.tabs.built("inspector"))
        if inspector is not None:
            inspector.attach(session)
        self.show_state(session.state)

    def _connect_controls(self) -> None:
        """The window's own controls, connected once: they act on whichever session is attached
        (new settings attach a new one)."""
        self.header.account_chosen.connect(self._switch_account)
        self.welcome_page.account_chosen.connect(self._switch_account)
        self.header.add_account_requested.connect(self._add_account)
        self.header.sign_out_requested.connect(self._sign_out)
        self.welcome_page.sign_in_requested.connect(self._sign_in)
        self.welcome_page.device_code_requested.connect(self._sign_in_with_code)
        self.waiting_page.cancel_requested.connect(self._cancel_sign_in)
        self.waiting_page.device_code_requested.connect(self._use_device_code)
        self.header.refresh_button.clicked.connect(self._refresh)
        self.banner.action_requested.connect(self._sign_in)

    def _sign_out(self, everyone: bool, end_browser_session: bool) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.sign_out(everyone, end_browser_session)

    def _cancel_sign_in(self) -> None:
        if self.session is not None:
            self.session.cancel_sign_in()

    def _use_device_code(self) -> None:
        if self.session is not None:
            self.session.use_device_code()

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

    def _refresh_roles(self) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.refresh(force=True)

    def _switch_account(self, account: Account) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.switch_account(account)

    def _add_account(self) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.sign_in(add_account=True)

    def _access_token(self) -> str | None:
        return self.session.access_token() if self.session is not None else None

    def _load_inventory(self, deliver: Callable[[list[CacheEntry]], None]) -> None:
        if self.session is not None:
            self.session.cache_inventory(deliver)
        else:
            deliver([])

    def show_accounts(self, accounts: list[Account]) -> None:
        current = self.session.account if self.session is not None else None
        self.header.show_accounts(accounts, current)
        self.welcome_page.set_accounts(accounts)

    def show_demo_way_back(self, home: Path | None) -> None:
        """Outside the demo: offer the way back to it when its profile (``home``) exists."""
        if home is not None:
            self.demo_controls.show_mode(in_demo=False, home=home)

    def show_setup(self, config_file: Path | None, problem: LanyardError | None = None) -> None:
        """No usable configuration: explain what to set, never a traceback."""
        self.setup_page.show_setup(config_file, problem.message if problem else "")
        self.stack.setCurrentWidget(self.setup_page)
        self.state_label.setText(_("Not set up"))

    # -- showing the session -----------------------------------------------------------------------

    def _say_copied(self, secret: bool) -> None:
        if not secret:  # a secret's message says when it is cleared (below)
            self.statusBar().showMessage(_("Copied"), 3000)

    def _say_secret_copied(self, seconds: int) -> None:
        self.statusBar().showMessage(
            _("Copied; cleared in {seconds} s").format(seconds=seconds), seconds * 1000
        )

    def _say_clipboard_cleared(self, _reason: str) -> None:
        self.statusBar().showMessage(_("Clipboard cleared"), 5000)

    def show_state(self, state: State) -> None:
        # a message ("Diagnostics saved", "Copied") hides the state label: the new state wins
        self.statusBar().clearMessage()
        was, self._last_state = self._last_state, state
        if was is State.SIGNING_IN and state in SHOWS_ACCOUNT and self.isVisible():
            bring_forward(self)  # the browser had the focus; the sign-in is back here
        self.state_label.setText(_(state.value))
        if state is State.SIGNED_OUT:  # a token copied while signed in goes with the sign-in
            clipboard_guard().clear_secret("sign-out")
        self.profile_panel.set_offline(state is State.OFFLINE)
        roles = cast("RolesPanel | None", self.tabs.built("roles"))
        if roles is not None and state in (State.ERROR, State.OFFLINE, State.SIGN_IN_NEEDED):
            roles.refresh_failed()
        admin = cast("AdminPanel | None", self.tabs.built("admin"))
        if admin is not None and self.session is not None and self.session.setup is not None:
            setup = self.session.setup
            admin.show_settings(setup.client_id, setup.authority, setup.scopes)
        if state in (State.SIGNED_IN, State.SIGNED_OUT) and self._banner_clears_on == "recovered":
            self._clear_banner()
        signed_in = state in SHOWS_ACCOUNT and self._identity is not None
        if state is not State.STARTING and self._early is not None:
            self._end_early_profile(signed_in)
        if state is State.STARTING:
            self.stack.setCurrentWidget(self.tabs if self._early else self.starting_page)
        elif state is State.NOT_CONFIGURED:
            self.stack.setCurrentWidget(self.setup_page)
        elif state is State.SIGNING_IN:
            self.show_sign_in_method(self._sign_in_method)
        elif signed_in:
            self.stack.setCurrentWidget(self.tabs)
        else:
            self.stack.setCurrentWidget(self.welcome_page)
        self.header.setVisible(signed_in)
        can_refresh = state in MAY_REFRESH
        self.header.refresh_button.setEnabled(can_refresh)
        self.header.refresh_button.setToolTip(
            _("Get a new token and reload your profile")
            if can_refresh
            else _("Sign in again first")
            if state is State.SIGN_IN_NEEDED
            else ""
        )
        if state is State.SIGNING_IN:
            self.state_label.setText(
                _("Waiting for the code to be entered…")
                if self._sign_in_method == "device_code"
                else _("Finish signing in in the sign-in broker's window…")
                if self._sign_in_method == "broker"
                else _(state.value)
            )
        if state is State.SIGN_IN_NEEDED and not self.banner.isVisible():
            from desktop_app.session import errors

            problem = self.session.interaction if self.session is not None else None
            self.banner.show_error(
                problem or errors.sign_in_needed(), "warning", action=_("Sign in again")
            )

    def show_sign_in_method(self, method: str) -> None:
        self._sign_in_method = method
        if method == "broker":
            self.waiting_page.set_url("")
            self.stack.setCurrentWidget(self.waiting_page)
            self.state_label.setText(_("Finish signing in in the sign-in broker's window…"))
        elif method == "device_code":
            self.device_code_page.show_prompt(None)
            self.stack.setCurrentWidget(self.device_code_page)
            self.state_label.setText(_("Waiting for the code to be entered…"))
        else:
            self.waiting_page.set_url("")
            self.stack.setCurrentWidget(self.waiting_page)

    def show_schedule(self, schedule: Schedule | None) -> None:
        self.status.show_schedule(schedule)

    def show_identity(self, identity: Identity | None) -> None:
        self._identity = identity
        account = self.session.account if self.session is not None else None
        home_tenant = account.home_account_id.partition(".")[2] if account else ""
        self.header.show_identity(identity, self._cloud_label, home_tenant)
        if self.session is not None:
            self.header.show_accounts(self.session.accounts, account)
        roles = cast("RolesPanel | None", self.tabs.built("roles"))
        if roles is not None:  # (panels built later are given it then: _panel_built)
            roles.show_identity(identity)
        token = cast("TokenPanel | None", self.tabs.built("token"))
        if token is not None:
            token.show_identity(identity)
        self.tabs.gate_admin_view(identity)
        self.profile_panel.show_tenant(identity.claims.tenant_id if identity else "")
        if identity is None:
            self.profile_panel.show_profile(None)

    def _clear_banner(self) -> None:
        self.banner.hide()
        self._banner_clears_on = ""

    def show_last_profile(self, snapshot: Snapshot | None) -> None:
        """A warm start's first frames: the profile last shown (read while the window was
        built: ui/app.py), on its panel, while the session starts. The session's own snapshot,
        then the fresh /me, replace it; a start that signs nobody in (or someone else) takes
        it away (_end_early_profile)."""
        starting = self.session is None or self.session.state is State.STARTING
        if snapshot is None or not starting or self._identity is not None:
            return
        self._early = snapshot
        self.profile_panel.show_profile(snapshot.profile)
        self.profile_panel.show_freshness(snapshot.fetched_at, True)
        self.profile_panel.show_organization(snapshot.organization)
        self.stack.setCurrentWidget(self.tabs)

    def _end_early_profile(self, signed_in: bool) -> None:
        early, self._early = self._early, None
        account = self.session.account if self.session is not None else None
        if not (
            signed_in
            and account is not None
            and early is not None
            and account.home_account_id == early.home_account_id
        ):  # not the one signed in (or nobody is): it goes
            self.profile_panel.show_profile(None)
            self.profile_panel.show_organization(None)

    def show_profile(self, profile: Profile | None) -> None:
        self._early = None  # the session's own profile from now on
        if profile is not None and self._banner_clears_on == "profile":
            self._clear_banner()
        self.profile_panel.show_profile(profile)
        self.header.show_profile(profile)

    def show_photo(self, photo: Photo | None) -> None:
        self.header.show_photo(photo)

    def show_organization(self, organization: Organization | None) -> None:
        self.header.show_organization(organization)
        self.profile_panel.show_organization(organization)

    def show_error(self, error: LanyardError, severity: str = "error") -> None:
        if error.kind is ErrorKind.INTERACTION_REQUIRED and self.session is not None:
            if self.session.state is State.SIGN_IN_NEEDED:
                self.banner.show_error(error, "warning", action=_("Sign in again"))
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

    def show_notice(self, notice: LanyardError) -> None:
        """A notice in the banner; one that says whether the token cache is being saved also
        sets the status bar (and "saved again" only clears what it said before)."""
        from desktop_app.auth.errors import saving_state

        saving = saving_state(notice)
        if saving is not None:
            saved, why = saving
            self.status.set_not_saved("" if saved else why or _("it cannot be saved now"))
            if saved:
                if self._not_saved_message and self.banner.message.text() == (
                    self._not_saved_message
                ):
                    self._clear_banner()
                self._not_saved_message = ""
                return
            self._not_saved_message = notice.message
        self.show_error(notice, "warning")

    def show_sign_in_path(self, path: SignInPath) -> None:
        self._sign_in_path = path
        admin = cast("AdminPanel | None", self.tabs.built("admin"))
        if admin is not None:
            admin.show_sign_in_path(path)
        self.status.show_sign_in_path(path)

    def _native_handle(self) -> int | None:
        """The window's native handle (HWND, NSView*), for the sign-in broker's window."""
        return int(self.winId())

    def show_token(self, info: TokenInfo | None) -> None:
        self._token_info = info
        token = cast("TokenPanel | None", self.tabs.built("token"))
        if token is not None:
            token.show_token(info)

    def show_protection(self, protection: str, encrypted: bool) -> None:
        self._protection = (protection, encrypted)
        admin = cast("AdminPanel | None", self.tabs.built("admin"))
        if admin is not None:
            admin.show_protection(protection, encrypted)
        self.status.show_protection(protection, encrypted)

    def changeEvent(self, event: QEvent) -> None:
        follow_scheme(self, event)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_window_state()
        super().closeEvent(event)
