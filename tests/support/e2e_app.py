"""The Lanyard window for the real-browser end-to-end test, on the current (Xvfb) display.

    DISPLAY=:99 BROWSER=... python tests/support/e2e_app.py OUT.png --authority URL \
        --client-id ID --graph URL --ca CA.pem --profile DIR

Signs in (the browser is whatever $BROWSER hands the URL to), waits for the signed-in profile
with its photo, grabs the X screen around the window into OUT.png, signs out, signs in a second
time (the browser's session cookie should make that one password-free), and prints one JSON line
per step: {"step": "signed-in", "round": n, "name": ...}. Exit status 0 when both rounds
succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication, QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.config import Config  # noqa: E402
from desktop_app.core.paths import resources_dir  # noqa: E402
from desktop_app.session.controller import SessionController  # noqa: E402
from desktop_app.session.services import build_services  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--authority", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--graph", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--timeout", type=float, default=90.0)
    args = parser.parse_args()

    app = QApplication([sys.argv[0], "-platform", os.environ.get("QT_QPA_PLATFORM", "xcb")])
    app.setApplicationName("Lanyard")
    window = MainWindow(icon=QIcon(str(resources_dir() / "icons" / "lanyard.svg")))
    config = Config().for_sandbox(
        authority=args.authority,
        client_id=args.client_id,
        graph_endpoint=args.graph,
        ca_file=Path(args.ca),
        profile_dir=Path(args.profile),
    )
    session = SessionController(lambda notice: build_services(config, True, notice))
    window.attach(session, "global", sandbox=True)
    window.resize(880, 640)
    window.move(20, 20)
    window.show()
    session.start()
    progress = {"round": 1, "clicked": 0, "signed_out": False, "code": 1}
    deadline = time.monotonic() + args.timeout

    def signed_in() -> bool:
        return bool(
            window.stack.currentWidget() is window.tabs
            and window.profile_panel.value_text("displayName")
            and window.header.avatar.has_photo
        )

    def tick() -> None:
        if time.monotonic() > deadline:
            say(step="timeout", round=progress["round"], state=session.state.name)
            app.quit()
            return
        on_welcome = window.stack.currentWidget() is window.welcome_page
        if on_welcome and progress["clicked"] < progress["round"]:
            if window.welcome_page.sign_in_button.isEnabled():
                progress["clicked"] += 1
                say(step="sign-in-clicked", round=progress["round"])
                window.welcome_page.sign_in_button.click()
        elif signed_in() and progress["clicked"] == progress["round"]:
            say(step="signed-in", round=progress["round"], name=window.header.name.text())
            if progress["round"] == 1:
                QTimer.singleShot(500, grab)
                return
            progress["code"] = 0
            app.quit()
            return
        QTimer.singleShot(100, tick)

    def grab() -> None:
        screen = QGuiApplication.primaryScreen()
        geometry = window.frameGeometry()
        shot = screen.grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
        say(step="screenshot", saved=shot.save(args.out, "PNG"))
        progress["round"] = 2
        window.header.sign_out_button.click()  # then tick() signs in again from the welcome page
        QTimer.singleShot(100, tick)

    QTimer.singleShot(100, tick)
    app.exec()
    session.shutdown(2.0)
    return int(progress["code"])


if __name__ == "__main__":
    sys.exit(main())
