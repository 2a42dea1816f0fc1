"""The floor for Lanyard's first window: a bare PySide6 window, timed the same way.

    python tests/benchmarks/bare_window.py [--idle-ms 1000] [--wakeups-s 0]

Prints one JSON line: ``first_paint`` (CLOCK_MONOTONIC at the window's first Paint event) and
``stall_idle_ms``, the worst lateness of a 10 ms heartbeat timer over ``--idle-ms`` of an idle
event loop (what the machine's load alone costs a GUI thread). With ``--wakeups-s``, then
``idle_wakeups_per_s``: its threads' wake-ups a second over that long with the heartbeat stopped
(the floor for Lanyard's idle figure).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.benchmarks.wakeups

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

HEARTBEAT_MS = 10


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle-ms", type=int, default=1000)
    parser.add_argument("--wakeups-s", type=float, default=0.0)
    options = parser.parse_args()
    report: dict[str, float] = {}
    app = QApplication(sys.argv[:1])
    app.setDesktopFileName("lanyard-floor")
    window = QMainWindow()
    window.setWindowTitle("Floor")
    window.setCentralWidget(QLabel("A bare PySide6 window"))
    worst = [0.0]
    last = [0.0]

    def beat() -> None:
        now = time.monotonic()
        worst[0] = max(worst[0], (now - last[0]) * 1000 - HEARTBEAT_MS)
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)

    def done() -> None:
        report["stall_idle_ms"] = round(worst[0], 1)
        heartbeat.stop()
        if options.wakeups_s:
            from tests.benchmarks.wakeups import wakeups

            start, started = wakeups(), time.monotonic()

            def counted() -> None:
                rate = (wakeups() - start - 1) / (time.monotonic() - started)  # -1: this timer
                report["idle_wakeups_per_s"] = round(max(0.0, rate), 2)
                window.close()
                app.quit()

            QTimer.singleShot(int(options.wakeups_s * 1000), counted)
            return
        window.close()
        app.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() is QEvent.Type.Paint and "first_paint" not in report:
                report["first_paint"] = time.monotonic()
                last[0] = time.monotonic()
                heartbeat.start()
                QTimer.singleShot(options.idle_ms, done)
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)
    window.show()
    app.exec()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
