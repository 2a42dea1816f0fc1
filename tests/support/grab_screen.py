"""Save what the X server shows on $DISPLAY as a PNG (the whole screen, or one window's area).

    DISPLAY=:99 python tests/support/grab_screen.py OUT.png [X Y WIDTH HEIGHT]

For programs the tests cannot import (the installed package): the picture comes from the
display server, not from the program's widgets. Exit status 0 once the PNG is written.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 6):
        print("usage: grab_screen.py OUT.png [X Y WIDTH HEIGHT]", file=sys.stderr)
        return 2
    _app = QGuiApplication([argv[0], "-platform", "xcb"])
    area = [int(v) for v in argv[2:]] or [0, 0, -1, -1]
    shot = QGuiApplication.primaryScreen().grabWindow(0, *area)
    if shot.isNull() or not shot.save(argv[1], "PNG"):
        print(f"could not grab the screen into {argv[1]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
