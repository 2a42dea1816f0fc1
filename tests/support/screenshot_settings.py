"""Open Lanyard's first-run page or its settings dialog on the current display and save a PNG.

    DISPLAY=:99 python tests/support/screenshot_settings.py OUT.png --scene first-run|dialog

The window is wired as ``lanyard`` wires it (app.SessionHost), on a first run: an empty config
file. The dialog scene sets LANYARD_PROXY (an override, shown as such), types a client id that
is not a GUID and presses Save, so the picture shows a problem beside its field. The PNG is
grabbed from the X screen, so it shows what the display server drew. Exit status 0 once written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QRect, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication, QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.cli import config_flags, parse_args  # noqa: E402
from desktop_app.core.config import load_config  # noqa: E402
from desktop_app.core.paths import resources_dir  # noqa: E402
from desktop_app.ui.app import SessionHost  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402
from desktop_app.ui.settings_dialog import SettingsDialog  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--scene", default="dialog", choices=("first-run", "dialog"))
    parser.add_argument("--language", default="en", help="en, de or ar (ui/translation.py)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lanyard-settings-shot-"))
    config_path = home / "config.toml"
    config_path.write_text("", encoding="utf-8")
    if args.scene == "dialog":
        os.environ["LANYARD_PROXY"] = "http://proxy.contoso.test:3128"

    app = QApplication([sys.argv[0], "-platform", os.environ.get("QT_QPA_PLATFORM", "xcb")])
    app.setApplicationName("Lanyard")
    lanyard_args = parse_args(["--config", str(config_path), "--profile-dir", str(home)])
    from desktop_app.ui import translation

    translation.install(app, args.language)  # after parse_args, which installs the system's
    window = MainWindow(icon=QIcon(str(resources_dir() / "icons" / "lanyard.svg")))
    host = SessionHost(window, lanyard_args)
    host.begin(load_config(config_flags(lanyard_args)), None)
    window.resize(880, 700)
    window.move(20, 20)
    window.show()
    outcome = {"code": 1}

    def stage() -> None:
        if args.scene == "dialog":
            window.menuBar().actions()[0].menu().actions()[0].trigger()
            dialog = window.findChild(SettingsDialog)
            assert dialog is not None
            dialog.form.client_id.setText("my-app")
            dialog.form.tenant.setText("contoso.onmicrosoft.com")
            dialog.form.scopes.setText("User.Read api://orders/Orders.Read")
            dialog.save_button.click()  # not a GUID: the problem shows beside the field
        QTimer.singleShot(600, grab)

    def grab() -> None:
        area = QRect(window.frameGeometry())
        dialog = window.findChild(SettingsDialog)
        if dialog is not None and dialog.isVisible():
            area = area.united(dialog.frameGeometry())
        shot = QGuiApplication.primaryScreen().grabWindow(
            0, area.x(), area.y(), area.width(), area.height()
        )
        if shot.save(args.out, "PNG"):
            outcome["code"] = 0
        app.quit()

    QTimer.singleShot(500, stage)
    app.exec()
    session = host.session
    if session is not None:
        session.shutdown(2.0)
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
