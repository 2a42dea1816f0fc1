"""The window path: logging, QApplication, wiring, clean shutdown."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.cli import config_flags
from desktop_app.core import paths
from desktop_app.core.config import Config, ConfigError, load_config
from desktop_app.core.logs import configure_logging

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    from desktop_app.session.controller import SessionController
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SHUTDOWN_BOUND_S = 2.0


def _log_file(config: Config | None) -> str | None:
    base = config.profile_dir if config and not config.sandbox else paths.data_dir()
    try:
        logs = paths.ensure_private_dir(base / "logs")
    except OSError:
        return None
    return str(logs / "lanyard.log")


def quit_on_signals(app: QCoreApplication) -> None:
    """Ctrl+C and SIGTERM quit cleanly (through aboutToQuit and the bounded shutdown).

    Python runs a signal handler only when the interpreter gets control back, which it does not
    while Qt's event loop waits; a wakeup socket watched by Qt hands it control at once.
    """
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: reader.recv(64))
    app.setProperty("lanyard_signal_sockets", (reader, writer))  # kept alive with the app
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())


def run_window(args: argparse.Namespace) -> int:
    config: Config | None = None
    config_problem: ConfigError | None = None
    try:
        config = load_config(config_flags(args))
    except ConfigError as exc:
        config_problem = exc
    if config is not None and args.sandbox:
        config = replace(config, sandbox=True)
    configure_logging(_log_file(config), args.verbose)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop_app.session.qt_compat import protect_booleans

    if protect_booleans():
        log.info("This PySide6 loses references to True/None: they are pinned (qt_compat.py)")

    from desktop_app.ui import single_instance
    from desktop_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    quit_on_signals(app)
    app.setApplicationName("Lanyard")
    app.setOrganizationName("Lanyard")
    app.setDesktopFileName("lanyard")
    instance = single_instance.claim_window(config, args, app)
    if instance is not None and instance.role is single_instance.Role.HANDED_OFF:
        return 0  # the running window has the arguments and comes to the front
    icon_path = paths.resources_dir() / "icons" / "lanyard.svg"
    icon = QIcon(str(icon_path)) if icon_path.exists() else None
    if icon is not None:
        app.setWindowIcon(icon)
    state_file = None
    if config is not None:  # window geometry, panel and account: kept with the profile
        state_file = paths.ensure_private_dir(config.profile_dir) / "window.ini"
    window = MainWindow(icon=icon, state_file=state_file)
    if instance is not None:
        instance.activated.connect(partial(single_instance.bring_to_front, window))
    current_session = manage_session(window, config, config_problem, args)
    app.aboutToQuit.connect(lambda: _shutdown(current_session()))
    window.show()
    code = app.exec()
    _shutdown(current_session())
    return int(code)


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
    from PySide6.QtCore import QEvent, QObject, QTimer

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


def manage_session(
    window: MainWindow,
    config: Config | None,
    problem: ConfigError | None,
    args: argparse.Namespace,
) -> Callable[[], SessionController | None]:
    """Give ``window`` its session, and a fresh one whenever the settings are saved (File →
    Settings…, or the first-run page) or the offline sandbox is chosen: the old session is shut
    down within the bound and a new SessionController is built and attached, in this process.
    Returns a function that gives the session in force (for shutdown)."""
    from desktop_app.session.controller import SessionController
    from desktop_app.ui.settings_dialog import open_settings_dialog

    flags = config_flags(args)
    explicit_profile = bool(args.profile_dir or os.environ.get("LANYARD_PROFILE_DIR"))
    current: list[SessionController] = []
    running: list[Config] = []
    sandbox_info = Path(args.sandbox_info) if getattr(args, "sandbox_info", None) else None

    def start(new: Config) -> None:
        first = not current  # the first session starts after the window's first paint
        if current:
            if running and new == running[-1]:
                return  # saved without a change: keep the session (and the sign-in in progress)
            old = current.pop()
            _shutdown(old)
            old.deleteLater()  # drops every connection the window made to it
        running[:] = [new]
        for clear in (window.show_identity, window.show_profile, window.show_photo):
            clear(None)
        window.banner.hide()
        window.setWindowTitle("Lanyard")  # attach() marks a sandbox session in the title
        session = SessionController(partial(_build_services, new, explicit_profile, sandbox_info))
        current.append(session)
        window.attach(session, new.cloud.name, new.sandbox)
        if first:  # msal and requests load on the auth worker once the window is on screen
            start_after_first_paint(window, session.start)
        else:
            session.start()

    def use_sandbox() -> None:
        base = running[-1] if running else config or Config()
        start(replace(base, sandbox=True))

    window.setup_page.use_settings(flags)
    window.setup_page.settings_saved.connect(start)
    window.demo_requested.connect(use_sandbox)
    window.settings_requested.connect(lambda: open_settings_dialog(window, flags, None, start))
    if config is not None and (config.is_configured or config.sandbox):
        start(config)
    elif problem is not None:
        window.show_setup(None, problem)
        window.setup_page.show_config_error(problem)
    else:
        window.show_setup(config.config_file if config else None)
    return lambda: current[-1] if current else None


def _shutdown(session: SessionController | None) -> None:
    if session is not None and not session.shutdown(SHUTDOWN_BOUND_S):
        log.warning("A worker thread did not stop within %.1f s; exiting anyway", SHUTDOWN_BOUND_S)
