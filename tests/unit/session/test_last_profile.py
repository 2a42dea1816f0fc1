"""The last profile read at start (session/last_profile.py): from the profile folder the
session's services will use, for the account the window showed last; a failure or nothing kept
is None, never an exception out of the reading thread."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app.core.config import Config
from desktop_app.graph.profile import Profile
from desktop_app.graph.snapshot import Snapshot
from desktop_app.session.last_profile import (
    read_in_background,
    read_last_profile,
    session_profile_dir,
    snapshot_store_for,
)

ACCOUNT = "uid.utid"


def config_for(profile_dir: Path, sandbox: bool = False) -> Config:
    return replace(Config(), profile_dir=profile_dir, sandbox=sandbox)


def test_the_folder_is_the_one_the_services_use(tmp_path: Path) -> None:
    assert session_profile_dir(config_for(tmp_path), False, None) == tmp_path
    # the demo in this process (start_sandbox): the demo's home; a profile folder given is it
    assert session_profile_dir(config_for(tmp_path, True), True, None) == tmp_path / "profile"
    # a sandbox in another process (running_sandbox): a throwaway folder unless one is given
    info = tmp_path / "info.json"
    assert session_profile_dir(config_for(tmp_path, True), True, info) == tmp_path / "profile"
    assert session_profile_dir(config_for(tmp_path, True), False, info) is None


def test_the_kept_snapshot_of_that_account_is_read(tmp_path: Path) -> None:
    snapshot = Snapshot(ACCOUNT, Profile.from_graph({"displayName": "Megan Bowen"}), 1000.0)
    snapshot_store_for(tmp_path).save(snapshot)
    read = read_last_profile(config_for(tmp_path), False, None, ACCOUNT)
    assert read is not None
    assert read.profile.display_value("displayName") == "Megan Bowen"
    assert read_last_profile(config_for(tmp_path), False, None, "other.account") is None
    assert read_last_profile(config_for(tmp_path), False, None, "") is None
    # no folder yet: nothing read, and none made
    missing = tmp_path / "missing"
    assert read_last_profile(config_for(missing), False, None, ACCOUNT) is None
    assert not missing.exists()


def test_a_damaged_store_reads_as_nothing(tmp_path: Path) -> None:
    (tmp_path / "profile_snapshot.json").write_text("{not json")
    tmp_path.chmod(0o700)
    assert read_last_profile(config_for(tmp_path), False, None, ACCOUNT) is None


def test_the_reading_thread_delivers_a_failure_as_none() -> None:
    delivered: list[object] = []
    done = threading.Event()

    def fail() -> Snapshot | None:
        raise RuntimeError("unexpected")

    def deliver(snapshot: Snapshot | None) -> None:
        delivered.append(snapshot)
        done.set()

    thread = read_in_background(fail, deliver)
    assert done.wait(5)
    thread.join(5)
    assert delivered == [None]
    assert thread.daemon


def test_the_early_read_leaves_the_store_choice_to_the_bootstrap_to_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a Secret Service the bootstrap warns that the cache is a plaintext file; the
    early read's second look at the same choice said it again on every start."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "no-bus"))
    snapshot = Snapshot(ACCOUNT, Profile.from_graph({"displayName": "Megan Bowen"}), 1000.0)
    snapshot_store_for(tmp_path, quiet=True).save(snapshot)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        read = read_last_profile(config_for(tmp_path), False, None, ACCOUNT)
    assert read is not None
    assert "not encrypted" in caplog.text  # found, and said at debug level only
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        snapshot_store_for(tmp_path)  # the bootstrap's own open still warns
    assert any(
        r.levelno == logging.WARNING and "not encrypted" in r.getMessage() for r in caplog.records
    )
