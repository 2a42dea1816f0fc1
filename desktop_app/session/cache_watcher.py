"""Tells the window when another process may have changed the token cache.

A QFileSystemWatcher rather than a timer that stats the file: it costs nothing while nothing
happens and answers within milliseconds. It watches the cache's *directory*: every write
replaces the file by a rename, and a watch on the file itself ends with the file it named
(inotify follows the old inode), so the file watch is renewed after each change as well. A burst
of events (temporary file, rename, lock) is coalesced into one ``changed``. A slow periodic
``changed`` is the safety net where the file system sends no events (network file systems).

``changed`` means "look again", not "it changed": the receiver compares versions, which also
makes this process's own writes cheap to ignore.

Where inotify cannot be had (each watcher takes one of the user's 128 inotify instances, and
editors, IDEs and file managers use them up), Qt falls back to stat()ing every path once a
second, on the GUI thread, all day: the one wake-up a second of an idle window (issue 19, item
5). Then this watcher drops Qt's and stats the files itself every POLL_FALLBACK_MS instead, as
it does when the kernel refuses the folder's watch (the user's inotify watches used up) or the
folder is not there yet: a change made by another process is seen within seconds rather than
milliseconds, and a refresh never waits on it (it re-reads the cache before each use,
auth/client.py).

A cache kept in the Secret Service can change without any file changing (an item deleted with
``secret-tool clear``, the keyring unlocked): the watcher also listens, on the session bus, to
the Secret Service's own signals (an item created, changed or deleted; a collection locked or
unlocked) and says ``changed`` for them too. Subscribing costs no call to the keyring.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import SLOT, QFileSystemWatcher, QObject, QTimer, Signal, Slot

DEBOUNCE_MS = 150
SAFETY_NET_MS = 60_000
POLL_FALLBACK_MS = 5_000  # without inotify: Qt's own fallback stats every path each second
_QT_POLLING_ENGINE = "QPollingFileSystemWatcherEngine"


class CacheWatcher(QObject):
    changed = Signal()

    def __init__(
        self,
        files: list[Path],
        parent: QObject | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        safety_net_ms: int = SAFETY_NET_MS,
        poll_ms: int = POLL_FALLBACK_MS,
    ) -> None:
        super().__init__(parent)
        self._files = [str(path) for path in files]
        self._watcher = QFileSystemWatcher(self)
        directories = sorted({str(path.parent) for path in files if path.parent.is_dir()})
        self.polling = False  # True: this watcher stats the files itself (no inotify)
        # Qt polling (no inotify instance), a folder the kernel would not watch (the user's
        # inotify watches used up) or none there yet: stat the files here, every poll_ms
        unwatched = self._watcher.addPaths(directories) if directories else []
        if not directories or unwatched or _polling(self._watcher):
            self._poll_instead(poll_ms)
        else:
            self._watch_files()
        self._watcher.directoryChanged.connect(self._poke)
        self._watcher.fileChanged.connect(self._poke)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._fire)
        self._safety_net = QTimer(self)
        self._safety_net.setInterval(safety_net_ms)
        self._safety_net.timeout.connect(self.changed)
        self._safety_net.start()
        self.listening_to_secret_service = _listen_to_secret_service(self, self._poke)

    def _poll_instead(self, poll_ms: int) -> None:
        self.polling = True
        paths = [*self._watcher.directories(), *self._watcher.files()]
        if paths:
            self._watcher.removePaths(paths)  # stops Qt's once-a-second stat()s
        self._seen = self._signature()
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(poll_ms)
        self._poll_timer.timeout.connect(self._poll)
        self._poll_timer.start()

    def _signature(self) -> tuple[tuple[int, int, int] | None, ...]:
        """What a stat() says of each file (inode, size, mtime): a rename or a write changes it."""
        found: list[tuple[int, int, int] | None] = []
        for path in self._files:
            try:
                st = os.stat(path)
            except OSError:
                found.append(None)
                continue
            found.append((st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(found)

    def _poll(self) -> None:
        seen = self._signature()
        if seen != self._seen:
            self._seen = seen
            self._poke()

    def _watch_files(self) -> None:
        if self.polling:
            return
        watched = set(self._watcher.files())
        present = [f for f in self._files if f not in watched and Path(f).exists()]
        if present:
            self._watcher.addPaths(present)

    def _poke(self, _path: str = "") -> None:
        self._debounce.start()  # restarts: one ``changed`` per burst

    def _fire(self) -> None:
        self._watch_files()  # the rename ended the old file's watch
        self.changed.emit()


def _polling(watcher: QFileSystemWatcher) -> bool:
    """Whether Qt watches by polling (it does when it gets no inotify instance): its engine is
    a child of the watcher, and only the polling one has that class."""
    return any(child.metaObject().className() == _QT_POLLING_ENGINE for child in watcher.children())


# -- the Secret Service's signals --------------------------------------------------------------

SECRET_SERVICE = "org.freedesktop.secrets"  # noqa: S105 - a D-Bus name
_SECRET_SIGNALS = (
    ("org.freedesktop.Secret.Collection", "ItemCreated"),
    ("org.freedesktop.Secret.Collection", "ItemChanged"),
    ("org.freedesktop.Secret.Collection", "ItemDeleted"),
    ("org.freedesktop.Secret.Service", "CollectionChanged"),  # locked or unlocked
)


class _SecretServiceListener(QObject):
    def __init__(self, parent: QObject, poke: Callable[[], None]) -> None:
        super().__init__(parent)
        self._poke = poke

    @Slot()
    def changed(self) -> None:
        self._poke()


def _listen_to_secret_service(parent: QObject, poke: Callable[[], None]) -> bool:
    """Subscribe to the Secret Service's signals on the session bus, if there is one (Linux);
    True when subscribed."""
    try:
        from PySide6.QtDBus import QDBusConnection
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    listener = _SecretServiceListener(parent, poke)
    subscribed = False
    for interface, name in _SECRET_SIGNALS:
        # an empty path: the signal from any object (every collection) of that service; the
        # slot as SLOT() spells it (a plain "changed()" is refused, and the stubs say bytes)
        slot = SLOT("changed()")
        subscribed = (
            bus.connect(SECRET_SERVICE, "", interface, name, listener, slot)  # type: ignore[call-overload]
            or subscribed
        )
    return subscribed
