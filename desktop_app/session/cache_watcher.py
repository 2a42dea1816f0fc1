"""Tells the window when another process may have changed the token cache.

A QFileSystemWatcher rather than a timer that stats the file: it costs nothing while nothing
happens and answers within milliseconds. It watches the cache's *directory*: every write
replaces the file by a rename, and a watch on the file itself ends with the file it named
(inotify follows the old inode), so the file watch is renewed after each change as well. A burst
of events (temporary file, rename, lock) is coalesced into one ``changed``. A slow periodic
``changed`` is the safety net where the file system sends no events (network file systems).

``changed`` means "look again", not "it changed": the receiver compares versions, which also
makes this process's own writes cheap to ignore.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

DEBOUNCE_MS = 150
SAFETY_NET_MS = 60_000


class CacheWatcher(QObject):
    changed = Signal()

    def __init__(
        self,
        files: list[Path],
        parent: QObject | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        safety_net_ms: int = SAFETY_NET_MS,
    ) -> None:
        super().__init__(parent)
        self._files = [str(path) for path in files]
        self._watcher = QFileSystemWatcher(self)
        directories = sorted({str(path.parent) for path in files if path.parent.is_dir()})
        if directories:
            self._watcher.addPaths(directories)
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

    def _watch_files(self) -> None:
        watched = set(self._watcher.files())
        present = [f for f in self._files if f not in watched and Path(f).exists()]
        if present:
            self._watcher.addPaths(present)

    def _poke(self, _path: str = "") -> None:
        self._debounce.start()  # restarts: one ``changed`` per burst

    def _fire(self) -> None:
        self._watch_files()  # the rename ended the old file's watch
        self.changed.emit()
