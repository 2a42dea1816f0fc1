"""How the GUI thread's cost grows with the data (issue 19, item 6): small beside large, one process.

    python tests/benchmarks/growth.py [--runs 3] [--json PATH]

Each pair runs on the real widgets (the main window without a session, as roles_scale.py does;
the API console's panel on its own settings file), alternating small and large, on the X server
in DISPLAY, else offscreen. Each step is timed from the call to the end of the repaint it
causes, on the GUI thread: the stall a person feels. Figures (medians of the runs):

- roles_paint: the Roles panel's first paint (its tab chosen) once the ID token's roles are
  applied, 1 role vs 10,000;
- roles_stall: the worst of every step roles_scale.py takes (claims applied, each tab, each filter
  keystroke, the header compacting), 1 role vs 10,000;
- profile: a /me answer's profile shown (the GUI thread's part), ~1 KB vs 5 MB (the ten shown
  properties ~500 KB each: a directory that allows it, or a server that misbehaves);
  profile_parse: the same answer parsed and read (json, Profile.from_graph: the network pool's
  part, off the GUI thread);
- api_history: the API console built and painted on a history of 1 stored request vs 1,000
  (history keeps 100: the rest must cost nothing), then one request added to it.

The slope is log(large time / small time) / log(large data / small data): 0 is flat, 1 grows as
fast as the data, above 1 faster. It prints one JSON line (perf.py reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from tests.benchmarks import roles_scale  # noqa: E402
from tests.benchmarks.perf import growth_slope as slope  # noqa: E402

PROFILE_BYTES = 5 << 20
HISTORY_ENTRIES = 1000
MANY_ROLES = 10_000
WORST_STEPS: dict[int, list[str]] = {}  # roles -> the worst step of each run


def painted(app: QApplication, widget: QWidget, step: Callable[[], None]) -> float:
    start = time.perf_counter()
    step()
    widget.window().repaint()
    app.processEvents()
    return (time.perf_counter() - start) * 1000


# -- roles -----------------------------------------------------------------------------------


def roles(app: QApplication, count: int) -> dict[str, float]:
    steps = roles_scale.one_window(app, count, roles_scale.Heartbeat())
    worst = max(steps, key=lambda name: steps[name])
    WORST_STEPS.setdefault(count, []).append(worst)
    return {"paint": steps["tab_roles"], "stall": steps[worst]}


# -- profile ---------------------------------------------------------------------------------


def me_document(total_bytes: int) -> bytes:
    from desktop_app.graph.profile import PROFILE_FIELDS

    document: dict[str, Any] = {
        "displayName": "Megan Bowen",
        "givenName": "Megan",
        "surname": "Bowen",
        "jobTitle": "Identity Administrator",
        "mail": "megan.bowen@contoso.test",
        "userPrincipalName": "megan.bowen@contoso.test",
        "mobilePhone": "+1 425 555 0110",
        "businessPhones": ["+1 425 555 0109"],
        "officeLocation": "12/1110",
        "preferredLanguage": "en-US",
        "id": "8a1f3c52-6d4e-4b7a-9e2f-0c1d2b3a4f51",
    }
    small = len(json.dumps(document))
    if total_bytes > small:
        texts = [n for n, _ in PROFILE_FIELDS if n != "businessPhones"]
        each = (total_bytes - small) // len(texts)
        for name in texts:  # words, as a long text is: a label wraps them
            document[name] = (document.get(name) or name) + (" lorem ipsum" * (each // 12))
    return json.dumps(document).encode("utf-8")


def profile(app: QApplication, total_bytes: int) -> dict[str, float]:
    from desktop_app.graph.profile import Profile
    from desktop_app.ui.main_window import MainWindow

    body = me_document(total_bytes)
    window = MainWindow()
    window.resize(880, 680)
    window.stack.setCurrentWidget(window.tabs)
    window.show()
    app.processEvents()
    start = time.perf_counter()
    read = Profile.from_graph(json.loads(body))  # the network pool's part (graph/client.py)
    parsed = (time.perf_counter() - start) * 1000
    shown = painted(app, window, lambda: window.show_profile(read))
    window.close()
    window.deleteLater()
    app.processEvents()
    return {"parsed": parsed, "shown": shown, "bytes": float(len(body))}


# -- API history -----------------------------------------------------------------------------


def history_json(count: int) -> str:
    items = [
        {
            "method": "GET",
            "url": f"{{graph}}/users/{n}/memberOf?$top=5",
            "scopes": "User.Read",
            "headers": "ConsistencyLevel: eventual",
            "body": "",
            "status": 200,
            "when": 1_700_000_000.0 + n,
        }
        for n in range(count)
    ]
    return json.dumps(items)


def api_history(app: QApplication, count: int, folder: Path) -> dict[str, float]:
    from desktop_app.ui.api_panel import SETTINGS_HISTORY, ApiPanel

    settings = QSettings(str(folder / f"history-{count}.ini"), QSettings.Format.IniFormat)
    settings.setValue(SETTINGS_HISTORY, history_json(count))
    settings.sync()
    holder = QWidget()
    holder.resize(880, 680)
    built: list[ApiPanel] = []

    def build() -> None:
        panel = ApiPanel(holder, settings=QSettings(settings.fileName(), settings.format()))
        panel.resize(880, 680)
        holder.show()
        panel.show()
        built.append(panel)

    shown = painted(app, holder, build)
    panel = built[0]
    # the texts a sent request leaves for its answer to record (no session here to send it)
    panel._sent = ("https://graph.microsoft.com/v1.0/me", "User.Read", "GET", "", "")
    added = painted(app, holder, lambda: panel._add_history(200))
    holder.close()
    holder.deleteLater()
    app.processEvents()
    return {"shown": shown, "added": added}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in ("r1", "rN", "p1", "pN", "h1", "hN")}
    with tempfile.TemporaryDirectory(prefix="lanyard-growth-") as scratch:
        for _ in range(max(1, args.runs)):  # small and large alternate: the same load for both
            runs["r1"].append(roles(app, 1))
            runs["rN"].append(roles(app, MANY_ROLES))
            runs["p1"].append(profile(app, 0))
            runs["pN"].append(profile(app, PROFILE_BYTES))
            runs["h1"].append(api_history(app, 1, Path(scratch)))
            runs["hN"].append(api_history(app, HISTORY_ENTRIES, Path(scratch)))

    def med(key: str, name: str) -> float:
        return round(statistics.median(r[name] for r in runs[key]), 2)

    small_bytes, large_bytes = runs["p1"][0]["bytes"], runs["pN"][0]["bytes"]
    report: dict[str, Any] = {"platform": app.platformName(), "runs": max(1, args.runs)}
    pairs = {
        "roles_paint": ("r1", "rN", "paint", 1, MANY_ROLES),
        "roles_stall": ("r1", "rN", "stall", 1, MANY_ROLES),
        "profile": ("p1", "pN", "shown", small_bytes, large_bytes),
        "profile_parse": ("p1", "pN", "parsed", small_bytes, large_bytes),
        "api_history": ("h1", "hN", "shown", 1, HISTORY_ENTRIES),
        "api_history_add": ("h1", "hN", "added", 1, HISTORY_ENTRIES),
    }
    for name, (small, large, step, small_n, large_n) in pairs.items():
        a, b = med(small, step), med(large, step)
        report[name] = {
            "small_ms": a,
            "large_ms": b,
            "small_n": small_n,
            "large_n": large_n,
            "slope": slope(a, b, small_n, large_n),
        }
    report["roles_stall"]["steps"] = {str(n): names for n, names in WORST_STEPS.items()}
    line = json.dumps(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(line + "\n")
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
