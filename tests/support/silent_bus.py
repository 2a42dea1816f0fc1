"""``python -m tests.support.silent_bus SOCKET``: a D-Bus session bus address that takes every
connection and says nothing, not even the authentication handshake. pymsalruntime's start-up
on it never ends (measured: still waiting after 90 s). Prints "ready" once listening."""

from __future__ import annotations

import socket
import sys


def main(path: str) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(8)
    print("ready", flush=True)
    held = []
    while True:
        connection, _ = server.accept()
        held.append(connection)  # kept open, never answered


if __name__ == "__main__":
    main(sys.argv[1])
