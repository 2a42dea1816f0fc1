"""Time from starting Lanyard to its first window on an X display, for several commands in turn.

    DISPLAY=:99 python tests/support/startup_timing.py --runs 7 \\
        installed=/usr/bin/lanyard venv=.venv/bin/lanyard

Each command is started with ``--sandbox`` in a fresh HOME (and TMPDIR); the time runs from the
start of the process until its main window is mapped and viewable on the display. Once the app
has settled (its log says the session left STARTING) the window is closed the way a window
manager's close button does it, and the process must exit 0. The commands take
turns (the order alternates each round) after one untimed warm-up each, and the medians are
printed with their ratio to the first command. A figure to print, never to assert: the machine
may be busy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support import x11

WM_CLASS = "lanyard"
SETTLED = "Session state: STARTING -> "


def app_log(env: Mapping[str, str]) -> Path:
    """Where the sandbox demo logs (desktop_app.ui.app: the data directory's logs/)."""
    return Path(env["XDG_DATA_HOME"]) / "lanyard" / "logs" / "lanyard.log"


def isolated_env(base: Mapping[str, str], display: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not k.startswith(("LANYARD_", "QT_", "XDG_"))}
    env.update(
        DISPLAY=display,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        TMPDIR=str(home / "tmp"),  # the demo's throwaway profile lands here, whatever happens
        QT_QPA_PLATFORM="xcb",
    )
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    (home / "tmp").mkdir(mode=0o700, exist_ok=True)
    return env


def time_to_first_window(
    command: list[str], env: Mapping[str, str], display: str, timeout: float = 60.0
) -> float:
    with x11.connect(display) as conn:
        if x11.visible_windows(conn, WM_CLASS):
            raise RuntimeError("a Lanyard window is already on the display")
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "--sandbox"],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            window = x11.wait_for_window(conn, WM_CLASS, timeout)
            elapsed = time.perf_counter() - started
            if window is None:
                raise RuntimeError(f"{command[0]} showed no window within {timeout:.0f} s")
            wait_until_settled(env, timeout)
            x11.request_close(conn, window.window)
            code = process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if code != 0:
        raise RuntimeError(f"{command[0]} exited with {code} after its window was closed")
    return elapsed


def wait_until_settled(env: Mapping[str, str], timeout: float) -> None:
    """Closing the window while the session still starts skips part of Lanyard's clean-up."""
    log = app_log(env)
    deadline = time.monotonic() + timeout
    while not (log.exists() and SETTLED in log.read_text(encoding="utf-8", errors="replace")):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app never left STARTING (log: {log})")
        time.sleep(0.02)


def compare(
    commands: Mapping[str, list[str]], runs: int, display: str, base_env: Mapping[str, str]
) -> dict[str, list[float]]:
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="lanyard-startup-") as scratch:
        for name in names:  # warm-up: page cache, font cache
            env = isolated_env(base_env, display, Path(scratch) / f"warm-{name}")
            time_to_first_window(commands[name], env, display)
        for round_ in range(runs):
            order = names if round_ % 2 == 0 else names[::-1]
            for name in order:
                env = isolated_env(base_env, display, Path(scratch) / f"{name}-{round_}")
                times[name].append(time_to_first_window(commands[name], env, display))
    return times


def report(times: Mapping[str, list[float]]) -> str:
    names = list(times)
    baseline = statistics.median(times[names[0]])
    lines = []
    for name in names:
        median = statistics.median(times[name])
        runs = ", ".join(f"{t * 1000:.0f}" for t in times[name])
        lines.append(
            f"time to first window, {name}: median {median * 1000:.0f} ms "
            f"({median / baseline:.2f}x {names[0]}; runs {runs} ms)"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("commands", nargs="+", help="NAME=COMMAND, e.g. installed=/usr/bin/lanyard")
    args = parser.parse_args(argv)
    display = os.environ.get("DISPLAY")
    if not display:
        print("startup_timing.py needs DISPLAY (an X server, e.g. Xvfb)", file=sys.stderr)
        return 2
    commands = {}
    for item in args.commands:
        name, _, command = item.partition("=")
        commands[name] = command.split()
    print(report(compare(commands, args.runs, display, os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
