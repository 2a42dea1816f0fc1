"""A small file system that can be filled for real: a tmpfs mounted for one test (root only).

CI runs as root in a container that may mount; where mounting is not permitted the test is
skipped, except under CI, where it fails (a full disk must be tested there for real).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import in_ci


@contextlib.contextmanager
def small_disk(where: Path, size: str = "256k") -> Iterator[Path]:
    """``where``, a tmpfs of ``size``, unmounted afterwards."""
    mount = shutil.which("mount")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [mount or "mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        message = f"cannot mount a tmpfs here ({done.stderr.strip()})"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; returns the file that holds the space (delete it to
    free the disk)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):  # unbuffered: the last bytes too
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return filler
