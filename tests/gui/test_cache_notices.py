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
    assert "Secret Service" in label.text() or "PyGObject" in label.text()  # why
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
