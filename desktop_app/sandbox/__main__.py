"""`python -m desktop_app.sandbox`: run the sandbox as its own process.

Prints exactly one JSON line (the SandboxInfo) on stdout once it is listening, then serves until
SIGTERM or SIGINT and exits 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from desktop_app.sandbox.server import Sandbox


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m desktop_app.sandbox",
        description="Local Microsoft Entra ID + Graph emulator for Lanyard's tests and demo.",
    )
    parser.add_argument("--port", type=int, default=0, help="HTTPS port (0: pick a free one)")
    parser.add_argument("--state-dir", help="keep keys and CA here, reused across restarts")
    parser.add_argument(
        "--browser-http",
        action="store_true",
        help="also serve the sign-in pages over plain HTTP (no certificate warning in a browser)",
    )
    parser.add_argument(
        "--token-lifetime", type=int, default=3600, help="access token lifetime in seconds"
    )
    parser.add_argument("--refresh-in", type=int, default=None, help="refresh_in, in seconds")
    parser.add_argument(
        "--extra-users",
        type=int,
        default=0,
        help="this many ordinary users more (staff01@contoso.test, ...; the password is the same)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sandbox = Sandbox(
        port=args.port,
        state_dir=args.state_dir,
        browser_http=args.browser_http,
        access_token_lifetime=args.token_lifetime,
        refresh_in=args.refresh_in,
        extra_users=max(0, args.extra_users),
    )
    try:
        info = sandbox.start()
        sys.stdout.write(json.dumps(info.as_json()) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
