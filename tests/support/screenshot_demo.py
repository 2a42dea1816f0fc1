"""Screenshots of the demo as a person meets it, from the X screen (what the server drew).

    DISPLAY=:99 BROWSER="python tests/support/standin_browser.py --detach" \
        python tests/support/screenshot_demo.py OUTDIR first|again

``first``: a first run (no settings): the set-up page (setup.png); then *Try the offline
sandbox*, sign in, and File → Settings… inside the demo (settings-in-demo.png). ``again``: the
next start, no flags: the demo, signed in without the browser (demo-after-restart.png). Run both
with the same XDG_CONFIG_HOME and XDG_DATA_HOME. Exit status 0 when every PNG was written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication, QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop_app.cli import parse_args  # noqa: E402
from desktop_app.core.paths import resources_dir  # noqa: E402
from desktop_app.ui.app import SessionHost, initial_config  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402
from desktop_app.ui.settings_dialog import SettingsDialog  # noqa: E402


def grab(widget: QWidget, out: Path) -> bool:
    geometry = widget.frameGeometry()
    shot = QGuiApplication.primaryScreen().grabWindow(
        0, geometry.x(), geometry.y(), geometry.width(), geometry.height()
    )
    return shot.save(str(out), "PNG")


def main(argv: list[str]) -> int:
    out, step = Path(argv[1]), argv[2]
    app = QApplication([argv[0], "-platform", "xcb"])
    app.setApplicationName("Lanyard")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "lanyard.svg")))
    args = parse_args([])
    config, problem = initial_config(args)
    window = MainWindow()
    window.resize(900, 720)
    window.move(20, 20)
    window.show()
    host = SessionHost(window, args)
    host.begin(config, problem)
    written: list[Path] = []

    def signed_in() -> bool:
        return (
            window.stack.currentWidget() is window.tabs
            and window.profile_panel.value_text("displayName") != ""
        )

    script: list[tuple[Callable[[], bool], Callable[[], None]]] = []
    if step == "first":
        script = [
            (
                lambda: window.stack.currentWidget() is window.setup_page,
                lambda: shoot(window, "setup.png"),
            ),
            (lambda: True, window.setup_page.demo_button.click),
            (
                lambda: window.stack.currentWidget() is window.welcome_page,
                window.welcome_page.sign_in_button.click,
            ),
            (signed_in, window.settings_action.trigger),
            (
                lambda: dialog_shown() is not None,
                lambda: shoot(dialog_shown(), "settings-in-demo.png"),
            ),
        ]
    else:
        script = [(signed_in, lambda: shoot(window, "demo-after-restart.png"))]

    def dialog_shown() -> SettingsDialog | None:
        dialog = window.findChild(SettingsDialog)
        return dialog if dialog is not None and dialog.isVisible() else None

    def shoot(widget: QWidget | None, name: str) -> None:
        if widget is not None and grab(widget, out / name):
            written.append(out / name)

    ticks = [0]

    def tick() -> None:
        ticks[0] += 1
        if script and script[0][0]():
            _, act = script.pop(0)
            QTimer.singleShot(400, act)  # after the page has painted
        if not script or ticks[0] > 600:
            QTimer.singleShot(800, app.quit)
            return
        QTimer.singleShot(100, tick)

    QTimer.singleShot(300, tick)
    app.exec()
    host.shutdown()
    expected = 2 if step == "first" else 1
    for path in written:
        print(path)
    return 0 if len(written) == expected else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
