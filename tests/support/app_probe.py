"""Run ``lanyard``'s real window path (desktop_app.ui.app.run_window) in this process and report.

    python tests/support/app_probe.py CHECK [--policy FILE] -- LANYARD ARGS...

CHECK names what to wait for and print (as JSON on the last line of stdout). It runs in its own
process because quitting a QApplication leaves its event loop unable to run again in the same
process, which would break every later GUI test. The managed policy is FILE's (through the
test seam, tests/support/policy.py), else none: never the computer's own.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.cli import parse_args
from desktop_app.core import managed_policy
from desktop_app.ui.app import run_window
from desktop_app.ui.main_window import MainWindow


def setup_instructions(window: MainWindow) -> str | None:
    if window.stack.currentWidget() is window.setup_page:
        return window.setup_page.instructions.text()
    return None


def setup_problem(window: MainWindow) -> str | None:
    if window.setup_page.problem.isVisibleTo(window):
        return window.setup_page.problem.text()
    return None


def banner(window: MainWindow) -> str | None:
    """The banner's message once it shows (why this window runs alone, ...)."""
    if window.banner.isVisibleTo(window):
        return f"{window.banner.message.text()}\n{window.banner.recommendation.text()}"
    return None


_clicked: list[bool] = []


def sandbox_sign_in(window: MainWindow) -> str | None:
    if window.stack.currentWidget() is window.tabs:
        return window.profile_panel.value_text("displayName") or None
    if window.stack.currentWidget() is window.welcome_page and not _clicked:
        _clicked.append(True)
        window.welcome_page.sign_in_button.click()
    return None


_handoffs: list[dict[str, object]] = []
_ready: list[bool] = []


def record_handoffs() -> None:
    """Wrap what the window runs when a second launch hands over, to report it."""
    from desktop_app.ui import single_instance

    original = single_instance.bring_to_front

    def recording(window: MainWindow, arguments: dict[str, object]) -> None:
        original(window, arguments)

        def record() -> None:  # once the window system has handled the activation
            _handoffs.append(
                {
                    "arguments": arguments,
                    "minimized": window.isMinimized(),
                    "visible": window.isVisible(),
                    "active": window.isActiveWindow(),
                }
            )

        QTimer.singleShot(300, record)

    single_instance.bring_to_front = recording  # type: ignore[assignment]


_before: dict[str, bool] = {}
_others: list[QWidget] = []


def handoff(window: MainWindow) -> str | None:
    """Minimise the window, say READY once that took effect, and report the first hand-off
    from another launch (with the window's state before it)."""
    if not _ready:
        _ready.append(True)
        window.showMinimized()
        other = QWidget()  # another application's window has the focus now
        other.setWindowTitle("another application")
        other.show()
        other.activateWindow()
        _others.append(other)
        return None
    if not _before:
        _before.update(minimized=window.isMinimized(), active=window.isActiveWindow())
        print("READY", flush=True)
    return json.dumps(_handoffs[0] | {"before": _before}) if _handoffs else None


def setup_form(window: MainWindow) -> str | None:
    """The set-up page's problems: above the page, above the form, and beside each field."""
    if window.stack.currentWidget() is not window.setup_page:
        return None
    page, form = window.setup_page, window.setup_page.form
    return json.dumps(
        {
            "page_problem": page.problem.text() if page.problem.isVisibleTo(window) else None,
            "form_problem": form.problem.text() if form.problem.isVisibleTo(window) else None,
            "field_errors": {
                key: row.error.text()
                for key, row in form.rows.items()
                if row.error.isVisibleTo(window)
            },
            "focused": next(
                (key for key, row in form.rows.items() if window.focusWidget() is row.editor),
                None,
            ),
        }
    )


_start_polls: list[int] = []


def start_banner(window: MainWindow) -> str | None:
    """Once the window has left "Starting…" (and a moment more): the banner it shows, if any."""
    if window.stack.currentWidget() is window.starting_page:
        return None
    _start_polls.append(1)
    if len(_start_polls) < 5:  # half a second on the page it settled on
        return None
    banner = window.banner
    return json.dumps(
        {
            "page": window.stack.currentWidget().__class__.__name__,
            "banner": banner.message.text() if banner.isVisibleTo(window) else None,
            "severity": banner.property("severity"),
        }
    )


