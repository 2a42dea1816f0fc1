"""Hostile data end to end: the sandbox serves a profile with wrong types, a megabyte string,
NULs and markup, and an ID token with 10,000 roles; the real window signs in and shows it all as
plain text, bounded, without an exception."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.graph.profile import MAX_FIELD_CHARS
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.state import State
from desktop_app.ui.avatar import Avatar
from tests.support import figures
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state

ROLES = [f"Role.{n:05d} <b>x</b> مريم 🦄" for n in range(10_000)]
UPN = directory.HOSTILE_UPN


@pytest.fixture
def hostile_profile(sandbox: Sandbox) -> Iterator[None]:
    sandbox.set_profile(
        UPN,
        {
            "displayName": 123,
            "jobTitle": "J" * 1_000_000,
            "officeLocation": "a\x00b<b>x</b>",
            "businessPhones": "<a href='x'>not a list</a>",
            "mobilePhone": {"nested": ["object"]},
            "preferredLanguage": "\ud800",
        },
        remove=["surname", "givenName", "id"],
    )
    yield
    sandbox.reset_profile(UPN)


def test_hostile_profile_and_ten_thousand_roles_render_as_plain_text(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
    open_window,  # type: ignore[no-untyped-def]
    hostile_profile: None,
) -> None:
    client_id = sandbox.add_app(
        display_name="Many roles",
        redirect_uris=["http://localhost", "http://127.0.0.1"],
        app_roles=ROLES,
        role_assignments={UPN: ROLES},
    )
    standin_browser(sandbox.info.ca_file, UPN)
    window, session = open_window(replace(sandbox_config(sandbox, tmp_path), client_id=client_id))
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(lambda: window.profile_panel.value_text("jobTitle") != "", timeout=TIMEOUT_MS)

    panel = window.profile_panel
    # 123 is not a name: said, not shown as one (nor silently dropped)
    assert panel.value_text("displayName") == "Not shown: Microsoft Graph sent a number, not text"
    assert panel.value_text("jobTitle") == "J" * MAX_FIELD_CHARS + "…"
    assert panel.value_text("officeLocation") == "a\\u0000b<b>x</b>"
    # one string for a list is one phone, shown as plain text (never a link)
    assert panel.value_text("businessPhones") == "<a href='x'>not a list</a>"
    assert panel.values["businessPhones"].textFormat() == Qt.TextFormat.PlainText
    assert panel.value_text("mobilePhone") == "Not shown: Microsoft Graph sent an object, not text"
    assert panel.value_text("preferredLanguage") == "\ufffd"
    assert panel.value_text("surname") == panel.value_text("id") == ""
    assert panel.value_text("userPrincipalName") == UPN
    # the header falls back to the ID token's name, markup and all, as text
    seeded_name = directory.Directory().user(UPN).display_name  # type: ignore[union-attr]
    assert window.header.name.text() == seeded_name

    assert window.roles_panel.roles == tuple(ROLES)
    roles = window.roles_panel
    assert roles.summary.text() == "You hold 10,000 app roles in this application."
    assert roles.proxy.rowCount() == 10_000 and roles.count.text() == "10,000 roles"
    assert [roles.proxy.index(r, 0).data() for r in (0, 9_999)] == [ROLES[0], ROLES[-1]]
    summary = window.header.role_summary
    chips = summary.visible_chips()
    assert 1 <= len(chips) <= 3 and chips == ROLES[: len(chips)]
    assert summary.more.text() == f"+{10_000 - len(chips):,} more"

    labels = [
        label
        for host in (window.header, window.tabs, window.banner)
        for label in host.findChildren(QLabel)
        # not Lanyard's own form labels, which carry a keyboard mnemonic for their field
        if not isinstance(label, Avatar) and label.buddy() is None
    ]
    assert all(label.textFormat() is Qt.TextFormat.PlainText for label in labels)
    window.tabs.setCurrentWidget(window.roles_panel)
    window.grab()  # lays out and paints the rows on screen without an exception
    roles.filter.setText("ROLE.0999")  # case-insensitive: Role.09990 … Role.09999
    assert roles.count.text() == "10 of 10,000 roles"
    figures.record(
        "hostile window", "1 sign-in with a hostile profile and an ID token of 10,000 roles"
    )
