"""core/runtime_dir.py: the folder only this user can reach, or why there is none. (A folder
another user made first: tests/gui/test_single_instance_users.py, with a real second user.)"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import runtime_dir
from desktop_app.core.runtime_dir import NotPrivate, user_runtime_dir

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX folders and modes")


@pytest.fixture
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """$TMPDIR for the test, and no XDG_RUNTIME_DIR."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() caches
    yield tmp_path
    tempfile.tempdir = None


def fallback(tmp: Path) -> Path:
    return tmp / f"lanyard-{os.geteuid()}"


def test_a_private_xdg_runtime_dir_is_used(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp / "run-user"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert user_runtime_dir() == runtime
    assert not fallback(tmp).exists()


@pytest.mark.parametrize("value", ["relative/dir", "", "{tmp}/missing", "{tmp}/open"])
def test_an_unusable_xdg_runtime_dir_falls_back(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    (tmp / "open").mkdir(mode=0o755)
    os.chmod(tmp / "open", 0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", value.format(tmp=tmp))
    assert user_runtime_dir() == fallback(tmp)


def test_the_fallback_is_made_private_and_reused(tmp: Path) -> None:
    made = user_runtime_dir()
    assert made == fallback(tmp)
    info = os.lstat(made)
    assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.geteuid()
    assert user_runtime_dir() == made  # the next start finds it


def test_a_fallback_others_can_reach_is_not_used(tmp: Path) -> None:
    fallback(tmp).mkdir(mode=0o755)
    os.chmod(fallback(tmp), 0o755)
    with pytest.raises(NotPrivate) as caught:
        user_runtime_dir()
    assert "other users can reach it (mode 0755)" in caught.value.why
    assert stat.S_IMODE(os.lstat(fallback(tmp)).st_mode) == 0o755  # not "fixed" behind one's back


def test_a_link_in_its_place_is_not_followed(tmp: Path) -> None:
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    fallback(tmp).symlink_to(elsewhere)
    with pytest.raises(NotPrivate) as caught:
        user_runtime_dir()
    assert caught.value.why == "is a link"


def test_a_file_in_its_place_is_not_used(tmp: Path) -> None:
    fallback(tmp).write_text("")
    with pytest.raises(NotPrivate) as caught:
        user_runtime_dir()
    assert caught.value.why == "is not a folder"


def test_a_temp_dir_where_nothing_can_be_made_says_so(
    tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp / "missing" / "deeper"))
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp / "missing" / "deeper"))
    with pytest.raises(NotPrivate) as caught:
        runtime_dir.user_runtime_dir()
    assert caught.value.why.startswith("cannot be created")
