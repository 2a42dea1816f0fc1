"""Run ``lanyard``'s real window path (desktop_app.app.run_window) in this process and report.

    python tests/support/app_probe.py CHECK -- LANYARD ARGS...

CHECK names what to wait for and print (as JSON on the last line of stdout). It runs in its own
process because quitting a QApplication leaves its event loop unable to run again in the same
process, which would break every later GUI test.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.app import run_window
from desktop_app.cli import parse_args
from desktop_app.ui.main_window import MainWindow


def setup_instructions(window: MainWindow) -> str | None:
    if window.stack.currentWidget() is window.setup_page:
        return window.setup_page.instructions.text()
    return None


def setup_problem(window: MainWindow) -> str | None:
    if window.setup_page.problem.isVisibleTo(window):
        return window.setup_page.problem.text()
    return None


_clicked: list[bool] = []


def sandbox_sign_in(window: MainWindow) -> str | None:
    if window.stack.currentWidget() is window.tabs:
        return window.profile_panel.value_text("displayName") or None
    if window.stack.currentWidget() is window.welcome_page and not _clicked:
        _clicked.append(True)
        window.welcome_page.sign_in_button.click()
    return None


CHECKS: dict[str, Callable[[MainWindow], str | None]] = {
    "setup_instructions": setup_instructions,
    "setup_problem": setup_problem,
    "sandbox_sign_in": sandbox_sign_in,
}


def main() -> int:
    check = CHECKS[sys.argv[1]]
    argv = sys.argv[3:] if sys.argv[2:3] == ["--"] else sys.argv[2:]
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

    _app = QApplication([sys.argv[0]])  # run_window reuses it; timers need it to exist first
    QTimer.singleShot(200, poll)
    seen["exit_code"] = run_window(parse_args(argv))
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
