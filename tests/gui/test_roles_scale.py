"""Many roles (issue 14 item 5) and the header in a small window (issue 16 item 6): the Roles panel
lists 10,000 roles in a virtualised list with a filter and a count, is usable from the keyboard,
copies what the token holds; the header shows a few whole chips then "+N more" and compacts in a
short window. Real widgets, offscreen."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.auth.models import Identity
from desktop_app.ui.header import COMPACT_BELOW, AccountHeader
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.panel_tabs import PanelTabs
from desktop_app.ui.role_summary import RoleSummary
from desktop_app.ui.roles_model import RAW_ROLE
from desktop_app.ui.roles_panel import RolesPanel
from tests.support.hostile import hostile_text

MANY = tuple(f"Orders.Region{n:05d}.ReadWrite" for n in range(10_000))


def identity(roles: object, **claims: object) -> Identity:
    payload: dict[str, object] = {"name": "Megan Bowen", "preferred_username": "m@contoso.test"}
    payload.update(claims, tid="tid")
    if roles is not None:
        payload["roles"] = roles
    return Identity(IdTokenClaims(payload))


def rows(panel: RolesPanel) -> list[str]:
    return [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]


def test_ten_thousand_roles_load_filter_and_count(qtbot: QtBot) -> None:
    panel = RolesPanel()
    qtbot.addWidget(panel)
    panel.resize(800, 600)
    panel.show()
    panel.show_identity(identity(list(MANY)))
    assert panel.summary.text() == "You hold 10,000 app roles in this application."
    assert panel.count.text() == "10,000 roles"
    assert panel.proxy.rowCount() == 10_000
    panel.grab()
    # the list draws the rows on screen only: far fewer than 10,000 are ever asked for
    assert panel.list.indexAt(panel.list.viewport().rect().bottomLeft()).row() < 200

    panel.filter.setText("region0012")  # case-insensitive
    assert rows(panel) == [f"Orders.Region0012{d}.ReadWrite" for d in range(10)]
    assert panel.count.text() == "10 of 10,000 roles"
    panel.filter.setText("ORDERS.REGION09999.")
    assert panel.count.text() == "1 of 10,000 roles"
    panel.filter.setText("no such role")
    assert panel.count.text() == "0 of 10,000 roles" and rows(panel) == []
    panel.filter.clear()
    assert panel.count.text() == "10,000 roles" and panel.proxy.rowCount() == 10_000


def test_keyboard_filter_to_list_navigation_and_copy(qtbot: QtBot) -> None:
    panel = RolesPanel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_identity(identity(list(MANY[:50])))
    qtbot.keyClicks(panel.filter, "region0001")  # Region00010 … Region00019
    assert panel.count.text() == "10 of 50 roles"
    qtbot.keyClick(panel.filter, Qt.Key.Key_Down)  # from the filter into the list
    assert panel.list.currentIndex().row() == 0
    assert panel.selected_roles() == ["Orders.Region00010.ReadWrite"]
    assert panel.copy_button.isEnabled()
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    assert panel.selected_roles() == ["Orders.Region00012.ReadWrite"]
    qtbot.keyClick(panel.list, Qt.Key.Key_End)
    assert panel.selected_roles() == ["Orders.Region00019.ReadWrite"]
    qtbot.keyClick(panel.list, Qt.Key.Key_Home, Qt.KeyboardModifier.ShiftModifier)
    assert len(panel.selected_roles()) == 10
    qtbot.keyClick(panel.list, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text().splitlines() == [f"Orders.Region0001{d}.ReadWrite" for d in range(10)]
    assert panel.copied.text() == "Copied 10 roles"
    qtbot.keyClick(panel.list, Qt.Key.Key_Down)
    qtbot.keyClick(panel.list, Qt.Key.Key_Home)
    panel.copy_button.click()
    assert clipboard.text() == "Orders.Region00010.ReadWrite"
    assert panel.copied.text() == "Copied 1 role"
    # Escape in the filter clears it
    qtbot.keyClick(panel.filter, Qt.Key.Key_Escape)
    assert panel.filter.text() == "" and panel.count.text() == "50 roles"


def test_hostile_roles_are_rows_of_plain_text_and_copy_as_the_token_holds_them(
    qtbot: QtBot,
) -> None:
    spoof = "Graham\u202egnp.exe"
    roles = [spoof, "<b>Admin</b>", "a\nb\tc", "\u200bReader", "x" * 5_000]
    panel = RolesPanel()
    qtbot.addWidget(panel)
    panel.show_identity(identity(roles))
    assert rows(panel)[:4] == ["Graham\\u202egnp.exe", "<b>Admin</b>", "a\\nb\\tc", "\\u200bReader"]
    assert rows(panel)[4].endswith("…") and len(rows(panel)[4]) < 400  # bounded row
    assert panel.proxy.index(4, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("xxx")
    # what is typed matches what is seen: the escape, or the override itself (made an escape)
    panel.filter.setText("\\u202e")
    assert rows(panel) == ["Graham\\u202egnp.exe"]
    panel.filter.setText("\u202e")
    assert rows(panel) == ["Graham\\u202egnp.exe"]
    panel.list.setCurrentIndex(panel.proxy.index(0, 0))
    panel.copy_selected()
    # the role as Lanyard holds it: the claims layer already made the override visible, so a
    # paste elsewhere cannot deceive either; what a row cut short is copied whole
    held = identity(roles).claims.roles
    assert held[0] == "Graham\\u202egnp.exe"
    assert QGuiApplication.clipboard().text() == held[0]
    panel.filter.clear()
    assert panel.proxy.index(4, 0).data(RAW_ROLE) == held[4] and len(held[4]) > 4_000

    header = AccountHeader()
    qtbot.addWidget(header)
    header.resize(900, 140)
    header.show_identity(identity(roles), "Sandbox")
    header.show()
    assert header.role_summary.visible_chips()[0] == "Graham\\u202egnp.exe"


@settings(max_examples=40, deadline=5_000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(hostile_text, st.text(min_size=1, max_size=60)), max_size=40),
    st.integers(min_value=0, max_value=1_200),
)
def test_header_summary_shows_whole_chips_and_counts_the_rest(
    qapp: Any, roles: list[str], width: int
) -> None:
    summary = RoleSummary()
    summary.set_roles(tuple(roles))
    summary.resize(width, summary.sizeHint().height())
    chips = [chip for chip in summary.chips if not chip.isHidden()]
    for chip in chips:  # never cut: each chip is as wide as its text wants, inside the summary
        assert chip.width() >= chip.sizeHint().width()
        assert chip.geometry().right() < max(width, 1)
    if not summary.more.isHidden():
        assert summary.more.geometry().right() < max(width, 1)
        rest = len(roles) - len(chips)
        assert summary.more.text() == (
            f"+{rest:,} more" if chips else f"{rest:,} app role" + "s" * (rest != 1)
        )
    elif len(chips) < len(roles):  # the count is hidden whole only below the minimum width
        assert width < summary.minimumSizeHint().width()
    assert summary.isHidden() == (not roles)
    summary.deleteLater()


def test_header_summary_with_many_one_and_no_roles(qtbot: QtBot) -> None:
    header = AccountHeader()
    qtbot.addWidget(header)
    header.resize(1000, 140)
    header.show()
    header.show_identity(identity(list(MANY)), "Sandbox")
    summary = header.role_summary
    chips = summary.visible_chips()
    assert 1 <= len(chips) <= 3 and chips == list(MANY[: len(chips)])
    assert summary.more.text() == f"+{10_000 - len(chips):,} more"
    assert summary.accessibleName().startswith("10,000 app roles: Orders.Region00000.ReadWrite")

    header.show_identity(identity("Admin"), "Sandbox")  # one role, as a single string
    assert summary.summary_text() == "Admin" and not summary.isHidden()
    panel = RolesPanel()
    qtbot.addWidget(panel)
    panel.show_identity(identity("Admin"))
    assert panel.summary.text() == "You hold 1 app role in this application."
    assert panel.count.text() == "1 role"

    header.show_identity(identity(None), "Sandbox")
    assert summary.isHidden() and summary.visible_chips() == []
    panel.show_identity(identity([]))
    assert panel.summary.text() == "You hold no app roles in this application."
    assert panel.list.isHidden() and panel.filter.isHidden()


def test_admin_view_is_gated_among_ten_thousand_roles(qtbot: QtBot, tmp_path: Any) -> None:
    settings_file = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    tabs = PanelTabs(lambda: None, lambda deliver: deliver([]), settings_file)
    qtbot.addWidget(tabs)
    tabs.gate_admin_view(identity([*MANY, "Admin"]))
    assert tabs.indexOf(tabs.admin_panel) >= 0
    tabs.gate_admin_view(identity(list(MANY)))
    assert tabs.indexOf(tabs.admin_panel) < 0


def test_the_header_compacts_in_a_short_window(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.header.show_identity(identity(list(MANY), jobTitle="x"), "Sandbox")
    window.header.show()
    window.stack.setCurrentWidget(window.tabs)
    shares = {}
    for size in ((880, 700), (880, 560), (880, 700)):
        window.resize(*size)
        window.show()
        qtbot.waitUntil(lambda h=size[1]: window.header.compact == (h < COMPACT_BELOW))
        qtbot.wait(10)
        window.layout().activate()
        shares[size] = window.header.height() / window.height()
        print(f"header at {size[0]}x{size[1]}: {window.header.height()} px, {shares[size]:.0%}")
    assert window.header.compact is False and not window.header.tenant.isHidden()
    window.resize(880, 560)
    qtbot.waitUntil(lambda: window.header.compact)
    assert window.header.tenant.isHidden() and window.header.avatar.width() < 64
    assert window.header.name.toolTip().endswith("Tenant tid · Sandbox")  # a hover away
    assert shares[(880, 560)] < 0.15  # a pixel share (layout), not a timing


def test_refresh_roles_names_a_few_changes_and_counts_the_rest(qtbot: QtBot) -> None:
    panel = RolesPanel()
    qtbot.addWidget(panel)
    panel.show_identity(identity(list(MANY[:5_000])))
    with qtbot.waitSignal(panel.refresh_requested):
        panel.refresh_button.click()
    panel.show_identity(identity(list(MANY[2_500:])))  # 2,500 gone, 5,000 new
    added, removed = panel.changes.text().splitlines()
    assert added.startswith("Added since the last token: Orders.Region05000.ReadWrite, ")
    assert added.endswith(" and 4,980 more")
    assert removed.endswith(" and 2,480 more")
    assert panel.count.text() == "7,500 roles"


def test_ctrl_f_finds_the_filter_from_the_list(qtbot: QtBot) -> None:
    panel = RolesPanel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.show_identity(identity(list(MANY[:20])))
    panel.list.setFocus()
    qtbot.waitUntil(panel.list.hasFocus)
    qtbot.keyClick(panel.list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(panel.filter.hasFocus)


@settings(max_examples=40, deadline=5_000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(hostile_text, st.sampled_from(["STRASSE", "Straße", "ǅ", "İ"])), max_size=12)
)
def test_the_batch_and_the_role_by_role_paths_show_and_filter_alike(
    qapp: Any, roles: list[str]
) -> None:
    # roles_model.set_roles shows an ordinary token at C speed, an unusual one role by role:
    # both must show the same rows and match the same typed text (Unicode case folding)
    from desktop_app.core.text import shown
    from desktop_app.ui.roles_model import FOLDED_ROLE, ROW_CHARS, RolesModel

    model = RolesModel()
    model.set_roles(tuple(roles))
    for row, role in enumerate(roles):
        index = model.index(row, 0)
        expected = shown(role, one_line=True, limit=ROW_CHARS)
        assert index.data() == expected
        assert index.data(FOLDED_ROLE) == expected.casefold()
    model.deleteLater()


def test_a_ten_thousand_role_window_lists_all_and_filters(qtbot: QtBot) -> None:
    # the claims applied the way the session applies them (MainWindow.show_identity), then
    # the Roles tab: every role there, the filter case-folded, the header's chips counted
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(880, 680)
    window.stack.setCurrentWidget(window.tabs)
    window.show()
    window.show_identity(identity([*MANY, "Admin"]))
    window.tabs.setCurrentWidget(window.roles_panel)
    panel = window.roles_panel
    assert panel.count.text() == "10,001 roles" and panel.proxy.rowCount() == 10_001
    assert rows(panel)[0] == MANY[0] and rows(panel)[-1] == "Admin"
    panel.filter.setText("REGION0999")
    assert rows(panel) == [f"Orders.Region0999{d}.ReadWrite" for d in range(10)]
    assert panel.count.text() == "10 of 10,001 roles"
    panel.filter.setText("straße")  # folded: "strasse", which no role holds
    assert rows(panel) == []
    panel.filter.clear()
    assert panel.proxy.rowCount() == 10_001
    window.show_identity(identity(["Straße.Reader", *MANY[:3]]))  # printable: the batch path
    panel.filter.setText("STRASSE")
    assert rows(panel) == ["Straße.Reader"]
    assert window.header.role_summary.accessibleName().startswith("4 app roles: Straße.Reader")
