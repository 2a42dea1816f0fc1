"""A $BROWSER for the real-browser end-to-end test: hands the URL Lanyard opens to the test,
which drives Debian's Chromium with Playwright.

    BROWSER="python tests/support/url_handoff.py" (with $E2E_URL_FILE set)

It appends the URL as one line to $E2E_URL_FILE and exits 0 at once, like a browser launcher.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    target = os.environ.get("E2E_URL_FILE")
    if not target or len(sys.argv) != 2:
        print("usage: E2E_URL_FILE=... url_handoff.py URL", file=sys.stderr)
        return 2
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (sys.argv[1] + "\n").encode())
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
