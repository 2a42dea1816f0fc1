"""Writing files so that no reader ever sees half of one (the token cache's stores, the http cache
and the config file all replace their file this way), and reading a file a setting names without
hanging on a pipe or reading a device without end (``read_bounded``). No Qt, no msal.

On Windows a file another process has open cannot be replaced (Python opens files without
FILE_SHARE_DELETE), and a file being replaced cannot be opened for a moment: both raise
PermissionError with a sharing or access winerror. That is a busy file, not a refusal nor damage:
``retry_busy`` tries again for a bounded time (``atomic_write`` and ``read_shared`` use it).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from desktop_app.core.i18n import _

T = TypeVar("T")

# ERROR_ACCESS_DENIED (a file with a delete pending: being replaced), ERROR_SHARING_VIOLATION,
# ERROR_LOCK_VIOLATION. POSIX errors have no winerror: they are never retried.
BUSY_WINERRORS = frozenset({5, 32, 33})
BUSY_WAIT_S = 1.0  # at most this long in all: then the error stands (a real refusal, or stuck)
_FIRST_PAUSE_S = 0.005


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is Windows saying another process has the file open right now."""
    return isinstance(exc, PermissionError) and getattr(exc, "winerror", None) in BUSY_WINERRORS


def retry_busy(action: Callable[[], T], wait_s: float = BUSY_WAIT_S) -> T:
    """``action()``, tried again while it fails because the file is busy (``is_busy``), pausing
    5 ms, 10 ms, ... up to 100 ms between tries, for ``wait_s`` in all; then its error is raised."""
    deadline = time.monotonic() + wait_s
    pause = _FIRST_PAUSE_S
    while True:
        try:
            return action()
        except PermissionError as exc:
            if not is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def read_shared(path: Path) -> bytes:
    """``path``'s bytes, waiting briefly while another process has it busy (Windows)."""
    return retry_busy(path.read_bytes)


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``: a temporary file in the same directory, fsynced, renamed
    over it, and the directory fsynced. A crash leaves the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        retry_busy(lambda: os.replace(tmp, path))  # Windows: a reader has it open
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class UnreadableFile(OSError):
    """A file named by a setting or a flag that Lanyard will not read: ``reason`` says why in
    words that continue "'<path>' ..." (it is not a file, it is too large, it cannot be opened).
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"'{path}' {reason}")
        self.path = path
        self.reason = reason


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("is a folder, not a file")
    if stat.S_ISFIFO(mode):
        return _("is a named pipe, not a file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("is a device, not a file")
    if stat.S_ISSOCK(mode):
        return _("is a socket, not a file")
    return _("is not a regular file")


def _size_words(limit: int) -> str:
    if limit >= 1 << 20 and limit % (1 << 20) == 0:
        return _("{value} MiB").format(value=limit >> 20)
    if limit >= 1 << 10 and limit % (1 << 10) == 0:
        return _("{value} KiB").format(value=limit >> 10)
    return _("{limit} bytes").format(limit=limit)


def _is_dev_null(status: os.stat_result) -> bool:
    if os.name != "posix" or not stat.S_ISCHR(status.st_mode):
        return False  # (Windows' NUL and CON share a device number of 0: refuse both there)
    try:
        return status.st_rdev == os.stat(os.devnull).st_rdev
    except OSError:
        return False


def read_bounded(
    path: Path, limit: int, vet: Callable[[os.stat_result], None] | None = None
) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them, for any path a
    setting or a flag names (the config file, ca_bundle, --sandbox-info).

    Never hangs and never reads without end: the file is opened without blocking (a named pipe
    with no writer would block the open, then the read, forever), must be a regular file once
    opened (``/dev/zero``, a pipe, a socket, a folder are refused before a byte is read; only
    ``/dev/null`` reads, as empty), and is
    read up to ``limit`` + 1 bytes: a larger one is refused, never silently cut short. Raises
    FileNotFoundError for a missing file and UnreadableFile (an OSError) for the rest.

    ``vet`` sees the opened file's status before a byte is read and raises UnreadableFile to
    refuse it (managed policy: who owns it): the file checked is the file read, whatever
    happens to its path meanwhile.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise UnreadableFile(path, _kind(stat.S_IFDIR)) from None
    except PermissionError as exc:
        if Path(path).is_dir():  # Windows cannot open a folder: say what it is
            raise UnreadableFile(path, _kind(stat.S_IFDIR)) from None
        raise UnreadableFile(
            path, _("cannot be read: {value}").format(value=exc.strerror or exc)
        ) from None
    except OSError as exc:
        raise UnreadableFile(
            path, _("cannot be read: {value}").format(value=exc.strerror or exc)
        ) from None
    except ValueError:  # a NUL in the path
        raise UnreadableFile(path, _("is not a usable file name")) from None
    try:
        status = os.fstat(fd)
        mode = status.st_mode
        if _is_dev_null(status):
            return b""  # `--config /dev/null`: the idiom for "no file", and it never blocks
        if not stat.S_ISREG(mode):
            raise UnreadableFile(path, _kind(mode))
        if vet is not None:
            vet(status)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: reads wait for the disk, as usual
        chunks: list[bytes] = []
        left = limit + 1  # one byte more than allowed tells "too large" from "exactly limit"
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except UnreadableFile:
        raise
    except OSError as exc:
        raise UnreadableFile(
            path, _("cannot be read: {value}").format(value=exc.strerror or exc)
        ) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnreadableFile(
            path,
            _("is larger than {size_words}: not the file meant").format(
                size_words=_size_words(limit)
            ),
        )
    return data
