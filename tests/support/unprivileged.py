"""Run a child as an ordinary user (uid 65534, "nobody"): root reads every file whatever its
mode, so "permission denied" can only be seen for real by a process that is not root.

CI runs as root (as these machines do); a run that is not root cannot switch users, and then the
test is skipped -- except under CI, where it fails: CI must run these checks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import in_ci

NOBODY = 65534


def require_root() -> None:
    if os.name != "posix" or os.geteuid() != 0:
        message = "switching to an ordinary user needs root (CI runs as root)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def nobody_python(code: str, *preload: str) -> list[str]:
    """argv for a Python child that imports ``preload`` (and what they import) as root, then
    runs ``code`` as uid/gid 65534. The interpreter lives under /root (0700 here), which the
    ordinary user cannot even execute, so the switch happens inside the child, before it touches
    any file under test; a module first imported after it would fail loudly, never pass."""
    imports = "".join(f"import {name}\n" for name in preload)
    switch = (
        "import os as _os\n"
        "_os.setgroups([])\n"
        f"_os.setgid({NOBODY})\n"
        f"_os.setuid({NOBODY})\n"
        f"assert _os.geteuid() == {NOBODY}\n"
    )
    return [sys.executable, "-c", imports + switch + code]


@contextlib.contextmanager
def nobody_folder() -> Iterator[Path]:
    """A folder the ordinary user owns. Not under the run's temp dir: pytest's are 0700 for
    root, so nobody could not reach it. What goes in it holds no issued token."""
    require_root()
    folder = Path(tempfile.mkdtemp(prefix="lanyard-nobody-", dir="/tmp"))
    try:
        os.chmod(folder, 0o755)
        os.chown(folder, NOBODY, NOBODY)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def nobody_env(folder: Path) -> dict[str, str]:
    """HOME and the XDG dirs in ``folder``, on top of the test's environment."""
    home = folder / "home"
    for sub in ("", "config", "data", "cache"):
        (home / sub).mkdir(exist_ok=True)
        os.chown(home / sub, NOBODY, NOBODY)
    return dict(os.environ) | {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TMPDIR": str(home),
    }
