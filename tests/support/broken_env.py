"""A broken environment, built from real files, for the tests of issue 15: paths a setting names
that must not be read (a named pipe, /dev/zero, a folder, a huge file), and files and folders
owned by another user (``OTHER_UID``: nobody)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OTHER_UID = 65534  # nobody (the tests run as root, as CI does: chown needs it)
BAD_FILES = ("fifo", "dev-zero", "folder", "too-large")
BOUND_S = 2.0  # each refusal is immediate; a hang or an endless read would take far longer


@contextmanager
def bad_file(kind: str, folder: Path) -> Iterator[tuple[Path, str]]:
    """A path of ``kind`` (BAD_FILES) in ``folder`` and the words that say why it is refused.
    The huge file is sparse and removed afterwards (the leak scan reads every file left)."""
    if kind == "fifo":
        path = folder / "pipe"
        os.mkfifo(path)
        yield path, "is a named pipe, not a file"
    elif kind == "dev-zero":
        yield Path("/dev/zero"), "is a device, not a file"
    elif kind == "folder":
        path = folder / "folder"
        path.mkdir()
        yield path, "is a folder, not a file"
    elif kind == "too-large":
        path = folder / "huge.pem"
        with path.open("wb") as handle:
            handle.truncate(64 << 20)
        try:
            yield path, "is larger than"
        finally:
            path.unlink(missing_ok=True)
    else:
        raise ValueError(kind)


def need_root() -> None:
    """chown to another user needs root; the suite runs as root (CI does too)."""
    import pytest

    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
