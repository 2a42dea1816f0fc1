"""The window path: logging, QApplication, the window and its session (SessionHost), clean
shutdown. Only QtCore is imported with this module; QtWidgets, the window and the session's
modules come when run_window runs, after the configuration and logging are set up."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QSettings,
    QSocketNotifier,
    QTimer,
    Signal,
)

from desktop_app.cli import config_flags
from desktop_app.core import demo, paths
from desktop_app.core.config import Config, ConfigError, load_config
from desktop_app.core.i18n import _
from desktop_app.core.logs import configure_logging

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop_app.graph.snapshot import Snapshot
    from desktop_app.session.controller import SessionController
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SHUTDOWN_BOUND_S = 2.0


def _log_file(config: Config | None) -> str:
    """Where the log goes. A folder that cannot be made is left to configure_logging to report,
    as it does any log file it cannot open (stderr only, said once)."""
    base = config.profile_dir if config and not config.sandbox else paths.data_dir()
    logs = base / "logs"
    with contextlib.suppress(OSError):
        paths.ensure_private_dir(logs)
    return str(logs / "lanyard.log")


def quit_on_signals(app: QCoreApplication) -> None:
    """Ctrl+C and SIGTERM quit cleanly (through aboutToQuit and the bounded shutdown).

    Python runs a signal handler only when the interpreter gets control back, which it does not
    while Qt's event loop waits; a wakeup socket watched by Qt hands it control at once.
    """
    import signal
    import socket

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: reader.recv(64))
    app.setProperty("lanyard_signal_sockets", (reader, writer))  # kept alive with the app
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())


def initial_config(args: argparse.Namespace) -> tuple[Config | None, ConfigError | None]:
    """The settings a start of the window runs with, or why the configuration cannot load."""
    try:  # the demo a person chose last time, until they leave it, config.toml or not
        return demo.start_config(config_flags(args), bool(args.sandbox)), None
    except ConfigError as exc:
        return None, exc


class LastProfile(QObject):
    """The last profile, read on a thread of its own from the start of run_window
    (session/last_profile.py) and handed to the window on the GUI thread, however early or
    late it comes: ``show_in`` delivers one that came before the window was there."""

    arrived = Signal(object)  # Snapshot | None

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._done = False
        self._snapshot: Snapshot | None = None
        self._window: MainWindow | None = None
        self.arrived.connect(self._deliver)  # queued from the reading thread

    def start(self, config: Config, args: argparse.Namespace) -> None:
        from desktop_app.session.last_profile import read_in_background, read_last_profile

        state_file = config.profile_dir / "window.ini"
        account_id = ""
        if state_file.is_file():  # the account the window showed last (MainWindow keeps it)
            settings = QSettings(str(state_file), QSettings.Format.IniFormat)
            account_id = str(settings.value("session/account", "") or "")
        if not account_id:
            return
        explicit, info = demo.explicit_profile(args.profile_dir), _sandbox_info(args)
        read_in_background(
            partial(read_last_profile, config, explicit, info, account_id), self._read
        )

    def _read(self, snapshot: Snapshot | None) -> None:
        """On the reading thread: kept for show_in, and sent to the GUI thread."""
        with self._lock:
            self._done, self._snapshot = True, snapshot
        self.arrived.emit(snapshot)

    def _deliver(self, snapshot: Snapshot | None) -> None:
        if self._window is not None:
            self._window.show_last_profile(snapshot)

    def show_in(self, window: MainWindow) -> None:
        """Before the window is shown: one read already is in its first frame."""
        self._window = window
        with self._lock:
            done, snapshot = self._done, self._snapshot
        if done:
            window.show_last_profile(snapshot)


def _sandbox_info(args: argparse.Namespace) -> Path | None:
    return Path(args.sandbox_info) if getattr(args, "sandbox_info", None) else None


def run_window(args: argparse.Namespace) -> int:
    config, config_problem = initial_config(args)
    log_problem = configure_logging(_log_file(config), args.verbose)
    # a warm start's last profile, read while Qt's widgets and the window are loaded and built
    last_profile = LastProfile()
    if config is not None and (config.is_configured or config.sandbox):
        last_profile.start(config, args)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui import single_instance
    from desktop_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from desktop_app.ui import translation

    translation.install(app, config.language if config is not None else "system")
    refusal = refuse_a_bad_binding()
    if refusal is not None:
        return refusal
    quit_on_signals(app)
    app.setApplicationName("Lanyard")
    app.setOrganizationName("Lanyard")
    app.setDesktopFileName("lanyard")
    instance = single_instance.claim_window(config, args, app)
    if instance is not None and instance.role is single_instance.Role.HANDED_OFF:
        return 0  # the running window comes to the front
    icon_path = paths.resources_dir() / "icons" / "lanyard.svg"
    icon = QIcon(str(icon_path)) if icon_path.exists() else None
    if icon is not None:
        app.setWindowIcon(icon)
    state_file = None
    if config is not None:  # window geometry, panel and account: kept with the profile
        try:
            state_file = paths.ensure_private_dir(config.profile_dir) / "window.ini"
        except OSError as exc:  # the session says what this costs; the window opens anyway
            log.warning("Window state not kept: %s", exc)
    window = MainWindow(icon=icon, state_file=state_file)
    if instance is not None:
        instance.activated.connect(partial(single_instance.bring_to_front, window))
    host = SessionHost(window, args)
    host.begin(config, config_problem, after_first_paint=True)
    last_profile.show_in(window)
    # the profile folder was checked above (state_file); the session's checks of it find the same
    notices = ([log_problem] if log_problem else []) + paths.folder_warnings()
    notices += [
        _("Managed policy: {problem}").format(problem=problem)
        for problem in _policy_problems(config)
    ]
    if instance is not None and instance.problem is not None:  # why this window runs alone
        notices.insert(0, f"{instance.problem.message} {instance.problem.recommendation}".strip())
    show_start_notices(window, notices)
    app.aboutToQuit.connect(host.shutdown)
    window.show()
    code = app.exec()
    host.shutdown()
    return int(code)


EXIT_BAD_BINDING = 6  # the Qt binding installed would crash a window that stays open


def refuse_a_bad_binding() -> int | None:
    """A PySide6 release that leaks references to True/None (session/qt_compat.py): said on
    stderr and in a dialog (a double-clicked app has no terminal), and the exit status; None
    when the binding is fine."""
    from desktop_app.session.qt_compat import binding_problem

    problem = binding_problem()
    if problem is None:
        return None
    log.error("%s", problem)
    print(_("Lanyard cannot start: {problem}").format(problem=problem), file=sys.stderr)
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QMessageBox

    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        QMessageBox.critical(None, _("Lanyard cannot start"), problem)
    return EXIT_BAD_BINDING


def _policy_problems(config: Config | None) -> tuple[str, ...]:
    """What the administrator's policy got wrong (ignored, field by field): the config says,
    or, when the configuration could not load, the policy read again."""
    if config is not None:
        return config.policy_problems
    from desktop_app.core.config import usable_policy

    return usable_policy().problems


def show_start_notices(window: MainWindow, notices: list[str]) -> None:
    """What went wrong with Lanyard's own files at start (a log file it cannot write, a profile
    folder other users can read or another user owns), said once, as a warning banner: a
    windowed Lanyard has no terminal to read the log line in."""
    if notices:
        from desktop_app.core.errors import ErrorKind, LanyardError

        window.banner.show_error(LanyardError(" ".join(notices), "", ErrorKind.INTERNAL), "warning")


def _build_services(
    config: Config, explicit_profile: bool, sandbox_info: Path | None, on_notice: Any
) -> Any:
    """On the auth worker: msal, requests and the sandbox are imported here, off the GUI thread."""
    from desktop_app.session.services import build_services

    return build_services(config, explicit_profile, on_notice, sandbox_info)


def start_after_first_paint(
    window: QWidget, start: Callable[[], None], fallback_ms: int = 1000
) -> None:
    """Call ``start`` once the window has been drawn, so that the session's imports (msal,
    requests) run on the auth worker while the window is already on screen rather than
    competing with its first paint. ``fallback_ms`` later at the latest (a window never painted).
    """
    started = [False]

    def start_once() -> None:
        if not started[0]:
            started[0] = True
            start()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() is QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, start_once)  # after this paint has been handed over
            return False

    window.installEventFilter(FirstPaint(window))
    QTimer.singleShot(fallback_ms, start_once)


class SessionHost(QObject):
    """Gives the window its session, and a fresh one whenever the settings are saved (File →
    Settings…, or the first-run page) or the offline sandbox is chosen: the old session is shut
    down within the bound and a new SessionController is built and attached, in this process.
    ``shutdown`` stops the one in force (on quit). A child of the window it serves."""

    def __init__(self, window: MainWindow, args: argparse.Namespace) -> None:
        super().__init__(window)
        self._window = window
        self._flags = config_flags(args)
        self._explicit_profile = demo.explicit_profile(args.profile_dir)
        self._sandbox_info = _sandbox_info(args)
        self._at_start: Config | None = None  # what the sandbox builds on before any session
        self._running: Config | None = None  # the settings of the session in force
        self._session: SessionController | None = None
        self._painted = False  # the window has been drawn: a first session starts at once
        window.use_settings(self._flags)
        window.settings_saved.connect(self.start)
        window.demo_requested.connect(self.use_sandbox)
        window.leave_demo_requested.connect(self.leave_demo)
        window.settings_requested.connect(self.open_settings)

    @property
    def session(self) -> SessionController | None:
        """The session in force (None until settings are there to start one)."""
        return self._session

    def begin(
        self, config: Config | None, problem: ConfigError | None, after_first_paint: bool = False
    ) -> None:
        """At start: the first session, or the set-up page when there is none to start.
        ``after_first_paint`` (run_window): the session's modules are imported and it is built
        once the window has been drawn (its first frame: "Starting…", or the last profile)."""
        self._at_start = config
        if config is not None and (config.is_configured or config.sandbox):
            if after_first_paint:
                start_after_first_paint(self._window, partial(self._start_painted, config))
            else:
                self.start(config)
        else:
            self._show_setup(config, problem)

    def _start_painted(self, config: Config) -> None:
        self._painted = True
        self.start(config)

    def _show_setup(self, config: Config | None, problem: ConfigError | None) -> None:
        window = self._window
        base = config if config is not None else demo.flags_only(self._flags)
        window.show_demo_way_back(None if isinstance(base, ConfigError) else self._demo_home(base))
        if problem is not None:
            window.show_setup(None, problem)
            window.setup_page.show_config_error(problem)
        else:
            window.show_setup(config.config_file if config else None)

    def start(self, new: Config) -> None:
        """Run a session with ``new``, in place of the one in force unless that has the same
        settings already."""
        from desktop_app.session.controller import SessionController

        window = self._window
        old = self._session
        if old is not None:
            if new == self._running:
                return  # saved without a change: keep the session (and the sign-in in progress)
            self._stop(old)
            old.deleteLater()  # drops every connection the window made to it
        self._running = new
        if old is not None:  # a first one finds nothing to clear but what the start shows:
            # the last profile, and the start's notices (show_start_notices) in the banner
            for clear in (window.show_identity, window.show_profile, window.show_photo):
                clear(None)
            window.banner.hide()
        window.show_accounts([])  # the old session's: this one's cache may hold none of them
        window.setWindowTitle("Lanyard")  # attach() marks a sandbox session in the title
        session = SessionController(
            partial(_build_services, new, self._explicit_profile, self._sandbox_info)
        )
        self._session = session
        window.attach(session, new.cloud.name, new.sandbox)
        window.show_demo_way_back(None if new.sandbox else self._demo_home(new))
        if old is None and not self._painted:
            # the first one: msal and requests load on the auth worker once the window is drawn
            start_after_first_paint(window, session.start)
        else:
            session.start()

    @property
    def in_demo(self) -> bool:
        return self._running is not None and self._running.sandbox

    def _demo_home(self, config: Config) -> Path:
        return demo.demo_home(config, self._explicit_profile)

    def use_sandbox(self) -> None:
        """*Try the offline sandbox*: the demo, remembered until *Leave the demo*."""
        base = self._running if self._running is not None else self._at_start
        if base is None:  # no configuration: the flags still say where the profile is
            bare = demo.flags_only(self._flags)
            if isinstance(bare, ConfigError):
                self._window.show_notice(bare)
                return
            base = bare
        base = replace(base, sandbox=False)
        problem = demo.remember_choice(self._demo_home(base))
        self.start(replace(base, sandbox=True))
        if problem is not None:
            from desktop_app.core.errors import ErrorKind, LanyardError

            self._window.show_notice(LanyardError(problem, "", ErrorKind.INTERNAL))

    def leave_demo(self) -> None:
        """*Leave the demo*: the settings saved for a tenant of one's own when there are some,
        else the set-up page. The demo's profile is kept: coming back is one click."""
        if not self.in_demo or self._running is None:
            return
        demo.forget_choice(self._demo_home(self._running))
        try:
            config = load_config(self._flags)
        except ConfigError as exc:
            self._stop_for_setup(None, exc)
            return
        if config.is_configured:
            self.start(config)
        else:
            self._stop_for_setup(config, None)

    def apply_settings(self, config: Config) -> None:
        """Settings saved in the dialog. Inside the demo its Save button says that saving
        leaves the demo (settings_dialog.py): this is that choice."""
        if self.in_demo and self._running is not None:
            demo.forget_choice(self._demo_home(self._running))
        if config.is_configured:
            self.start(config)
        else:
            self._stop_for_setup(config, None)

    def _stop_for_setup(self, config: Config | None, problem: ConfigError | None) -> None:
        """No session to run: the one in force stops (kept, stopped, until the next start
        replaces it, as at quit) and the set-up page is shown."""
        window = self._window
        if self._session is not None:
            self._stop(self._session)
        self._running = None
        for clear in (window.show_identity, window.show_profile, window.show_photo):
            clear(None)
        window.show_accounts([])
        window.banner.hide()
        window.setWindowTitle("Lanyard")
        self._show_setup(config, problem)

    def open_settings(self) -> None:
        from desktop_app.ui.settings_dialog import open_settings_dialog

        dialog = open_settings_dialog(self._window, self._flags, None, self.apply_settings)
        dialog.show_demo(self.in_demo)

    def shutdown(self) -> None:
        """Stop the session in force within the bound (on aboutToQuit, and again after the event
        loop has returned: a stopped session returns at once). A token Lanyard copied goes from
        the clipboard first (ui/clipboard.py also does on aboutToQuit)."""
        from desktop_app.ui.clipboard import clipboard_guard

        clipboard_guard().clear_secret("quit")
        if self._session is not None:
            self._stop(self._session)

    @staticmethod
    def _stop(session: SessionController) -> None:
        if not session.shutdown(SHUTDOWN_BOUND_S):
            log.warning(
                "A worker thread did not stop within %.1f s; exiting anyway", SHUTDOWN_BOUND_S
            )
