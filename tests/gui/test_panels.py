"""Every panel against the sandbox's users: what is shown, what is hidden, and that untrusted text
stays literal. Real widgets, real SessionController, real msal and requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.controller import SessionController
from desktop_app.session.state import State
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.token_panel import HIDDEN
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in


def panel_names(window: MainWindow) -> list[str]:
    names = []
    for index in range(window.tabs.count()):
        widget = window.tabs.widget(index)
        assert widget is not None
        names.append(widget.objectName().removeprefix("panel_"))
    return names


@pytest.fixture
def signed_in(qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window):  # type: ignore[no-untyped-def]
    def as_user(upn: str) -> tuple[MainWindow, SessionController]:
        standin_browser(sandbox.info.ca_file, upn)
        window, session = open_window(sandbox_config(sandbox, tmp_path))
        sign_in(qtbot, window, session)
        return window, session

    return as_user


def test_admin_user_sees_every_panel_and_the_admin_view(qtbot: QtBot, signed_in) -> None:  # type: ignore[no-untyped-def]
    window, session = signed_in(directory.ADMIN_UPN)
    assert panel_names(window) == ["profile", "roles", "token", "inspector", "api", "admin"]
    assert [a.text() for a in window.panel_actions] == [
        "Profile",
        "Roles",
        "Token && claims",
        "Token inspector",
        "Call an API",
        "Admin",
    ]
    assert window.panel_actions[5].shortcut().toString() == "Ctrl+6"
    window.panel_actions[2].trigger()
    assert window.tabs.currentWidget() is window.token_panel
    qtbot.waitUntil(lambda: window.header.avatar.has_photo, timeout=TIMEOUT_MS)

    token = window.token_panel
    assert token.expires.text().startswith("In ")
    assert "User.Read" in token.scopes.text()
    assert token.source.text().startswith("Microsoft Entra ID")
    assert token.claim_value("roles") == "Admin, Reader"
    assert token.claim_value("tid") == directory.TENANT_ID
    assert token.claim_value("exp").endswith(("min)", "h)"))  # a local time, then how far ahead
    names = token.claim_names()
    assert names.index("aud") < names.index("roles")  # the catalogue's order: known ones first
    assert not token.overage.isVisible()

    admin = window.admin_panel
    assert admin.raw.toPlainText() == ""  # its claims are laid out once it is shown, not before
    window.tabs.setCurrentWidget(admin)
    assert '"roles": [' in admin.raw.toPlainText()
    assert admin.client_id.text() == session.services.auth.settings.client_id  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: admin.inventory.rowCount() >= 3, timeout=TIMEOUT_MS)
    cells = [
        admin.inventory.item(r, c).text()  # type: ignore[union-attr]
        for r in range(admin.inventory.rowCount())
        for c in range(admin.inventory.columnCount())
    ]
    assert {"Access token", "Refresh token", "ID token"} <= set(cells)
    access_token = session.access_token()
    assert access_token and not [cell for cell in cells if access_token in cell]


def test_the_access_token_is_hidden_until_revealed_and_copied_only_on_request(
    qtbot: QtBot, signed_in
) -> None:  # type: ignore[no-untyped-def]
    window, session = signed_in(directory.READER_UPN)
    token = window.token_panel
    secret = session.access_token()
    assert secret
    assert token.token_field.text() == HIDDEN
    assert not [w for w in window.findChildren(QLabel) if secret in w.text()]
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(token.reveal_button, Qt.MouseButton.LeftButton)
    assert token.token_field.text() == secret
    qtbot.mouseClick(token.reveal_button, Qt.MouseButton.LeftButton)
    assert token.token_field.text() == HIDDEN
    assert QGuiApplication.clipboard().text() != secret
    qtbot.mouseClick(token.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == secret
    QGuiApplication.clipboard().clear()
    token.reveal_button.setChecked(True)
    token._hide_timer.timeout.emit()  # a revealed token hides itself after a minute
    assert token.token_field.text() == HIDDEN


def test_reader_never_sees_the_admin_view(qtbot: QtBot, signed_in) -> None:  # type: ignore[no-untyped-def]
    window, _ = signed_in(directory.READER_UPN)
    assert panel_names(window) == ["profile", "roles", "token", "inspector", "api"]
    assert len(window.panel_actions) == 5  # the Token inspector is for everyone
    assert window.roles_panel.roles == ("Reader",)
    assert window.admin_panel.raw.toPlainText() == ""
    assert not window.admin_panel.isVisible()
    assert window.token_panel.claim_value("roles") == "Reader"


def test_user_without_roles_or_photo(qtbot: QtBot, signed_in, sandbox: Sandbox) -> None:  # type: ignore[no-untyped-def]
    window, _ = signed_in(directory.NO_ROLES_UPN)
    assert panel_names(window) == ["profile", "roles", "token", "inspector", "api"]
    assert window.roles_panel.summary.text() == "You hold no app roles in this application."
    assert "roles" not in window.token_panel.claim_names()
    qtbot.waitUntil(
        lambda: any(r["path"].endswith("/photo/$value") for r in sandbox.requests()),
        timeout=TIMEOUT_MS,
    )
    qtbot.wait(200)
    assert not window.header.avatar.has_photo  # 404: the initials avatar
    # empty profile values are empty, never "None"
    assert window.profile_panel.value_text("jobTitle") == ""
    assert window.profile_panel.value_text("mobilePhone") == ""
    assert not window.profile_panel.copy_buttons["jobTitle"].isEnabled()
    assert "None" not in [window.profile_panel.value_text(n) for n in window.profile_panel.values]


def test_groups_overage_is_detected_and_explained(qtbot: QtBot, signed_in) -> None:  # type: ignore[no-untyped-def]
    window, _ = signed_in(directory.OVERAGE_UPN)
    token = window.token_panel
    window.tabs.select_panel("token")
    assert token.overage.isVisible()
    assert "more groups than fit in a token" in token.overage.text()
    assert "_claim_names" in token.claim_names()
    assert "groups" not in token.claim_names()


def test_html_and_right_to_left_text_stay_literal(
    qtbot: QtBot, signed_in, sandbox: Sandbox
) -> None:  # type: ignore[no-untyped-def]
    window, _ = signed_in(directory.HOSTILE_UPN)
    user = sandbox.directory.user(directory.HOSTILE_UPN)
    assert user is not None
    panel = window.profile_panel
    assert panel.value_text("displayName") == user.display_name
    assert panel.value_text("jobTitle") == user.job_title
    assert panel.value_text("officeLocation") == user.office_location
    assert panel.value_text("givenName") == "Miriam &amp; <i>co</i>"  # not decoded, not italic
    assert "<a href='javascript:alert(1)'>call</a>" in panel.value_text("businessPhones")
    assert window.header.name.text() == user.display_name
    assert window.header.job_title.text() == user.job_title
    assert window.token_panel.claim_value("name") == user.display_name
    for label in window.findChildren(QLabel):
        if label.buddy() is not None:
            continue  # Lanyard's own form labels, with a keyboard mnemonic for their field
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName() or label.text()


def test_refresh_roles_shows_what_was_added_and_removed(
    qtbot: QtBot, signed_in, sandbox: Sandbox
) -> None:  # type: ignore[no-untyped-def]
    window, session = signed_in(directory.READER_UPN)
    roles = window.roles_panel
    try:
        sandbox.assign_roles(directory.READER_UPN, ["Reader", "Admin"])
        qtbot.mouseClick(roles.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: roles.roles == ("Reader", "Admin"), timeout=TIMEOUT_MS)
        assert roles.changes.text() == "Added since the last token: Admin"
        assert "admin" in panel_names(window)  # the new role opens the Admin view at once

        sandbox.assign_roles(directory.READER_UPN, [])
        qtbot.mouseClick(roles.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: roles.roles == (), timeout=TIMEOUT_MS)
        assert roles.changes.text() == "Removed since the last token: Reader, Admin"
        assert "admin" not in panel_names(window)
        assert window.admin_panel.raw.toPlainText() == ""
        assert window.admin_panel.inventory.rowCount() == 0

        qtbot.mouseClick(roles.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "No change" in roles.changes.text(), timeout=TIMEOUT_MS)
    finally:
        sandbox.assign_roles(directory.READER_UPN, ["Reader"])
    assert session.state is State.SIGNED_IN


def test_every_control_has_an_accessible_name_and_takes_keyboard_focus(
    qtbot: QtBot, signed_in
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTabBar, QTableWidget

    window, _ = signed_in(directory.ADMIN_UPN)
    controls: list[QWidget] = [
        w
        for kind in (QAbstractButton, QComboBox, QLineEdit, QTableWidget)
        for w in window.findChildren(kind)
        # not Qt's own scroll-area and tab-bar internals, nor a control hidden until needed
        if not w.objectName().startswith("qt_")
        and not w.isHidden()
        # Qt's own parts: the tab bar's scroll arrows, a line edit's clear button
        and not isinstance(w.parent(), QTabBar | QLineEdit)
    ]
    assert len(controls) > 20
    unnamed = [w for w in controls if not (w.accessibleName() or getattr(w, "text", lambda: "")())]
    assert not unnamed, [
        (type(w).__name__, type(w.parent()).__name__, w.toolTip()) for w in unnamed
    ]
    assert all(w.focusPolicy() & Qt.FocusPolicy.TabFocus for w in controls)
