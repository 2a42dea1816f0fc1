"""A directory only this user can reach, for local sockets and their locks (POSIX).

A socket in a world-writable folder such as /tmp under a name anyone can compute can be taken by
another user who listens there first. Here it goes where only its owner can create or reach
anything:
- ``$XDG_RUNTIME_DIR`` (Linux: /run/user/<uid>, made by the login manager, 0700) when it is
  this user's and private; ``sudo`` keeps another user's in the environment, so it is checked;
- else ``lanyard-<uid>`` in the temporary directory (on macOS ``$TMPDIR`` is per user
  already), created 0700 and checked: another user may have made it first, or a link in its
  place, and then it is not used.
Windows has no such directory: QLocalServer uses a named pipe there, whose access list admits
only this user (single_instance.py).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from desktop_app.core.i18n import _


class NotPrivate(Exception):
    """No directory only this user can reach: ``path`` and why, in words."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path = path
        self.why = why


def _problem(path: Path) -> str | None:
    """Why ``path`` is not a directory private to this user, or None when it is."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return _("cannot be read ({strerror})").format(strerror=exc.strerror)
    if stat.S_ISLNK(info.st_mode):
        return _("is a link")
    if not stat.S_ISDIR(info.st_mode):
        return _("is not a folder")
    if info.st_uid != os.geteuid():
        return _("belongs to another user (user id {st_uid})").format(st_uid=info.st_uid)
    if stat.S_IMODE(info.st_mode) & 0o077:
        return _("other users can reach it (mode {S_IMODE:04o})").format(
            S_IMODE=stat.S_IMODE(info.st_mode)
        )
    return None


def user_runtime_dir() -> Path:
    """The directory, created when needed. Raises NotPrivate when there is none."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and _problem(Path(runtime)) is None:
        return Path(runtime)
    folder = Path(tempfile.gettempdir()) / f"lanyard-{os.geteuid()}"
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass  # ours from an earlier run, or not: checked below
    except OSError as exc:
        raise NotPrivate(
            folder, _("cannot be created ({strerror})").format(strerror=exc.strerror)
        ) from None
    why = _problem(folder)
    if why is not None:
        raise NotPrivate(folder, why)
    return folder
