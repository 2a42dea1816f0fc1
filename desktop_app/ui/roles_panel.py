"""The Roles panel: the app roles from the ID token's ``roles`` claim, explained."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from desktop_app.auth.client import Identity
from desktop_app.ui.widgets import CardPanel, clear_layout, muted, plain_label, role_chip

EXPLANATION = (
    "App roles are assigned to you by an administrator of this application in Microsoft Entra ID. "
    "They travel in your ID token, so a new assignment shows here after your next sign-in or token "
    "refresh. Lanyard only displays them: the services you call enforce them."
)


class RolesPanel(CardPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Your app roles", parent)
        card, layout = self.card, self.card_layout
        self.summary = plain_label("", card)
        layout.addWidget(self.summary)
        self._chips_row = QHBoxLayout()
        self._chips_row.setSpacing(8)
        self._chips_host = QWidget(card)
        self._chips_host.setLayout(self._chips_row)
        layout.addWidget(self._chips_host)
        self.warning = plain_label("", card)
        self.warning.setStyleSheet("color: #9a3412;")
        self.warning.hide()
        layout.addWidget(self.warning)
        layout.addWidget(muted(EXPLANATION, card))
        self.roles: tuple[str, ...] = ()

    def show_identity(self, identity: Identity | None) -> None:
        clear_layout(self._chips_row)
        self.roles = ()
        self.warning.hide()
        if identity is None:
            self.summary.setText("Sign in to see your roles.")
            return
        if not identity.trusted:
            self.summary.setText(
                "Your roles are not shown because the ID token failed Lanyard's checks."
            )
            self.warning.setText("; ".join(identity.problems).capitalize() + ".")
            self.warning.show()
            return
        self.roles = identity.claims.roles
        if not self.roles:
            self.summary.setText("You hold no app roles in this application.")
            return
        count = len(self.roles)
        self.summary.setText(
            f"You hold {count} app role{'s' if count != 1 else ''} in this application:"
        )
        for role in self.roles[:200]:
            self._chips_row.addWidget(role_chip(role, self._chips_host))
        if count > 200:
            self._chips_row.addWidget(muted(f"and {count - 200} more", self._chips_host))
        self._chips_row.addStretch(1)
