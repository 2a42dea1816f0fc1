"""Several accounts in one cache: the picker, adding one, switching without the browser, signing out
of one or all, ending the browser session; and what the window remembers between runs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.config import Config
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.controller import SessionController
from desktop_app.session.services import build_services
from desktop_app.session.state import State
from desktop_app.ui.header import ADD_ACCOUNT
from desktop_app.ui.main_window import MainWindow
from tests.support.sandbox_helpers import auth_client, sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state


def picker_items(window: MainWindow) -> list[str]:
    picker = window.header.account_picker
    return [picker.itemText(i) for i in range(picker.count())]


def authorize_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests() if r["path"].endswith("/oauth2/v2.0/authorize"))


def test_add_switch_and_sign_out_of_accounts(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    qtbot.waitUntil(lambda: picker_items(window) == [directory.ADMIN_UPN, ADD_ACCOUNT])

    # Add another account: the browser is asked to let the person choose (no login_hint)
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    window.header.account_picker.activated.emit(1)
    qtbot.waitUntil(lambda: window.header.name.text() == "Alex Wilber", timeout=TIMEOUT_MS)
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(
        lambda: (
            picker_items(window) == [directory.ADMIN_UPN, directory.READER_UPN, ADD_ACCOUNT]
            or picker_items(window) == [directory.READER_UPN, directory.ADMIN_UPN, ADD_ACCOUNT]
        ),
        timeout=TIMEOUT_MS,
    )
    assert window.header.account_picker.currentText() == directory.READER_UPN
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("displayName") == "Alex Wilber",
        timeout=TIMEOUT_MS,
    )

    # Switch back: silent, from the cache, no browser
    before = authorize_requests(sandbox)
    admin_index = picker_items(window).index(directory.ADMIN_UPN)
    window.header.account_picker.activated.emit(admin_index)
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("displayName") == "Megan Bowen",
        timeout=TIMEOUT_MS,
    )
    assert session.state is State.SIGNED_IN
    assert window.roles_panel.roles == ("Admin", "Reader")
    assert authorize_requests(sandbox) == before

    # Sign out of one: the other account is shown next, silently, not the welcome page
    qtbot.mouseClick(window.header.sign_out_button, Qt.MouseButton.LeftButton)
    assert session.account is not None and session.account.username == directory.READER_UPN
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(lambda: window.header.name.text() == "Alex Wilber", timeout=TIMEOUT_MS)
    assert window.stack.currentWidget() is window.tabs
    qtbot.waitUntil(
        lambda: picker_items(window) == [directory.READER_UPN, ADD_ACCOUNT], timeout=TIMEOUT_MS
    )
    assert window.header.account_picker.currentText() == directory.READER_UPN
    assert window.roles_panel.roles == ("Reader",)
    assert authorize_requests(sandbox) == before
    assert [a.username for a in auth_client(sandbox, config.profile_dir).accounts()] == [
        directory.READER_UPN
    ]

    # Signing out of the last one leaves the welcome page
    qtbot.mouseClick(window.header.sign_out_button, Qt.MouseButton.LeftButton)
    assert session.state is State.SIGNED_OUT
    qtbot.waitUntil(lambda: window.welcome_page.account_buttons == [], timeout=TIMEOUT_MS)
    assert window.stack.currentWidget() is window.welcome_page

    assert window.welcome_page.sign_in_button.text() == "Sign in"
    assert session.shutdown(5.0)
    assert auth_client(sandbox, config.profile_dir).accounts() == []


def test_sign_out_of_all_accounts_leaves_none_to_switch_to(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    session.sign_in(add_account=True)
    qtbot.waitUntil(lambda: len(session.accounts) == 2, timeout=TIMEOUT_MS)
    window.header.sign_out_all_action.trigger()
    assert session.state is State.SIGNED_OUT
    qtbot.waitUntil(lambda: window.welcome_page.account_buttons == [], timeout=TIMEOUT_MS)
    assert session.state is State.SIGNED_OUT and session.account is None
    assert session.shutdown(5.0)
    assert auth_client(sandbox, config.profile_dir).accounts() == []


def test_sign_out_can_end_the_browser_session(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        from desktop_app.auth.browser import open_browser

        return open_browser(url)

    window, session = open_window(sandbox_config(sandbox, tmp_path), launch_browser=browser)
    sign_in(qtbot, window, session)
    window.header.end_session_action.trigger()
    assert session.state is State.SIGNED_OUT
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=TIMEOUT_MS)
    logout = opened[1]
    assert "/oauth2/v2.0/logout?" in logout
    # logout_hint is the ID token's login_hint claim (opaque), never the username
    assert "logout_hint=O." in logout and "alex.wilber" not in logout
    # the stand-in browser opened it: the sandbox read the hint as one of its login_hint claims
    qtbot.waitUntil(
        lambda: any(r.get("logout_hint") == "login_hint_claim" for r in sandbox.requests()),
        timeout=TIMEOUT_MS,
    )


def test_window_remembers_size_panel_and_account(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    state_file = tmp_path / "window.ini"
    config: Config = sandbox_config(sandbox, tmp_path)
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)

    def run(sign_in_first: bool) -> tuple[MainWindow, SessionController]:
        window = MainWindow(state_file=state_file)
        qtbot.addWidget(window)
        session = SessionController(lambda notice: build_services(config, True, notice))
        window.attach(session, config.cloud.name, config.sandbox)
        window.show()
        session.start()
        if sign_in_first:
            sign_in(qtbot, window, session)
        else:
            wait_state(qtbot, session, State.SIGNED_IN)
        return window, session

    window, session = run(sign_in_first=True)
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    session.sign_in(add_account=True)
    qtbot.waitUntil(lambda: len(session.accounts) == 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.header.name.text() == "Megan Bowen", timeout=TIMEOUT_MS)
    session.switch_account(next(a for a in session.accounts if a.username == directory.READER_UPN))
    qtbot.waitUntil(lambda: window.header.name.text() == "Alex Wilber", timeout=TIMEOUT_MS)
    window.resize(741, 577)
    window.tabs.select_panel("token")
    window.close()
    assert session.shutdown(5.0)

    window, session = run(sign_in_first=False)
    try:
        assert (window.width(), window.height()) == (741, 577)
        assert window.tabs.currentWidget() is window.token_panel
        assert session.account is not None and session.account.username == directory.READER_UPN
    finally:
        assert session.shutdown(5.0)
