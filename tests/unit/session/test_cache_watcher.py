"""The cache watcher: inotify's events, and its own stat()s where Qt would poll every second.

Without inotify is made real, not pretended: with the process's file limit at its lowest free
descriptor, inotify_init fails (EMFILE) as it does when the user's inotify instances are used
up, and Qt falls back to its polling engine.
"""

from __future__ import annotations

import contextlib
import os
import resource
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QFileSystemWatcher, QTimer
from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from desktop_app.session.cache_watcher import CacheWatcher

pytestmark = pytest.mark.skipif(not hasattr(resource, "RLIMIT_NOFILE"), reason="POSIX limits")

QUIET_MS = 400


def replace(path: Path, text: str) -> None:
    """As the cache is written: a temporary file renamed over it."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


@contextlib.contextmanager
def no_inotify() -> Iterator[None]:
    QDBusConnection.sessionBus()  # connected (or not) before: not under the limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    probe = os.open(os.devnull, os.O_RDONLY)
    os.close(probe)  # the lowest free descriptor: no new one below it
    resource.setrlimit(resource.RLIMIT_NOFILE, (probe, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def qt_watcher(watcher: CacheWatcher) -> QFileSystemWatcher:
    found = watcher.findChild(QFileSystemWatcher)
    assert isinstance(found, QFileSystemWatcher)
    return found


def counting(watcher: CacheWatcher) -> list[int]:
    seen: list[int] = []
    watcher.changed.connect(lambda: seen.append(1))
    return seen


def test_inotify_one_changed_for_a_burst_of_writes(qtbot: QtBot, tmp_path: Path) -> None:
    cache = tmp_path / "cache.bin"
    cache.write_text("v0")
    watcher = CacheWatcher([cache], debounce_ms=50)
    assert not watcher.polling
    assert qt_watcher(watcher).directories() == [str(tmp_path)]
    seen = counting(watcher)
    with qtbot.waitSignal(watcher.changed, timeout=3000):
        for n in range(5):
            replace(cache, f"v{n + 1}")
    qtbot.wait(QUIET_MS)
    assert seen == [1]
    with qtbot.waitSignal(watcher.changed, timeout=3000):  # the file watch renewed, or the folder's
        replace(cache, "v6")


def test_without_inotify_it_polls_the_files_itself(qtbot: QtBot, tmp_path: Path) -> None:
    cache, lock = tmp_path / "cache.bin", tmp_path / "cache.bin.lockfile"
    cache.write_text("v0")
    with no_inotify():
        watcher = CacheWatcher([cache, lock], debounce_ms=20, poll_ms=50)
    assert watcher.polling
    # Qt's own engine holds nothing: its once-a-second timer stopped
    assert qt_watcher(watcher).directories() == []
    assert qt_watcher(watcher).files() == []
    seen = counting(watcher)
    qtbot.wait(QUIET_MS)
    assert seen == []  # nothing changed, nothing said
    with qtbot.waitSignal(watcher.changed, timeout=3000):
        replace(cache, "v1")
    with qtbot.waitSignal(watcher.changed, timeout=3000):
        lock.write_text("")  # a file that appears
    with qtbot.waitSignal(watcher.changed, timeout=3000):
        cache.unlink()  # and one that goes
    qtbot.wait(QUIET_MS)
    assert len(seen) == 3


def test_a_folder_not_there_yet_is_polled(qtbot: QtBot, tmp_path: Path) -> None:
    cache = tmp_path / "later" / "cache.bin"
    watcher = CacheWatcher([cache], debounce_ms=20, poll_ms=50)
    assert watcher.polling
    cache.parent.mkdir()
    with qtbot.waitSignal(watcher.changed, timeout=3000):
        replace(cache, "v1")


def test_the_poll_interval_is_slower_than_qts(tmp_path: Path, qtbot: QtBot) -> None:
    """The reason for the fallback: Qt's poller would wake the GUI thread every second."""
    from desktop_app.session import cache_watcher

    assert cache_watcher.POLL_FALLBACK_MS >= 5_000
    cache = tmp_path / "cache.bin"
    cache.write_text("v0")
    with no_inotify():
        watcher = CacheWatcher([cache])
    intervals = sorted(t.interval() for t in watcher.findChildren(QTimer) if t.isActive())
    assert intervals == [cache_watcher.POLL_FALLBACK_MS, cache_watcher.SAFETY_NET_MS]
