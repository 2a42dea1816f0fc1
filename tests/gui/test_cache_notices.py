"""What the window says about the token cache: how it is protected, why not better, and what
happened to a damaged one (real window, real msal, the sandbox; no Secret Service here: see
tests/conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.state import State
from tests.support.sandbox_helpers import files_holding, sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state


def test_plaintext_fallback_says_why_and_what_to_do(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window
) -> None:  # type: ignore[no-untyped-def]
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    wait_state(qtbot, session, State.SIGNED_OUT)
    label = window.protection_label
    assert label.text().startswith("⚠ Token cache: plaintext file, readable only by you (")
    assert "Secret Service" in label.text() or "secretstorage" in label.text()  # why
    assert "allow_plaintext_cache = false" in label.toolTip()  # what to do
    assert "gnome-keyring" in label.toolTip()


def test_refusing_plaintext_signs_in_for_the_session_only_and_says_so(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = replace(sandbox_config(sandbox, tmp_path), allow_plaintext_cache=False)
    window, session = open_window(config)
    wait_state(qtbot, session, State.SIGNED_OUT)
    assert window.protection_label.text().startswith("⚠ Token cache: not saved, this session only")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT_MS)
    assert "will not be saved" in window.banner.message.text()
    assert "allow_plaintext_cache = false" in window.banner.message.text()

    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("displayName") != "", timeout=TIMEOUT_MS
    )
    assert not (tmp_path / "token_cache.bin").exists()
    issued = [str(t["value"]) for t in sandbox.issued_tokens()]
    assert files_holding(tmp_path, issued) == {}


def test_damaged_cache_is_reported_in_the_window(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "token_cache.bin").write_bytes(b'{"RefreshToken": {"k": {"secret": "half')
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    wait_state(qtbot, session, State.SIGNED_OUT)  # a fresh cache, not a crash
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT_MS)
    kept = list(tmp_path.glob("token_cache.bin.corrupt-*"))
    assert len(kept) == 1
    assert "could not be used: it is not valid JSON" in window.banner.message.text()
    assert str(kept[0]) in window.banner.recommendation.text()


# -- issue 15: what a terminal command did, and a store that cannot take a save -----------------


def test_damage_a_terminal_command_moved_aside_is_told_by_the_next_window_once(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window
) -> None:  # type: ignore[no-untyped-def]
    """lanyard whoami on a damaged cache says it on stderr; the window opened later says it
    too (a script's stderr may be read by nobody), once."""
    import json
    import subprocess
    import sys

    from tests.conftest import REPO

    info = tmp_path / "sandbox.json"
    info.write_text(json.dumps(sandbox.info.as_json()))
    profile = tmp_path / "profile"  # what --sandbox-info --profile-dir DIR uses: DIR/profile
    profile.mkdir()
    (profile / "token_cache.bin").write_bytes(b'{"RefreshToken": {"k": {"secret": "half')
    whoami = subprocess.run(
        [
            *(sys.executable, "-m", "desktop_app", "whoami", "--sandbox"),
            *("--sandbox-info", str(info), "--profile-dir", str(tmp_path)),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert whoami.returncode == 4, whoami.stderr
    assert "The saved sign-in could not be used: it is not valid JSON" in whoami.stderr
    kept = list(profile.glob("token_cache.bin.corrupt-*"))
    assert len(kept) == 1

    window, session = open_window(sandbox_config(sandbox, profile))
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT_MS)
    message = window.banner.message.text()
    assert message.startswith(
        "Your saved sign-in was found damaged (it is not valid JSON (truncated or overwritten)) "
        "by 'lanyard whoami' (process "
    )
    assert str(kept[0]) in window.banner.recommendation.text()
    assert not (profile / "token_cache.damaged.json").exists()  # told: not again
    assert session.shutdown(5.0)
    window.close()

    again, second = open_window(sandbox_config(sandbox, profile))
    wait_state(qtbot, second, State.SIGNED_OUT)
    qtbot.wait(300)
    assert not again.banner.isVisible()


def test_the_status_bar_says_when_the_cache_cannot_be_saved_and_when_it_can_again(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    """A store that takes no save (here a real full disk: a tmpfs, filled) while signed in: the
    status bar no longer claims the cache is kept, and says so again once it is saved (space
    freed: the watcher sees it, no restart). The keyring's own case runs in a child process
    against gnome-keyring (tests/gui/test_keyring_window.py)."""
    from tests.support.full_disk import fill, small_disk
    from tests.support.window_driver import sign_in

    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    with small_disk(tmp_path / "disk") as disk:
        window, session = open_window(sandbox_config(sandbox, disk))
        sign_in(qtbot, window, session)
        label = window.protection_label
        assert label.text().startswith("⚠ Token cache: plaintext file, readable only by you (")
        assert "not saved now" not in label.text()

        filler = fill(disk)
        session.refresh(force=True)  # a new refresh token to save
        qtbot.waitUntil(lambda: "not saved now" in label.text(), timeout=TIMEOUT_MS)
        assert label.text().endswith(
            "— not saved now: the cache file could not be written (No space left on device)"
        )
        assert "cannot be saved right now" in window.banner.message.text()
        # the session goes on, in memory (the notice comes from the save, inside the refresh:
        # the refresh's end is a moment later)
        wait_state(qtbot, session, State.SIGNED_IN)

        filler.unlink()  # the watcher sees the folder change: saved, and said
        qtbot.waitUntil(lambda: "not saved now" not in label.text(), timeout=TIMEOUT_MS)
        assert label.text().startswith("⚠ Token cache: plaintext file, readable only by you (")
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=TIMEOUT_MS)
        assert "RefreshToken" in (disk / "token_cache.bin").read_text()
        assert session.shutdown(5.0)
