"""A copied access token does not stay on the clipboard (issue 15, item 4): it is marked for
clipboard managers not to keep, cleared after CLEAR_AFTER_S, on sign-out and on quit, and only
while the clipboard still holds it (what the person copied since is theirs). Real QClipboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.logs import contains_secret
from desktop_app.sandbox import Sandbox
from desktop_app.session.state import State
from desktop_app.ui.clipboard import CLEAR_AFTER_S, SecretClipboard, clipboard_guard, secret_mime
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state

JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


@pytest.fixture
def guard(qtbot: QtBot) -> Iterator[SecretClipboard]:
    guard = clipboard_guard()
    guard.clear_after_ms = 300
    QGuiApplication.clipboard().clear()
    yield guard
    guard.clear_secret("test over")
    guard.clear_after_ms = CLEAR_AFTER_S * 1000
    QGuiApplication.clipboard().clear()


def test_every_platforms_hints_ask_clipboard_managers_not_to_keep_it() -> None:
    linux = secret_mime(JWT, "linux")
    assert linux.text() == JWT
    assert bytes(linux.data("x-kde-passwordManagerHint").data()) == b"secret"
    mac = secret_mime(JWT, "darwin")
    assert bytes(mac.data("application/x-nspasteboard-concealed-type").data()) == b"secret"
    windows = secret_mime(JWT, "win32")
    formats = " ".join(windows.formats())
    for name in ("ExcludeClipboardContentFromMonitorProcessing", "CanIncludeInClipboardHistory"):
        assert name in formats
    history = 'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"'
    assert bytes(windows.data(history).data()) == b"\x00\x00\x00\x00"  # DWORD 0: not kept


def test_a_secret_goes_on_with_its_hint_and_is_cleared_after_the_time(
    qtbot: QtBot, guard: SecretClipboard
) -> None:
    clipboard = QGuiApplication.clipboard()
    assert guard.copy(JWT, secret=True)
    assert clipboard.text() == JWT
    mime = clipboard.mimeData()
    assert mime is not None and mime.hasFormat("x-kde-passwordManagerHint")
    with qtbot.waitSignal(guard.cleared, timeout=5_000) as cleared:
        pass
    assert cleared.args == ["timeout"]
    assert clipboard.text() == ""


def test_what_the_person_copied_since_is_never_cleared(
    qtbot: QtBot, guard: SecretClipboard
) -> None:
    clipboard = QGuiApplication.clipboard()
    guard.copy(JWT, secret=True)
    with qtbot.waitSignal(guard.released, timeout=5_000):
        clipboard.setText("my own notes")
    qtbot.wait(600)  # past the clearing time
    assert clipboard.text() == "my own notes"
    assert not guard.clear_secret("sign-out")  # nothing of Lanyard's left to clear
    assert clipboard.text() == "my own notes"


def test_plain_text_goes_on_plain_and_stays(qtbot: QtBot, guard: SecretClipboard) -> None:
    clipboard = QGuiApplication.clipboard()
    assert not guard.copy("Megan Bowen")
    mime = clipboard.mimeData()
    assert mime is not None and not mime.hasFormat("x-kde-passwordManagerHint")
    qtbot.wait(600)
    assert clipboard.text() == "Megan Bowen"


def test_anything_token_shaped_a_person_copies_counts_as_a_secret() -> None:
    assert contains_secret(JWT)
    assert contains_secret('{"access_token": "abcdefgh12345678"}')
    assert contains_secret("http://localhost:5000/?code=0.AXoA1234abcd&state=x")
    assert contains_secret("Authorization: Bearer abcdefghijklmnopqrstuvwxyz")
    assert not contains_secret('{"postalCode": "98052", "displayName": "Megan Bowen"}')


def test_quitting_clears_a_token_still_on_the_clipboard(
    qtbot: QtBot, guard: SecretClipboard
) -> None:
    guard.clear_after_ms = 60_000
    guard.copy(JWT, secret=True)
    app = QCoreApplication.instance()
    assert app is not None
    with qtbot.waitSignal(guard.cleared, timeout=5_000) as cleared:
        app.aboutToQuit.emit()  # what QApplication.quit() emits before the loop ends
    assert cleared.args == ["quit"]
    assert QGuiApplication.clipboard().text() == ""


def test_the_token_panels_copy_says_when_and_sign_out_clears_it(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    open_window,  # type: ignore[no-untyped-def]
    standin_browser,  # type: ignore[no-untyped-def]
    guard: SecretClipboard,
) -> None:
    guard.clear_after_ms = 60_000
    standin_browser(sandbox.info.ca_file)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    panel = window.token_panel
    window.tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    token = clipboard.text()
    assert token.count(".") == 2 and guard.holds_secret()
    assert panel.copy_note.isVisibleTo(window)
    assert panel.copy_note.text() in ("Copied; cleared in 60 s", "Copied; cleared in 59 s")
    # the field is reached with the keyboard but never selected (X11's primary selection would
    # keep the token around the hints); its Ctrl+C is the guarded copy
    field = panel.token_field
    assert field.focusPolicy() & Qt.FocusPolicy.TabFocus
    panel.reveal_button.setChecked(True)
    clipboard.setText("something of mine")
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert field.text() == token and field.selectedText() == ""
    qtbot.keyClick(field, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == token and guard.holds_secret()
    mime = clipboard.mimeData()
    assert mime is not None and mime.hasFormat("x-kde-passwordManagerHint")
    session.sign_out()
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=TIMEOUT_MS)
    assert not guard.holds_secret()
