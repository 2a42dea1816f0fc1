"""A Lanyard started without a console: the windowed ``lanyard.exe`` on Windows (PyInstaller's
``console=False``), where ``sys.stdout`` and ``sys.stderr`` are None.

Every write to them would raise, and the error path would write to None again: PyInstaller's
unhandled-exception dialog. The window needs no console; a terminal request (``whoami``, ``token``,
``--version``, ``--help``, a bad command line) does, so it is refused with an exit code and a line
in the log file naming the console program beside it (``lanyard-cli.exe``, on PATH), never a
dialog. No Qt here: this runs before anything else.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Sequence

log = logging.getLogger(__name__)

EXIT_NO_CONSOLE = 2  # a command line this program cannot answer: cli.py's "bad command line"
CONSOLE_PROGRAM = "lanyard-cli"  # packaging/lanyard.spec's console EXE beside the windowed one
REFUSAL = (
    "'lanyard {what}' needs a console, and this Lanyard is the windowed program: run "
    f"'{CONSOLE_PROGRAM} {{what}}' in a terminal instead (the installer puts it on your PATH)."
)
# elsewhere one program does both: it was started with its output closed
REFUSAL_ELSEWHERE = "'lanyard {what}' needs a console: run it in a terminal."


def has_console() -> bool:
    return sys.stdout is not None and sys.stderr is not None


def _fill_missing_streams() -> None:
    """Give None streams somewhere harmless to go, so that no later write (argparse, a library's
    warning, logging's own error report) can raise."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for good


def _log_refusal(what: str, platform: str | None = None) -> None:
    from desktop_app.core import paths
    from desktop_app.core.logs import configure_logging

    logs = paths.data_dir() / "logs"
    with contextlib.suppress(OSError):
        paths.ensure_private_dir(logs)
    configure_logging(str(logs / "lanyard.log"), verbose=False)
    windows = (platform or sys.platform) == "win32"
    log.error((REFUSAL if windows else REFUSAL_ELSEWHERE).format(what=what))


def refuse_without_console(argv: Sequence[str] | None = None) -> int | None:
    """None when this process may go on (it has a console, or it is opening the window); else the
    exit code to leave with, the refusal written to the log file."""
    if has_console():
        return None
    _fill_missing_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    from desktop_app.cli import parse_args

    try:
        parsed = parse_args(args)  # what it would print goes to os.devnull now
    except SystemExit as exc:  # --version, --help, a bad command line: all words for a terminal
        words = [a for a in args if a in ("--version", "-h", "--help")]
        _log_refusal(words[0] if words else " ".join(args))
        return exc.code if isinstance(exc.code, int) and exc.code != 0 else EXIT_NO_CONSOLE
    if parsed.command is None:
        return None  # the window: it needs no console
    _log_refusal(parsed.command)
    return EXIT_NO_CONSOLE
