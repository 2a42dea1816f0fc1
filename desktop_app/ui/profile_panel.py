"""The Profile panel: every default Graph /me property, as plain text."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from desktop_app.graph.profile import PROFILE_FIELDS, Profile
from desktop_app.ui.widgets import CardPanel, muted, plain_label


class ProfilePanel(CardPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Microsoft Graph profile", parent)
        card, card_layout = self.card, self.card_layout
        self.as_of = muted("Not loaded yet", card)
        card_layout.addWidget(self.as_of)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        self.values: dict[str, QLabel] = {}
        for name, title in PROFILE_FIELDS:
            value = plain_label("", card, selectable=True)
            value.setObjectName(f"profile_{name}")
            self.values[name] = value
            form.addRow(muted(title, card), value)
        card_layout.addLayout(form)

    def value_text(self, name: str) -> str:
        return self.values[name].text()

    def show_profile(self, profile: Profile | None) -> None:
        for name, _ in PROFILE_FIELDS:
            self.values[name].setText(profile.display_value(name) if profile else "")
        self.as_of.setText(f"As of {time.strftime('%H:%M:%S')}" if profile else "Not loaded yet")
