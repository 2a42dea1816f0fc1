"""The Roles panel: the app roles from the ID token's ``roles`` claim, explained."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from desktop_app.auth.models import Identity
from desktop_app.ui.widgets import (
    CardPanel,
    FlowLayout,
    clear_layout,
    muted,
    plain_label,
    role_chip,
)

EXPLANATION = (
    "App roles are assigned to you by an administrator of this application in Microsoft Entra ID. "
    "They travel in your ID token, so a new assignment shows here after your next sign-in or token "
    "refresh. Lanyard only displays them: the services you call enforce them."
)


class RolesPanel(CardPanel):
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Your app roles", parent)
        card, layout = self.card, self.card_layout
        self.summary = plain_label("", card)
        layout.addWidget(self.summary)
        self._chips_host = QWidget(card)
        self._chips_row = FlowLayout(self._chips_host)
        layout.addWidget(self._chips_host)
        self.warning = plain_label("", card)
        self.warning.setProperty("warning", True)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.changes = plain_label("", card)
        self.changes.setObjectName("role_changes")
        self.changes.hide()
        layout.addWidget(self.changes)
        layout.addWidget(muted(EXPLANATION, card))
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton("R&efresh roles", card)
        self.refresh_button.setToolTip("Get a new ID token now and show what changed")
        self.refresh_button.setAccessibleName("Refresh roles: get a new ID token")
        self.refresh_button.clicked.connect(self._request_refresh)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.roles: tuple[str, ...] = ()
        self._compare_with: tuple[str, ...] | None = None  # roles before "Refresh roles"

    def _request_refresh(self) -> None:
        self._compare_with = self.roles
        self.changes.setText("Getting a new ID token…")
        self.changes.show()
        self.refresh_requested.emit()

    def refresh_failed(self) -> None:
        """The new token did not come: say so instead of leaving 'Getting…' on screen."""
        if self._compare_with is not None:
            self._compare_with = None
            self.changes.setText("Your roles could not be refreshed; see the message above.")

    def _show_changes(self, before: tuple[str, ...]) -> None:
        added = [role for role in self.roles if role not in before]
        removed = [role for role in before if role not in self.roles]
        lines = []
        if added:
            lines.append("Added since the last token: " + ", ".join(added))
        if removed:
            lines.append("Removed since the last token: " + ", ".join(removed))
        self.changes.setText(
            "\n".join(lines) if lines else "No change: the new ID token carries the same roles."
        )
        self.changes.show()

    def show_identity(self, identity: Identity | None) -> None:
        before, self._compare_with = self._compare_with, None
        self._show_roles(identity)
        if before is not None and identity is not None and identity.trusted:
            self._show_changes(before)
        elif before is None:
            self.changes.hide()

    def _show_roles(self, identity: Identity | None) -> None:
        if (
            identity is not None
            and identity.trusted
            and self._chips_row.count()
            and identity.claims.roles == self.roles
        ):
            return  # the same roles again (a refresh): keep the chips
        clear_layout(self._chips_row)
        self.roles = ()
        self.warning.hide()
        self.refresh_button.setEnabled(identity is not None)
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
