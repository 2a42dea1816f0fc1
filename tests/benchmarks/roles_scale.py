"""The GUI thread with an ID token of 10,000 app roles, beside the same window with 10.

    python tests/benchmarks/roles_scale.py [--quick] [--runs 5] [--roles 10000] [--json PATH]

The real main window (no session: the claims are handed to it as the session would, through
MainWindow.show_identity) is shown at 880x680 on the X server in DISPLAY, else offscreen. Each
step is timed from the call to the end of the repaint it causes, all on the GUI thread, so a
step's time is the stall a person feels; a 10 ms heartbeat timer also records its worst lateness
over the steps. Steps:

- apply: the claims arrive (header, Roles, Token & claims, the Admin gate), the Profile tab shown;
- tab_<name>: switching to each tab, then back to Profile (the issue: 2.5-2.9 s per switch);
- filter: each keystroke of "1", "12", "123", "1234" in the Roles filter (and its clearing);
- compact: the window resized to 880x560 (the header compacts) and back.

The 10-role and many-role windows alternate, the medians of the runs are reported, and the
worst step of the many-role window is the figure ("worst GUI stall"), with its ratio to the
10-role window's worst. Figures are printed and written, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.auth.claims import IdTokenClaims  # noqa: E402
from desktop_app.auth.models import Identity  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402

DEFAULT_JSON = REPO / ".artifacts" / "roles_scale.json"
BASELINE_ROLES = 10
HEARTBEAT_MS = 10
KEYSTROKES = ("1", "12", "123", "1234", "")


class Heartbeat:
    """The worst lateness of a 10 ms timer: how long the GUI thread was away."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def _beat(self) -> None:
        late = self._clock.restart() - HEARTBEAT_MS
        self.worst_ms = max(self.worst_ms, float(late))

    def stop(self) -> None:
        self._timer.stop()


def claims(count: int) -> Identity:
    roles = [f"Orders.Region{n:05d}.ReadWrite" for n in range(count - 1)] + ["Admin"]
    payload = {"name": "Megan Bowen", "preferred_username": "megan.bowen@contoso.test"}
    return Identity(IdTokenClaims({**payload, "tid": "tenant", "roles": roles}))


def timed(app: QApplication, window: MainWindow, step: Callable[[], None]) -> float:
    start = time.perf_counter()
    step()
    window.repaint()
    app.processEvents()
    return (time.perf_counter() - start) * 1000


def one_window(app: QApplication, count: int, heartbeat: Heartbeat) -> dict[str, float]:
    """Every step once, on a fresh window holding ``count`` roles; milliseconds per step."""
    window = MainWindow()
    window.resize(880, 680)
    window.header.show()
    window.stack.setCurrentWidget(window.tabs)
    window.show()
    app.processEvents()
    tabs = window.tabs
    identity = claims(count)
    heartbeat.start()  # over the steps, not the window's construction
    steps: dict[str, float] = {}
    steps["apply"] = timed(app, window, lambda: window.show_identity(identity))
    for index in range(1, tabs.count()):
        name = tabs.widget(index).objectName().removeprefix("panel_")
        steps[f"tab_{name}"] = timed(app, window, lambda i=index: tabs.setCurrentIndex(i))
        timed(app, window, lambda: tabs.setCurrentIndex(0))
    tabs.setCurrentWidget(window.roles_panel)
    app.processEvents()
    # (a window without the filter: the code before it, for a before-and-after figure)
    for text in KEYSTROKES if hasattr(window.roles_panel, "filter") else ():
        steps[f"filter_{text or 'cleared'}"] = timed(
            app, window, lambda t=text: window.roles_panel.filter.setText(t)
        )
    steps["compact"] = timed(app, window, lambda: window.resize(880, 560))
    steps["uncompact"] = timed(app, window, lambda: window.resize(880, 680))
    heartbeat.stop()
    window.close()
    window.deleteLater()
    app.processEvents()
    return steps


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="2 runs (CI)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--roles", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    runs = 2 if args.quick else max(1, args.runs)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    heartbeats = {BASELINE_ROLES: Heartbeat(), args.roles: Heartbeat()}
    measured: dict[int, list[dict[str, float]]] = {BASELINE_ROLES: [], args.roles: []}
    for _ in range(runs):
        for count in (BASELINE_ROLES, args.roles):  # alternating: the same load for both
            measured[count].append(one_window(app, count, heartbeats[count]))

    def medians(count: int) -> dict[str, float]:
        names = measured[count][0]
        return {n: statistics.median(run[n] for run in measured[count]) for n in names}

    base, many = medians(BASELINE_ROLES), medians(args.roles)
    print(f"platform {app.platformName()}, {runs} runs, medians in ms")
    print(f"{'step':<18}{BASELINE_ROLES:>10} roles{args.roles:>10,} roles{'ratio':>9}")
    for name in many:
        ratio = many[name] / base[name] if base[name] > 0 else float("inf")
        print(f"{name:<18}{base[name]:>16.1f}{many[name]:>16.1f}{ratio:>9.1f}x")
    worst_base = max(base, key=lambda n: base[n])
    worst = max(many, key=lambda n: many[n])
    print(
        f"worst GUI stall with {args.roles:,} roles: {many[worst]:.1f} ms ({worst}); "
        f"with {BASELINE_ROLES}: {base[worst_base]:.1f} ms ({worst_base}); "
        f"ratio {many[worst] / max(base[worst_base], 0.001):.1f}x"
    )
    beats = {count: round(beat.worst_ms, 1) for count, beat in heartbeats.items()}
    print(
        f"heartbeat worst lateness: {beats[BASELINE_ROLES]} ms with {BASELINE_ROLES} roles, "
        f"{beats[args.roles]} ms with {args.roles:,}"
    )
    document: dict[str, Any] = {
        "settings": {"runs": runs, "roles": args.roles, "baseline_roles": BASELINE_ROLES},
        "platform": app.platformName(),
        "steps_ms": {"baseline": base, "many": many},
        "worst_stall": {
            "value_ms": many[worst],
            "step": worst,
            "baseline_ms": base[worst_base],
            "baseline_step": worst_base,
        },
        "heartbeat_worst_ms": {"baseline": beats[BASELINE_ROLES], "many": beats[args.roles]},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2))
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
