"""Open the main window with a remembered geometry on the current display and print, as JSON,
where it ended up: its frame, the screen's available area (tests/gui/test_placement.py).

    python tests/support/placement_probe.py STATE_FILE [--saved X,Y,W,H]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QRect, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

from desktop_app.ui.main_window import MainWindow  # noqa: E402


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("state_file")
    parser.add_argument("--saved", default="", help="X,Y,W,H of a geometry saved before")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    if args.saved:  # what an earlier run saved (a plain window: no clamping of its own)
        x, y, width, height = (int(part) for part in args.saved.split(","))
        earlier = QMainWindow()
        earlier.setGeometry(x, y, width, height)
        settings = QSettings(args.state_file, QSettings.Format.IniFormat)
        settings.setValue("window/geometry", earlier.saveGeometry())
        settings.sync()
    window = MainWindow(state_file=Path(args.state_file))
    window.show()
    result: dict[str, object] = {}

    def report() -> None:
        screen = window.screen()
        result.update(
            frame=rect(window.frameGeometry()),
            geometry=rect(window.geometry()),
            available=rect(screen.availableGeometry()),
            ratio=screen.devicePixelRatio(),
        )
        app.quit()

    QTimer.singleShot(1500, report)  # a window manager frames and places it meanwhile
    app.exec()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
