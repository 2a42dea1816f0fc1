"""The window, end to end: real widgets, real SessionController, real msal, the sandbox."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.controller import SessionController
from desktop_app.session.state import State
from desktop_app.ui.main_window import MainWindow
from tests.support.sandbox_helpers import auth_client, idp_requests, sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state


def test_sign_in_shows_profile_and_roles_and_sign_out_clears_them(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,
    open_window,
    app_logging,
    caplog,
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)

    assert window.stack.currentWidget() is window.tabs
    assert window.header.name.text() == "Megan Bowen"
    assert window.header.username.text() == directory.ADMIN_UPN
    assert window.header.job_title.text() == "Identity Administrator"
    # the tenant by its name from Graph (/organization: a job of its own after /me, like the
    # photo); its ID beside it on hover
    qtbot.waitUntil(
        lambda: window.header.tenant.text().startswith(f"{directory.TENANT_NAME} · "),
        timeout=TIMEOUT_MS,
    )
    assert directory.TENANT_ID in window.header.tenant.toolTip()
    assert window.profile_panel.value_text("jobTitle") == "Identity Administrator"
    assert window.profile_panel.value_text("userPrincipalName") == directory.ADMIN_UPN
    assert window.roles_panel.roles == ("Admin", "Reader")
    assert window.state_label.text() == "Signed in"
    assert "Token cache:" in window.protection_label.text()
    qtbot.waitUntil(lambda: window.header.avatar.has_photo, timeout=TIMEOUT_MS)

    qtbot.mouseClick(window.header.sign_out_button, Qt.MouseButton.LeftButton)
    assert session.state is State.SIGNED_OUT
    assert window.stack.currentWidget() is window.welcome_page
    assert window.profile_panel.value_text("displayName") == ""
    assert window.roles_panel.roles == ()
    assert not window.header.isVisible()
    assert session.shutdown(5.0)  # the sign-out job must finish even while shutting down
    assert auth_client(sandbox, config.profile_dir).accounts() == []
    issued = [t["value"] for t in sandbox.issued_tokens()]
    assert issued
    # no token or code reached a log: neither the file nor any record before redaction
    log_text = app_logging.read_text() + caplog.text
    assert "Session state: SIGNING_IN -> SIGNED_IN" in log_text
    assert not [t for t in issued if t in log_text]


def test_restart_is_signed_in_without_the_browser(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    assert session.shutdown(5.0)

    monkeypatch.setenv("BROWSER", "/bin/false")  # a second sign-in would fail loudly
    sandbox.clear_requests()
    window2, session2 = open_window(config)
    wait_state(qtbot, session2, State.SIGNED_IN)
    qtbot.waitUntil(
        lambda: window2.profile_panel.value_text("displayName") == "Alex Wilber", timeout=TIMEOUT_MS
    )
    assert window2.roles_panel.roles == ("Reader",)
    assert idp_requests(sandbox) == []


def test_cancel_returns_within_a_second(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BROWSER", "true")  # a browser that opens and never signs in
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.waiting_page
    qtbot.waitUntil(lambda: window.waiting_page.copy_link_button.isEnabled(), timeout=TIMEOUT_MS)
    started = time.monotonic()
    qtbot.mouseClick(window.waiting_page.cancel_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_OUT)
    assert time.monotonic() - started < 1.0
    assert window.stack.currentWidget() is window.welcome_page
    assert not window.banner.isVisible()


def test_hostile_profile_is_shown_as_plain_text(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.HOSTILE_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    label = window.profile_panel.values["displayName"]
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert "<script>" in label.text()
    assert window.header.name.textFormat() == Qt.TextFormat.PlainText
    assert window.roles_panel.roles == ()


def test_configuration_error_is_shown_not_raised(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow()
    qtbot.addWidget(window)

    def factory(_notice):  # type: ignore[no-untyped-def]
        raise LanyardError(
            "Lanyard is not set up for your organisation yet.", "Set client_id.", ErrorKind.CONFIG
        )

    session = SessionController(factory)
    window.attach(session, "global", sandbox=False)
    try:
        session.start()
        wait_state(qtbot, session, State.NOT_CONFIGURED)
        assert window.stack.currentWidget() is window.setup_page
        assert "not set up" in window.setup_page.problem.text()
    finally:
        assert session.shutdown()
