"""One Lanyard window per user and profile directory.

The first launch listens on a QLocalServer named after the user and the profile directory; a
second launch (a second double-click) connects, hands over its arguments, waits for the first
to acknowledge, and exits 0; the first brings its window to the front. A socket left by a
crashed instance refuses connections: it is removed (QLocalServer.removeServer) and this launch
takes over. A QLockFile makes "connect, else remove and listen" one step, so two launches at the
same moment cannot both remove and listen. If the hand-off cannot complete (the first instance
hangs), this launch runs on its own rather than leaving the person with nothing.

The sandbox demo without --profile-dir runs in a throwaway profile: it never hands off, so demo
windows and test runs never reach a real instance (nor each other).
"""

from __future__ import annotations

import argparse
import enum
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from desktop_app.core import paths
from desktop_app.core.config import Config

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1000
ACK_TIMEOUT_MS = 3000
CLAIM_LOCK_TIMEOUT_MS = 5000
MAX_MESSAGE_BYTES = 64 * 1024
ACK = b"ok\n"


class Role(enum.Enum):
    PRIMARY = "primary"  # listening: later launches hand over to this one
    HANDED_OFF = "handed_off"  # another instance has the arguments: exit
    ALONE = "alone"  # could neither hand off nor listen: run without single instance


def server_name(profile_dir: Path, sandbox: bool = False) -> str:
    """Per user and per profile directory; short enough for a Unix socket path."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    key = f"{'sandbox:' if sandbox else ''}{profile_dir.expanduser().resolve()}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"lanyard-{user}-{digest}"


class SingleInstance(QObject):
    activated = Signal(object)  # dict: the arguments another launch handed over

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.role = Role.ALONE
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    def claim(self, arguments: dict[str, Any]) -> Role:
        """Hand ``arguments`` to a running instance, or become the one that listens."""
        lock = QLockFile(os.path.join(QDir.tempPath(), f"{self.name}.lock"))
        locked = lock.tryLock(CLAIM_LOCK_TIMEOUT_MS)  # a dead holder's lock counts as stale
        try:
            self.role = self._claim(arguments)
        finally:
            if locked:
                lock.unlock()
        return self.role

    def _claim(self, arguments: dict[str, Any]) -> Role:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return self._hand_off(socket, arguments)
        log.debug("No running instance (%s)", socket.errorString())
        QLocalServer.removeServer(self.name)  # a crashed instance's socket, if any
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("Single instance: cannot listen (%s)", server.errorString())
            return Role.ALONE
        server.newConnection.connect(self._accept)
        self._server = server
        return Role.PRIMARY

    def _hand_off(self, socket: QLocalSocket, arguments: dict[str, Any]) -> Role:
        socket.write(json.dumps({"arguments": arguments}).encode("utf-8") + b"\n")
        socket.flush()
        acknowledged = b""
        while ACK not in acknowledged and socket.waitForReadyRead(ACK_TIMEOUT_MS):
            acknowledged += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        if ACK in acknowledged:
            log.info("Handed over to the running Lanyard window")
            return Role.HANDED_OFF
        log.warning("The running Lanyard did not answer; starting another window")
        return Role.ALONE

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE_BYTES:
            socket.abort()
            return
        self._buffers[socket] = data
        if b"\n" not in data:
            return
        line = data.split(b"\n", 1)[0]
        try:
            message = json.loads(line)
            arguments = message["arguments"]
            if not isinstance(arguments, dict):
                raise TypeError("arguments is not an object")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("Ignored a malformed hand-off message (%s)", exc.__class__.__name__)
            socket.abort()
            return
        socket.write(ACK)
        socket.flush()
        socket.disconnectFromServer()
        log.info("Another launch handed over to this window")
        self.activated.emit(arguments)

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None


def claim_window(
    config: Config | None, args: argparse.Namespace, parent: QObject | None = None
) -> SingleInstance | None:
    """The window's single-instance claim, or None where there is none (a throwaway demo)."""
    explicit_profile = bool(args.profile_dir or os.environ.get("LANYARD_PROFILE_DIR"))
    sandbox = bool(args.sandbox)
    if sandbox and not explicit_profile:
        return None
    profile = config.profile_dir if config is not None else paths.data_dir()
    instance = SingleInstance(server_name(profile, sandbox), parent)
    arguments = {key: value for key, value in vars(args).items() if _is_plain(value)}
    if instance.claim(arguments) is Role.PRIMARY and (app := QCoreApplication.instance()):
        app.aboutToQuit.connect(instance.close)  # removes the socket file
    return instance


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def bring_to_front(window: QWidget, arguments: dict[str, Any]) -> None:
    """Show the window a second launch asked for: restored, raised and active."""
    log.debug("Hand-off arguments: %s", sorted(k for k, v in arguments.items() if v))
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