def _signed_in(window: MainWindow) -> bool:
    return (
        window.stack.currentWidget() is window.tabs
        and window.profile_panel.value_text("displayName") != ""
    )


_keyring: dict[str, object] = {}
SETTLE_S = 3.0  # after the sign-in shows: the snapshot save and its file events are over


def _settled(window: MainWindow) -> bool:
    """Signed in, and nothing else moving for SETTLE_S: what happens next is the test's."""
    import time

    if not _signed_in(window):
        return False
    shown = float(str(_keyring.setdefault("shown_at", time.monotonic())))
    return time.monotonic() - shown >= SETTLE_S


def keyring_cleared(window: MainWindow) -> str | None:
    """Signed in from the keyring; its item is deleted from outside (secret-tool clear, the
    cache path in PROBE_CACHE); report how long the window took to show it signed out."""
    import os
    import subprocess
    import time

    if "cleared_at" not in _keyring:
        if not _settled(window):
            return None
        done = subprocess.run(
            ["secret-tool", "clear", "cache", os.environ["PROBE_CACHE"]], check=False
        )
        assert done.returncode == 0
        _keyring["cleared_at"] = time.monotonic()
        return None
    if window.stack.currentWidget() is not window.welcome_page:
        return None
    return json.dumps(
        {
            "seconds": time.monotonic() - float(str(_keyring["cleared_at"])),
            "banner": window.banner.message.text() if window.banner.isVisible() else "",
        }
    )


def keyring_locked(window: MainWindow) -> str | None:
    """Signed in; the keyring is locked and a refresh comes: the status bar says nothing is
    saved; the keyring is unlocked: the status bar says it is saved again, no restart."""
    from tests.support import keyring_control

    label = window.protection_label.text()
    if "signed_in" not in _keyring:
        if not _settled(window) or window.session is None:
            return None
        _keyring["signed_in"] = label
        keyring_control.lock()
        window.session.refresh(force=True)
        return None
    if "locked" not in _keyring:
        if "not saved now" not in label:
            return None
        _keyring["locked"] = label
        _keyring["banner"] = window.banner.message.text()
        keyring_control.unlock()  # the Secret Service says so on the bus: the watcher hears it
        return None
    if "not saved now" in label or window.banner.isVisible():
        return None
    return json.dumps(
        {
            "signed_in": _keyring["signed_in"],
            "locked": _keyring["locked"],
            "banner": _keyring["banner"],
            "unlocked": label,
        }
    )


CHECKS: dict[str, Callable[[MainWindow], str | None]] = {
    "setup_form": setup_form,
    "start_banner": start_banner,
    "keyring_cleared": keyring_cleared,
    "keyring_locked": keyring_locked,
    "setup_instructions": setup_instructions,
    "setup_problem": setup_problem,
    "sandbox_sign_in": sandbox_sign_in,
    "handoff": handoff,
    "banner": banner,
}


def main() -> int:
    check = CHECKS[sys.argv[1]]
    argv = sys.argv[2:]
    policy = [Path(tempfile.gettempdir()) / "lanyard-probe-no-policy" / "policy.toml"]
    if argv[:1] == ["--policy"]:  # the managed policy's test seam: never /etc's (issue 21)
        policy = [Path(argv[1])]
        argv = argv[2:]
    argv = argv[1:] if argv[:1] == ["--"] else argv
    from tests.support.policy import source_for

    sources = [source_for(path) for path in policy]
    managed_policy.platform_sources = lambda: sources  # type: ignore[assignment]
    seen: dict[str, object] = {"value": None}
    elapsed = [0]

    def poll() -> None:
        app = QApplication.instance()
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        value = check(windows[-1]) if windows else None
        if value is not None or elapsed[0] >= 30_000:
            seen["value"] = value
            for window in windows:
                window.close()
            if app is not None:
                app.quit()
            return
        elapsed[0] += 100
        QTimer.singleShot(100, poll)

    if check is handoff:
        record_handoffs()
    _app = QApplication([sys.argv[0]])  # run_window reuses it; timers need it to exist first
    QTimer.singleShot(200, poll)
    seen["exit_code"] = run_window(parse_args(argv))
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
