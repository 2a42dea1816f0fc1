"""The account header's spare width goes to the name and the tenant, not to the account picker:
for a user with no app roles (no expanding role summary) the text column was capped at its size
hint and the picker was drawn ~600 px wide while the name wrapped beside an empty gap."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.ui.header import AccountHeader


@pytest.mark.parametrize("roles", [False, True], ids=["no roles", "roles"])
def test_the_name_gets_the_width_and_the_picker_keeps_its_own(qtbot: QtBot, roles: bool) -> None:
    header = AccountHeader()
    qtbot.addWidget(header)
    header.name.setText("Lynne Robbins")
    header.username.setText("lynne.robbins@contoso.test")
    header.tenant.setText("Contoso (sandbox) · Sandbox (offline demo)")
    header.role_summary.setVisible(roles)
    header.resize(900, 140)
    header.show()
    qtbot.waitExposed(header)
    picker = header.account_picker
    assert picker.width() <= max(picker.sizeHint().width(), 360)
    for label in (header.name, header.tenant):  # each on one line: no wrap at 900 px
        assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    # the gap between the text and the controls is the layout's, not the picker's
    assert header.name.geometry().left() - header.avatar.geometry().right() < 40
