"""ensure_private_dir tightens only what Lanyard creates: a shared folder (1777) or another user's
is used as it is, with a warning, and never chmodded (``--profile-dir /tmp`` as root would have
made /tmp 0700 and broken every user)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import paths
from tests.support.broken_env import OTHER_UID, need_root

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and owners")


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    paths._warnings.clear()
    yield
    paths._warnings.clear()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_what_lanyard_creates_is_0700_parents_included(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    old = os.umask(0o022)
    try:
        target = paths.ensure_private_dir(tmp_path / "a" / "b" / "profile")
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert mode(folder) == 0o700, folder
    assert mode(tmp_path) == 0o755  # the existing parent is not Lanyard's: untouched
    assert paths.folder_warnings() == []


def test_a_strict_umask_still_gives_0700(tmp_path: Path) -> None:
    old = os.umask(0o277)
    try:
        target = paths.ensure_private_dir(tmp_path / "profile")
    finally:
        os.umask(old)
    assert mode(target) == 0o700


def test_a_shared_1777_folder_is_left_alone_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    parent_mode = mode(tmp_path)
    with caplog.at_level(logging.WARNING, "desktop_app.core.paths"):
        assert paths.ensure_private_dir(shared) == shared
        paths.ensure_private_dir(shared)  # asked again (the auth worker, the snapshot store)
    assert mode(shared) == 0o1777
    assert mode(tmp_path) == parent_mode
    (warning,) = paths.folder_warnings()
    assert warning.startswith(f"The folder {shared} is shared with every user (mode 1777).")
    assert [r.getMessage() for r in caplog.records] == [warning]  # logged once


def test_a_folder_others_can_read_is_left_alone_with_a_warning(tmp_path: Path) -> None:
    readable = tmp_path / "readable"
    readable.mkdir(mode=0o755)
    readable.chmod(0o755)
    paths.ensure_private_dir(readable)
    assert mode(readable) == 0o755
    assert paths.folder_warnings() == [
        f"The folder {readable} can be read by other users (mode 0755). Lanyard leaves it as it "
        "is; to keep its files private, give it a folder of your own."
    ]


def test_a_folder_of_another_user_is_left_alone_with_a_warning(tmp_path: Path) -> None:
    need_root()
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    theirs.chmod(0o700)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    paths.ensure_private_dir(theirs)  # as another user than root, chmod raised PermissionError
    status = theirs.stat()
    assert (stat.S_IMODE(status.st_mode), status.st_uid) == (0o700, OTHER_UID)
    (warning,) = paths.folder_warnings()
    assert f"The folder {theirs} belongs to another user (uid {OTHER_UID})." in warning


def test_an_own_private_folder_gives_no_warning(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    own.chmod(0o700)
    paths.ensure_private_dir(own)
    assert paths.folder_warnings() == []


def test_a_folder_made_private_before_and_loosened_later_is_not_tightened(tmp_path: Path) -> None:
    target = paths.ensure_private_dir(tmp_path / "profile")
    target.chmod(0o750)  # the person's choice now
    paths.ensure_private_dir(target)
    assert mode(target) == 0o750
    assert "mode 0750" in paths.folder_warnings()[0]


def test_a_file_in_the_folders_place_is_an_os_error(tmp_path: Path) -> None:
    blocker = tmp_path / "profile"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        paths.ensure_private_dir(blocker)
    with pytest.raises(OSError):
        paths.ensure_private_dir(blocker / "logs")
