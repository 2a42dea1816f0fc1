"""Open the system browser on a URL, from a clean environment, without waiting for it.

A frozen bundle sets LD_LIBRARY_PATH (and friends) to its own libraries, which breaks xdg-open and
the browser it starts; the variables are restored to what they were before the bundle started.
``BROWSER`` is honoured like Python's webbrowser module does (commands separated by os.pathsep,
``%s`` replaced by the URL, else the URL appended).

"Could not open a browser" must be known, so Lanyard can offer a device code instead: an opener
that exits non-zero within a moment (xdg-open with no browser installed exits 3) counts as a
failure, and on Linux with no display at all only an explicit BROWSER is tried.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping

# PyInstaller saves the original value of each variable it changes as <NAME>_ORIG
_BUNDLE_VARS = (
    "LD_LIBRARY_PATH",
    "QT_PLUGIN_PATH",
    "QT_QPA_PLATFORM_PLUGIN_PATH",
    "PYTHONPATH",
    "PYTHONHOME",
)
# The bootloader's private state (archive path, process level...): a browser that is itself a
# PyInstaller program would take it for its own parent's and misbehave.
_BOOTLOADER_PREFIXES = ("_PYI_", "_MEIPASS")


def clean_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if env is None else env)
    for name in _BUNDLE_VARS:
        original = env.pop(f"{name}_ORIG", None)
        if original is not None:
            env[name] = original
        elif getattr(sys, "frozen", False) or name.startswith("QT_"):
            env.pop(name, None)
    for name in [n for n in env if n.startswith(_BOOTLOADER_PREFIXES)]:
        del env[name]
    return env


LAUNCH_CHECK_S = 2.0  # an opener still running after this is taken to have started a browser


def has_display(env: Mapping[str, str]) -> bool:
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return True


def browser_commands(url: str, env: Mapping[str, str]) -> list[list[str]]:
    """The commands to try, in order."""
    commands: list[list[str]] = []
    for entry in (env.get("BROWSER") or "").split(os.pathsep):
        if entry.strip():
            parts = shlex.split(entry)
            commands.append(
                [p.replace("%s", url) for p in parts] if "%s" in entry else [*parts, url]
            )
    if not has_display(env):
        return commands  # xdg-open would start a text-mode browser nobody can see
    if sys.platform == "darwin":
        commands.append(["open", url])
    elif sys.platform.startswith("linux") or "bsd" in sys.platform:
        for opener in ("xdg-open", "gio", "sensible-browser"):
            if shutil.which(opener, path=env.get("PATH")):
                commands.append([opener, "open", url] if opener == "gio" else [opener, url])
                break
    return commands


def open_browser(url: str, check_s: float = LAUNCH_CHECK_S) -> bool:
    """Start the system browser on ``url``; False when no browser could be started.

    Blocks up to ``check_s`` seconds per command to see it did not fail: call it off the GUI
    thread.
    """
    if sys.platform == "win32":
        try:
            os.startfile(url)  # type: ignore[attr-defined]  # noqa: S606
        except OSError:
            return False
        return True
    env = clean_environment()
    for command in browser_commands(url, env):
        try:
            process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # detached: closing Lanyard leaves the browser alone
                close_fds=True,
            )
        except OSError:
            continue
        try:
            if process.wait(check_s) != 0:
                continue  # the opener gave up (no browser, no handler for https)
        except subprocess.TimeoutExpired:
            # still running: a browser in the foreground. Reap it whenever it ends.
            threading.Thread(
                target=process.wait, name="lanyard-browser-reaper", daemon=True
            ).start()
        return True
    return False
