"""``python -m desktop_app`` and the ``lanyard`` launcher."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """The exit code. ``argv`` None is this process's own command line (the launchers, ``python
    -m desktop_app``): a terminal command then ends the process itself once it has answered,
    without the interpreter's teardown (process_exit.py); a caller's ``argv`` gets the code."""
    from desktop_app.console import refuse_without_console

    refused = refuse_without_console(argv)  # the windowed lanyard.exe: no stdout, no stderr
    if refused is not None:
        return refused
    from desktop_app.cli import parse_args

    args = parse_args(argv)
    if args.command == "decode":  # needs no sign-in, nor a client id: its own module
        from desktop_app.headless_decode import run as decode

        return _answered(decode(args), argv)
    if args.command is not None:  # whoami, token: headless, Qt is never imported
        from desktop_app.headless import run

        return _answered(run(args), argv)
    from desktop_app.ui.app import run_window  # only the window path imports Qt

    return run_window(args)


def _answered(code: int, argv: Sequence[str] | None) -> int:
    if argv is None:
        from desktop_app.process_exit import end_process

        end_process(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
