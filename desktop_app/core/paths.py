"""Where Lanyard keeps its files on each platform (no Qt, so the headless commands can use it)."""

from __future__ import annotations

import errno
import logging
import os
import stat
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformdirs.api import PlatformDirsABC

from desktop_app.core.i18n import _

APP_DIR_NAME = "lanyard"
log = logging.getLogger(__name__)


def _home() -> Path:
    return Path.home()


def _platform_dirs(roaming: bool = False) -> PlatformDirsABC:
    """platformdirs' conventions for this platform, chosen when asked (tests vary
    ``sys.platform``). The names give the folders Lanyard has always used, so existing users'
    files are found where they are: Linux ``$XDG_CONFIG_HOME/lanyard`` and
    ``$XDG_DATA_HOME/lanyard``; Windows ``%APPDATA%\\Lanyard`` (settings roam with the profile)
    and ``%LOCALAPPDATA%\\Lanyard`` (tokens stay on this computer); macOS
    ``~/Library/Application Support/Lanyard``."""
    # only this platform's module: the Windows one imports ctypes (~4 ms a terminal command paid)
    if sys.platform == "win32":
        from platformdirs.windows import Windows

        return Windows("Lanyard", appauthor=False, roaming=roaming)
    if sys.platform == "darwin":
        from platformdirs.macos import MacOS

        return MacOS("Lanyard", appauthor=False)
    from platformdirs.unix import Unix

    return Unix(APP_DIR_NAME, appauthor=False)


def config_dir() -> Path:
    """The platform's per-user configuration directory for Lanyard."""
    return Path(_platform_dirs(roaming=True).user_config_dir)


def data_dir() -> Path:
    """Per-user data: the token cache, the profile snapshot, msal's HTTP cache."""
    return Path(_platform_dirs().user_data_dir)


def resources_dir() -> Path:
    """resources/ from a source checkout, or from inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"  # desktop_app/core/ -> checkout


_warnings_lock = threading.Lock()
_warnings: dict[str, str] = {}  # folder -> what is wrong with it, in the order found


def folder_warnings() -> list[str]:
    """What ensure_private_dir found wrong with folders it did not create, once each, for the
    window (a banner) and the terminal (a line on stderr) to say."""
    with _warnings_lock:
        return list(_warnings.values())


def _warn(path: Path, problem: str) -> None:
    text = _(
        "The folder {path} {problem}. Lanyard leaves it as it is; to keep its files private, give it a folder of your own."
    ).format(path=path, problem=problem)
    with _warnings_lock:
        if str(path) in _warnings:
            return
        _warnings[str(path)] = text
    log.warning("%s", text)


def _create(path: Path) -> list[Path]:
    """Make ``path`` and its missing parents, each 0700; the folders this call created, from
    the outermost in (a folder made meanwhile by someone else is not among them)."""
    missing: list[Path] = []
    at = path
    while not at.exists() and not at.is_symlink():
        missing.append(at)
        if at.parent == at:
            break
        at = at.parent
    created: list[Path] = []
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue
        created.append(folder)
    return created


def _check_existing(path: Path) -> None:
    """Warn, never change: a folder another user owns, or one other users can get into."""
    status = path.stat()
    if not stat.S_ISDIR(status.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, _("Not a directory"), str(path))
    if os.name != "posix":
        return  # Windows: what matters is the ACL, which the profile folder inherits
    mode = stat.S_IMODE(status.st_mode)
    if status.st_uid != os.geteuid():
        _warn(path, _("belongs to another user (uid {st_uid})").format(st_uid=status.st_uid))
    elif mode & 0o002:
        _warn(path, _("is shared with every user (mode {mode:04o})").format(mode=mode))
    elif mode & 0o077:
        _warn(path, _("can be read by other users (mode {mode:04o})").format(mode=mode))


def ensure_private_dir(path: Path) -> Path:
    """``path`` as a folder for Lanyard's own files (the profile, its logs).

    What Lanyard creates is private: the folder and any missing parent are made 0700 (on POSIX;
    Windows gives a new folder the user's own ACL). A folder that already exists is never
    changed, for it is not Lanyard's: ``--profile-dir /tmp`` must not chmod /tmp (as root that
    would break every user), nor can a folder another user owns be chmodded. Such a folder is
    used as it is, with a warning (logged once, and kept for folder_warnings()) when other
    users can read it or another user owns it. Raises OSError when it cannot be made or is
    not a folder.
    """
    created = _create(path)
    if os.name == "posix":
        for folder in created:  # mkdir's mode went through the umask: 0700 exactly
            os.chmod(folder, 0o700)
    if path not in created:
        _check_existing(path)
    return path
