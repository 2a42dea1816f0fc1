"""The panels as tabs, without a session: the Admin tab comes and goes with the Admin role, the
View menu hears of it, and a panel remembered from the last run is shown once it exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.auth.models import CacheEntry, Identity
from desktop_app.ui.panel_tabs import PanelTabs

ADMIN = Identity(IdTokenClaims({"name": "Megan Bowen", "roles": ["Admin", "Reader"]}))
READER = Identity(IdTokenClaims({"name": "Alex Wilber", "roles": ["Reader"]}))
UNTRUSTED_ADMIN = Identity(ADMIN.claims, ("the token has expired (exp)",))


def names(tabs: PanelTabs) -> list[str]:
    found = []
    for index in range(tabs.count()):
        widget = tabs.widget(index)
        assert widget is not None
        found.append(widget.objectName().removeprefix("panel_"))
    return found


def make_tabs(qtbot: QtBot, tmp_path: Path) -> tuple[PanelTabs, list[int]]:
    loads: list[int] = []

    def load_inventory(deliver: Callable[[list[CacheEntry]], None]) -> None:
        loads.append(1)
        deliver([])

    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    tabs = PanelTabs(lambda: None, load_inventory, settings)
    qtbot.addWidget(tabs)
    return tabs, loads


def test_the_admin_tab_exists_only_while_a_trusted_token_carries_the_role(
    qtbot: QtBot, tmp_path: Path
) -> None:
    tabs, loads = make_tabs(qtbot, tmp_path)
    assert names(tabs) == ["profile", "roles", "token", "inspector", "api"]
    assert tabs.current_panel() == "profile"
    changes: list[bool] = []
    tabs.panels_changed.connect(lambda: changes.append(True))

    tabs.gate_admin_view(READER)
    tabs.gate_admin_view(UNTRUSTED_ADMIN)
    assert names(tabs) == ["profile", "roles", "token", "inspector", "api"]
    assert changes == []

    tabs.gate_admin_view(ADMIN)
    assert names(tabs) == ["profile", "roles", "token", "inspector", "api", "admin"]
    assert changes == [True]
    assert loads == [1]  # the inventory is read when the tab appears
    tabs.gate_admin_view(ADMIN)  # a refresh: the tab stays, the inventory is not read off screen
    assert changes == [True] and loads == [1]
    assert tabs.select_panel("admin")
    assert tabs.current_panel() == "admin"
    assert len(loads) == 2  # looked at: read again

    tabs.gate_admin_view(READER)
    assert names(tabs) == ["profile", "roles", "token", "inspector", "api"]
    assert changes == [True, True]
    assert tabs.current_panel() != "admin"
    assert tabs.admin_panel.raw.toPlainText() == ""


def test_a_remembered_panel_is_shown_now_or_once_it_appears(qtbot: QtBot, tmp_path: Path) -> None:
    tabs, _ = make_tabs(qtbot, tmp_path)
    tabs.restore_panel("token")
    assert tabs.current_panel() == "token"

    tabs.restore_panel("admin")  # the Admin tab comes with the token
    assert tabs.current_panel() == "token"
    tabs.gate_admin_view(ADMIN)
    assert tabs.current_panel() == "admin"
    assert not tabs.select_panel("nothing-of-that-name")
    assert tabs.current_panel() == "admin"
