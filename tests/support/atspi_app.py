"""The real Lanyard window in the sandbox demo, stepped through every page for a screen reader test.

    DISPLAY=:99 DBUS_SESSION_BUS_ADDRESS=... BROWSER="python tests/support/standin_browser.py" \
        python tests/support/atspi_app.py [--user UPN]

Qt's AT-SPI bridge is on (QT_LINUX_ACCESSIBILITY_ALWAYS_ON, set here before Qt starts), so the
window is on the accessibility bus the environment names. At each step the window is left as a
person would see it and one JSON line is printed: ``{"at": STEP, "controls": [...], ...}``, where
controls are the visible widgets a person can operate (class, object name, screen rectangle,
enabled, checkable, checked, focusable) and, once signed in, ``token`` is the access token (for
the test to look for it in the tree). The driver then waits for a line on stdin before the next
step, so the test can read the tree meanwhile. Steps: welcome, profile, copied (a profile value
copied: the status bar says so), roles, token, token-revealed, token-hidden, inspector, api,
api-answered, admin, settings, before-banner (the dialog closed, the profile shown again),
banner (the sandbox revoked the sign-in and a refresh found out), done.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ["QT_LINUX_ACCESSIBILITY_ALWAYS_ON"] = "1"  # a screen reader is there: always expose
os.environ["QT_ACCESSIBILITY"] = "1"

from PySide6.QtCore import QSocketNotifier, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from desktop_app.core.config import Config  # noqa: E402
from desktop_app.core.paths import resources_dir  # noqa: E402
from desktop_app.session.controller import SessionController  # noqa: E402
from desktop_app.session.services import build_services  # noqa: E402
from desktop_app.session.state import State  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402
from desktop_app.ui.settings_dialog import SettingsDialog, open_settings_dialog  # noqa: E402

CONTROLS = (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
    QTabBar,
    QAbstractItemView,
)
PANELS = ("profile", "roles", "token", "inspector", "api", "admin")
TIMEOUT_S = 30.0


def controls(top: QWidget) -> list[dict[str, object]]:
    """The controls a person sees in ``top``: Qt's own inner parts (a combo box's line edit, a
    table's header, a tab bar's scroll arrows) belong to their control and are left out."""
    found: list[dict[str, object]] = []
    for widget in top.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QHeaderView):
            continue
        if not widget.isVisible() or widget.window() is not top:
            continue
        parent = widget.parentWidget()
        if isinstance(parent, (QComboBox, QTabBar, QAbstractSpinBox)):
            continue
        origin = widget.mapToGlobal(widget.rect().topLeft())
        checkable = isinstance(widget, QAbstractButton) and widget.isCheckable()
        found.append(
            {
                "class": type(widget).__name__,
                "kind": next(c.__name__ for c in CONTROLS if isinstance(widget, c)),
                "object": widget.objectName(),
                "rect": [origin.x(), origin.y(), widget.width(), widget.height()],
                "enabled": widget.isEnabled(),
                "checkable": checkable,
                "checked": checkable and isinstance(widget, QAbstractButton) and widget.isChecked(),
                "focusable": widget.focusPolicy() != Qt.FocusPolicy.NoFocus,
                "tabs": [widget.tabText(i) for i in range(widget.count())]
                if isinstance(widget, QTabBar)
                else [],
            }
        )
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="megan.bowen@contoso.test")
    args = parser.parse_args()
    os.environ["STANDIN_USER"] = args.user

    app = QApplication([sys.argv[0], "-platform", os.environ.get("QT_QPA_PLATFORM", "xcb")])
    app.setApplicationName("Lanyard")
    window = MainWindow(icon=QIcon(str(resources_dir() / "icons" / "lanyard.svg")))
    profile = Path(tempfile.mkdtemp(prefix="lanyard-atspi-"))
    config = Config(sandbox=True, profile_dir=profile)
    session = SessionController(lambda notice: build_services(config, True, notice))
    window.attach(session, "global", sandbox=True)
    window.resize(900, 700)
    window.move(20, 20)
    window.show()
    session.start()
    outcome = {"code": 1}

    def token() -> str:
        return session.access_token() or ""

    def report(step: str, top: QWidget | None = None, **extra: object) -> None:
        line = {"at": step, "controls": controls(top or window), "token": token(), **extra}
        print(json.dumps(line), flush=True)

    def until(ready: Callable[[], bool], then: Callable[[], None], what: str) -> None:
        """Call ``then`` once ``ready()`` (polled), after a moment for the tree to settle."""
        waited = {"s": 0.0}

        def poll() -> None:
            if ready():
                QTimer.singleShot(300, then)
                return
            waited["s"] += 0.1
            if waited["s"] > TIMEOUT_S:
                print(json.dumps({"at": "timeout", "waiting_for": what}), flush=True)
                app.quit()
                return
            QTimer.singleShot(100, poll)

        poll()

    steps: list[Callable[[], None]] = []

    def next_step() -> None:
        if steps:
            steps.pop(0)()

    # the test says "next" on stdin when it has read the tree
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

    def on_stdin() -> None:
        line = sys.stdin.readline()
        if not line:
            app.quit()
            return
        next_step()

    notifier.activated.connect(on_stdin)

    def signed_in() -> bool:
        return bool(
            window.stack.currentWidget() is window.tabs
            and window.profile_panel.value_text("displayName")
        )

    def welcome() -> None:
        until(
            lambda: window.stack.currentWidget() is window.welcome_page,
            lambda: report("welcome"),
            "welcome",
        )

    def sign_in() -> None:
        window.welcome_page.sign_in_button.click()
        until(signed_in, lambda: show_panel("profile"), "signed in")

    def show_panel(name: str) -> None:
        if not window.tabs.select_panel(name):
            print(json.dumps({"at": "missing", "panel": name}), flush=True)
            app.quit()
            return
        until(lambda: True, lambda: report(name), name)

    def copy() -> None:
        window.tabs.select_panel("profile")
        window.profile_panel.copy_buttons["displayName"].click()
        until(
            lambda: window.statusBar().currentMessage() == "Copied",
            lambda: report("copied", message=window.statusBar().currentMessage()),
            "the Copied message",
        )

    def reveal() -> None:
        window.tabs.select_panel("token")
        window.token_panel.reveal_button.click()
        until(
            lambda: window.token_panel.token_field.text() == token(),
            lambda: report("token-revealed"),
            "the token revealed",
        )

    def hide() -> None:
        window.token_panel.reveal_button.click()
        until(
            lambda: not window.token_panel.reveal_button.isChecked(),
            lambda: report("token-hidden"),
            "the token hidden",
        )

    def call_api() -> None:
        panel = window.api_panel
        index = next(i for i, p in enumerate(panel._presets) if p.name.endswith("(/me)"))
        panel.preset_box.setCurrentIndex(index)
        panel.preset_box.activated.emit(index)
        panel.call_button.click()
        until(
            lambda: panel.status.text().startswith("200"),
            lambda: report("api-answered"),
            "the /me call",
        )

    def settings() -> None:
        dialog = open_settings_dialog(window, {}, None, lambda _config: None)
        until(dialog.isVisible, lambda: report("settings", dialog), "the settings dialog")

    def before_banner() -> None:
        dialog = window.findChild(SettingsDialog)
        if dialog is not None:
            dialog.reject()
        window.tabs.select_panel("profile")
        until(lambda: True, lambda: report("before-banner"), "the settings dialog closed")

    def banner() -> None:
        services = session.services
        assert services is not None and services.sandbox is not None
        services.sandbox.revoke_refresh_tokens(args.user)
        session.refresh(force=True)
        until(
            lambda: session.state is State.SIGN_IN_NEEDED and window.banner.isVisible(),
            lambda: report(
                "banner",
                banner=window.banner.message.text(),
                state=window.state_label.text(),
            ),
            "the sign-in-needed banner",
        )

    def done() -> None:
        outcome["code"] = 0
        print(json.dumps({"at": "done"}), flush=True)
        app.quit()

    steps.extend(
        [
            sign_in,
            copy,
            *[lambda name=name: show_panel(name) for name in PANELS[1:3]],
            reveal,
            hide,
            *[lambda name=name: show_panel(name) for name in PANELS[3:5]],
            call_api,
            lambda: show_panel("admin"),
            settings,
            before_banner,
            banner,
            done,
        ]
    )
    QTimer.singleShot(0, welcome)
    app.exec()
    session.shutdown(2.0)
    return int(outcome["code"])


if __name__ == "__main__":
    sys.exit(main())
