"""Text that deceives, end to end: a profile, an ID token and an identity provider's error full of
right-to-left overrides, invisible and control characters. The real window signs in and every
text it shows anywhere (labels, fields, tables, trees, lists, tabs, the JSON views) holds none of
them raw: each is shown as its escape (core/text.py), so "Graham\\u202egnp.exe" never reads
"Grahamexe.png". The terminal's side is in tests/integration/test_headless.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.state import State
from tests.support.deceptive import SAMPLES, deceptive_chars
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state

UPN = directory.HOSTILE_UPN  # its surname is "Graham\u202egnp.exe"
ROLES = [f"Role{ch}.{n}" for n, ch in enumerate(SAMPLES) if ch != "\x00"]
PROFILE = {
    "jobTitle": "Director\u2067 of\u2069 \u200bFinance",
    "officeLocation": "Building\x1b[2J 7\u2028floor",
    "mobilePhone": "+1\u202e555\u202c 0100",
    "preferredLanguage": "en\u200f-US\ufeff",
}


def _model_texts(view: QAbstractItemView, parent: QModelIndex, depth: int) -> Iterator[str]:
    model = view.model()
    if model is None or depth > 3:
        return
    for row in range(min(model.rowCount(parent), 300)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if isinstance(value, str):
                    yield value
            yield from _model_texts(view, index, depth + 1)


def texts_shown(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a person can see in ``root``'s widgets."""
    for widget in [root, *root.findChildren(QWidget)]:
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        yield where, widget.windowTitle()
        yield where, widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            yield where, widget.text()
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            yield where, widget.toPlainText()
        elif isinstance(widget, QComboBox):
            for item in range(widget.count()):
                yield where, widget.itemText(item)
        elif isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                yield where, widget.tabText(tab)
        elif isinstance(widget, QAbstractItemView):
            for text in _model_texts(widget, QModelIndex(), 0):
                yield where, text


def raw_deceptive(root: QWidget) -> list[tuple[str, str]]:
    return [(where, text[:80]) for where, text in texts_shown(root) if deceptive_chars(text)]


@pytest.fixture
def deceptive_profile(sandbox: Sandbox) -> Iterator[None]:
    sandbox.set_profile(UPN, PROFILE)
    yield
    sandbox.reset_profile(UPN)


def test_no_override_or_invisible_character_reaches_the_window_raw(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
    open_window,  # type: ignore[no-untyped-def]
    deceptive_profile: None,
) -> None:
    client_id = sandbox.add_app(
        display_name="Deceptive roles",
        redirect_uris=["http://localhost", "http://127.0.0.1"],
        app_roles=ROLES,
        role_assignments={UPN: ROLES},
    )
    standin_browser(sandbox.info.ca_file, UPN)
    window, session = open_window(replace(sandbox_config(sandbox, tmp_path), client_id=client_id))
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)
    panel = window.profile_panel
    qtbot.waitUntil(lambda: panel.value_text("jobTitle") != "", timeout=TIMEOUT_MS)

    # what was there is visible, as its escape
    assert panel.value_text("surname") == "Graham\\u202egnp.exe"
    assert panel.value_text("jobTitle") == "Director\\u2067 of\\u2069 \\u200bFinance"
    assert panel.value_text("officeLocation") == "Building\\u001b[2J 7\\u2028floor"
    assert len(window.roles_panel.roles) == len(ROLES)
    assert window.roles_panel.roles[0] == "Role\\u202e.0"
    for tab in range(window.tabs.count()):  # every panel laid out and looked at
        window.tabs.setCurrentIndex(tab)
        qtbot.wait(10)
    assert raw_deceptive(window) == []

    # an identity provider's own words, quoted in a banner, are shown the same way
    words = "Try \u202eniaga\u202c later\x1b[0m.\u200b"
    sandbox.add_fault(FaultSpec("token", status=400, message=words, count=None))
    session.refresh(force=True)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT_MS)
    shown_text = " ".join(text for _, text in texts_shown(window))
    assert "\\u202eniaga\\u202c" in shown_text  # the quoted words reached the window...
    assert raw_deceptive(window) == []  # ...as their escapes
    sandbox.clear_faults()
