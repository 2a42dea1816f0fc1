"""A log file that cannot be used never stops Lanyard: configure_logging logs to stderr only and
says so once, in one line, without a traceback; so does a log file that breaks later (a rotation
that cannot rename, a disk that fills up)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core import logs
from desktop_app.core.logs import configure_logging
from tests.support.broken_env import OTHER_UID, need_root


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if getattr(h, "lanyard", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    for name in ("msal", "msal_extensions", "urllib3"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def _folder(path: Path) -> str:
    path.mkdir()
    return "is a folder, not a file"


def _read_only(path: Path) -> str:
    path.write_text("old log\n")
    path.chmod(0o400)  # as root too: its owner made it read-only, Lanyard respects that
    return "is read-only"


def _other_users(path: Path) -> str:
    need_root()
    path.write_text("root's log from a sudo lanyard\n")
    path.chmod(0o600)
    os.chown(path, OTHER_UID, OTHER_UID)
    return f"belongs to another user (uid {OTHER_UID})"


def _fifo(path: Path) -> str:
    os.mkfifo(path)  # opening it to write would wait for a reader forever
    return "is not a file (a pipe, socket or device)"


def _symlink(path: Path) -> str:
    path.symlink_to(path.with_name("elsewhere.log"))
    return "is a symbolic link, not a file"


def _no_folder(path: Path) -> str:
    path.parent.rmdir()
    path.parent.write_text("a file where the logs folder goes")
    return "cannot be opened (Not a directory)"


BROKEN: dict[str, Callable[[Path], str]] = {
    "folder": _folder,
    "read-only": _read_only,
    "other-user": _other_users,
    "fifo": _fifo,
    "symlink": _symlink,
    "logs-folder-is-a-file": _no_folder,
}


@pytest.mark.timeout(10)
@pytest.mark.parametrize("kind", BROKEN)
def test_an_unusable_log_file_leaves_stderr_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    log_file = tmp_path / "logs" / "lanyard.log"
    log_file.parent.mkdir()
    reason = BROKEN[kind](log_file)
    before = log_file.lstat() if log_file.exists() or log_file.is_symlink() else None

    problem = configure_logging(str(log_file), verbose=False)

    assert problem == f"The log file {log_file} {reason}: Lanyard logs to stderr only."
    assert logs.current_log_file() is None  # Save diagnostics bundles no log then
    logging.getLogger("desktop_app.test").warning("still logging")
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert [line for line in lines if "log file" in line] == [lines[0]]
    assert lines[0].endswith(f"WARNING desktop_app.core.logs: {problem}")
    assert lines[1].endswith("still logging")
    assert "Traceback" not in err and "Logging error" not in err
    if before is not None:  # nothing was changed, written or followed
        after = log_file.lstat()
        assert (after.st_mode, after.st_uid, after.st_size) == (
            before.st_mode,
            before.st_uid,
            before.st_size,
        )
    assert not log_file.with_name("elsewhere.log").exists()


def test_a_usable_log_file_says_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log_file = tmp_path / "lanyard.log"
    assert configure_logging(str(log_file), verbose=False) is None
    logging.getLogger("desktop_app.test").warning("into the file")
    assert "into the file" in log_file.read_text()
    assert "log file" not in capsys.readouterr().err


def test_a_log_file_that_breaks_later_says_so_once_and_logging_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rotation that cannot move the old file away (a folder in lanyard.log.1's place):
    logging's own handler printed a traceback for every record after that."""
    monkeypatch.setattr(logs, "LOG_MAX_BYTES", 200)
    log_file = tmp_path / "lanyard.log"
    assert configure_logging(str(log_file), verbose=False) is None
    blocker = tmp_path / "lanyard.log.1"
    blocker.mkdir()
    (blocker / "keep").write_text("x")  # a non-empty folder: neither removed nor replaced
    for n in range(20):
        logging.getLogger("desktop_app.test").warning("record %d %s", n, "x" * 50)
    err = capsys.readouterr().err
    broken = [line for line in err.splitlines() if "log file" in line]
    assert len(broken) == 1
    assert broken[0].startswith(f"lanyard: the log file {log_file} stopped working (")
    assert broken[0].endswith("); logging to stderr only.")
    assert "Traceback" not in err and "Logging error" not in err
    assert "record 19" in err  # stderr kept every record


@pytest.mark.parametrize("verbose", [False, True])
def test_beside_a_log_file_the_terminal_gets_errors_only_unless_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verbose: bool
) -> None:
    """Issue 16, item 7: start-up notes (the PySide6 work-around, no D-Bus) go to the log file,
    not to a person's terminal; --verbose puts them on stderr too."""
    log_file = tmp_path / "lanyard.log"
    assert configure_logging(str(log_file), verbose=verbose) is None
    note = logging.getLogger("desktop_app.test")
    note.info("a start-up note")
    note.warning("no Secret Service is running (Cannot autolaunch D-Bus)")
    note.error("something went wrong")
    err = capsys.readouterr().err
    text = log_file.read_text()
    assert "a start-up note" in text and "D-Bus" in text and "went wrong" in text  # all kept
    assert ("a start-up note" in err, "D-Bus" in err) == (verbose, verbose)
    assert "something went wrong" in err


def test_without_a_usable_log_file_the_terminal_is_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "lanyard.log"
    folder.mkdir()  # a folder where the file should be
    assert configure_logging(str(folder), verbose=False) is not None
    logging.getLogger("desktop_app.test").info("a start-up note")
    assert "a start-up note" in capsys.readouterr().err  # nowhere else to keep it
