"""One Lanyard window per user and profile directory.

The first launch listens on a QLocalServer named after the user and the profile directory; a
second launch (a second double-click) connects, asks it to come to the front, waits for the
first to acknowledge, and exits 0. A socket left by a crashed instance refuses connections: it
is removed (QLocalServer.removeServer) and this launch takes over. A QLockFile makes "connect,
else remove and listen" one step, so two launches at the same moment cannot both remove and
listen. If the hand-off cannot complete (the first instance hangs), this launch runs on its own
rather than leaving the person with nothing.

Another user of the computer must neither stop Lanyard from opening (by listening first) nor
learn anything from it:
- POSIX: the socket and its lock live in a directory only this user can reach
  (core/runtime_dir.py). When there is none, this launch opens its own window and says why.
- Linux: each side checks the other's owner (SO_PEERCRED, core/peers.py). A server of another
  user gets nothing: this launch opens its own window and says so; a client of another user is
  dropped. (macOS: the per-user directory is the guarantee.)
- Windows: a named pipe whose access list admits only this user (UserAccessOption).
- The hand-off says only "raise": the running window never used the arguments, and they can
  hold secrets (a proxy URL with its password).
- Windows' foreground lock: the second launch lets the first take the foreground before it asks
  (core/foreground.py, AllowSetForegroundWindow), else the window would only flash.

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

from desktop_app.core import foreground, paths, peers, runtime_dir
from desktop_app.core.config import Config
from desktop_app.core.errors import LanyardError
from desktop_app.ui import errors

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1000
ACK_TIMEOUT_MS = 3000
CLAIM_LOCK_TIMEOUT_MS = 5000
MAX_MESSAGE_BYTES = 64 * 1024
ACK = b"ok\n"
RAISE = {"action": "raise"}  # all a second launch asks of the running window


class Role(enum.Enum):
    PRIMARY = "primary"  # listening: later launches hand over to this one
    HANDED_OFF = "handed_off"  # the running window comes to the front: exit
    ALONE = "alone"  # could neither hand off nor listen: run without single instance


def _is_path(name: str) -> bool:
    return "/" in name


def server_name(profile_dir: Path, sandbox: bool = False) -> str:
    """Per user and per profile directory; short enough for a Unix socket path."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    key = f"{'sandbox:' if sandbox else ''}{profile_dir.expanduser().resolve()}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"lanyard-{user}-{digest}"


def server_address(profile_dir: Path, sandbox: bool = False) -> str:
    """Where the server listens: a socket path in this user's private directory (POSIX), or a
    pipe name (Windows). Raises runtime_dir.NotPrivate when POSIX offers no private place."""
    name = server_name(profile_dir, sandbox)
    if os.name == "nt":
        return name
    return str(runtime_dir.user_runtime_dir() / name)


def _peer_is_other_user(socket: QLocalSocket) -> int | None:
    """The peer's uid when it is not this user (-1: it could not be told), else None."""
    try:
        uid = peers.unix_peer_uid(int(socket.socketDescriptor()))
    except OSError:
        return peers.HIDDEN
    return None if uid is None or uid == os.geteuid() else uid


class SingleInstance(QObject):
    activated = Signal(object)  # dict: what another launch asked for ({"action": "raise"})

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        """``name``: a socket path (POSIX) or pipe name (Windows), see server_address()."""
        super().__init__(parent)
        self.name = name
        self.role = Role.ALONE
        self.problem: LanyardError | None = None  # why this window runs alone, to show
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    def claim(self) -> Role:
        """Ask a running instance to come to the front, or become the one that listens."""
        folder = os.path.dirname(self.name) if _is_path(self.name) else QDir.tempPath()
        lock = QLockFile(os.path.join(folder, f"{os.path.basename(self.name)}.lock"))
        locked = lock.tryLock(CLAIM_LOCK_TIMEOUT_MS)  # a dead holder's lock counts as stale
        try:
            self.role = self._claim()
        finally:
            if locked:
                lock.unlock()
        return self.role

    def _claim(self) -> Role:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(CONNECT_TIMEOUT_MS):
            other = _peer_is_other_user(socket)
            if other is not None:
                socket.abort()  # not a byte to it
                log.warning("Single instance: the server belongs to another user; not used")
                self.problem = errors.instance_of_another_user(other)
                return Role.ALONE
            return self._hand_off(socket)
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

    def _hand_off(self, socket: QLocalSocket) -> Role:
        # Windows: the first window may come to the front only if this launch (the foreground
        # process) allows it, before asking
        foreground.allow_foreground(int(socket.socketDescriptor()))
        socket.write(json.dumps(RAISE).encode("utf-8") + b"\n")
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
            if (other := _peer_is_other_user(socket)) is not None:
                log.warning("Single instance: dropped a connection of another user (%s)", other)
                socket.abort()
                socket.deleteLater()
                continue
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
        except ValueError as exc:
            message = exc.__class__.__name__
        if message != RAISE:  # an older Lanyard sent its arguments: those are not wanted
            log.warning("Ignored a hand-off message that is not a request to come to the front")
            socket.abort()
            return
        socket.write(ACK)
        socket.flush()
        socket.disconnectFromServer()
        log.info("Another launch handed over to this window")
        self.activated.emit(message)

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
    """The window's single-instance claim, or None where there is none (a throwaway demo). Its
    ``problem``, if any, is for the window to show."""
    explicit_profile = bool(args.profile_dir or os.environ.get("LANYARD_PROFILE_DIR"))
    sandbox = bool(args.sandbox)
    if sandbox and not explicit_profile:
        return None
    profile = config.profile_dir if config is not None else paths.data_dir()
    try:
        address = server_address(profile, sandbox)
    except runtime_dir.NotPrivate as exc:
        log.warning("Single instance: no private folder for its socket (%s)", exc)
        instance = SingleInstance(server_name(profile, sandbox), parent)
        instance.problem = errors.no_private_folder(exc.path, exc.why)
        return instance  # alone: nothing was claimed
    instance = SingleInstance(address, parent)
    if instance.claim() is Role.PRIMARY and (app := QCoreApplication.instance()):
        app.aboutToQuit.connect(instance.close)  # removes the socket file
    return instance


def bring_to_front(window: QWidget, request: dict[str, Any]) -> None:
    """Show the window a second launch asked for: restored, raised and active."""
    log.debug("Another launch asked for this window: %s", request.get("action"))
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
