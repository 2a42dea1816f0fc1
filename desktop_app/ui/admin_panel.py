"""The Admin view: shown only to people holding the app's Admin role, as in the web-app tutorial.

It adds what only administrators of the app should see: the raw ID-token claims as JSON, the token
cache's inventory (kinds, owners, scopes, expiries; never a secret), the app registration in use and
how the cache is protected, and whether sign-in goes through the OS sign-in broker. The gate is a convenience of the UI, not a security boundary: the
services Lanyard calls enforce roles themselves.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop_app.auth.broker import SignInPath
from desktop_app.auth.models import CacheEntry, Identity
from desktop_app.core.i18n import _, number
from desktop_app.core.text import shown
from desktop_app.ui.translation import local_time
from desktop_app.ui.widgets import CardPanel, heading, muted, plain_label

ADMIN_ROLE = "Admin"
MAX_JSON_CHARS = 100_000  # laying out more stalls the window; a 10,000-role token is clipped


def holds_admin_role(identity: Identity | None) -> bool:
    """Only a token that passed Lanyard's checks can open the Admin view."""
    return identity is not None and identity.trusted and ADMIN_ROLE in identity.claims.roles


class AdminPanel(CardPanel):
    def __init__(
        self,
        load_inventory: Callable[[Callable[[list[CacheEntry]], None]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Administration"), parent)
        self._load_inventory = load_inventory
        card, layout = self.card, self.card_layout
        layout.addWidget(
            muted(
                _(
                    "You see this view because you hold this application's Admin role. The services "
                    "you call check roles themselves; this view only shows what Lanyard holds."
                ),
                card,
            )
        )
        layout.addWidget(heading(_("App registration in use"), card, 12))
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        self.client_id = plain_label("", card, selectable=True)
        self.authority = plain_label("", card, selectable=True)
        self.scopes = plain_label("", card, selectable=True)
        self.protection = plain_label("", card, selectable=True)
        self.sign_in_path = plain_label(_("system browser"), card, selectable=True)
        self._path = SignInPath()
        form.addRow(muted(_("Client ID"), card), self.client_id)
        form.addRow(muted(_("Authority"), card), self.authority)
        form.addRow(muted(_("Scopes requested"), card), self.scopes)
        form.addRow(muted(_("Token cache"), card), self.protection)
        form.addRow(muted(_("Signs in through"), card), self.sign_in_path)
        layout.addLayout(form)

        layout.addSpacing(8)
        layout.addWidget(heading(_("Token cache inventory"), card, 12))
        self.inventory = QTableWidget(0, 4, card)
        self.inventory.setHorizontalHeaderLabels(
            [_("Item"), _("Account"), _("Scopes"), _("Expires")]
        )
        self.inventory.setAccessibleName(_("Token cache inventory (no secrets)"))
        self.inventory.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.inventory.verticalHeader().hide()
        header = self.inventory.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.inventory.setMinimumHeight(150)
        layout.addWidget(self.inventory)
        row = QHBoxLayout()
        self.reload_button = QPushButton(_("Re&load inventory"), card)
        self.reload_button.clicked.connect(self.reload)
        row.addWidget(self.reload_button)
        row.addStretch(1)
        layout.addLayout(row)

        layout.addSpacing(8)
        layout.addWidget(heading(_("Raw ID token claims (JSON)"), card, 12))
        self.raw = QPlainTextEdit(card)  # plain text by construction: claims are untrusted
        self.raw.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # code: never mirrored
        self.raw.setReadOnly(True)
        self.raw.setAccessibleName(_("Raw ID token claims as JSON"))
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setMinimumHeight(260)
        layout.addWidget(self.raw)
        self._pending: Identity | None = None  # claims to show in raw once the view is shown

    def show_settings(self, client_id: str, authority: str, scopes: tuple[str, ...]) -> None:
        self.client_id.setText(client_id)
        self.authority.setText(authority)
        self.scopes.setText(" ".join(scopes))
        self.show_sign_in_path(self._path)  # its redirect URI names the client id

    def show_protection(self, protection: str, encrypted: bool) -> None:
        protection = _(protection)  # a store's own words, marked N_ (cache_store.py)
        self.protection.setText(
            protection
            if encrypted
            else _("{protection} (not encrypted)").format(protection=protection)
        )

    def show_sign_in_path(self, path: SignInPath) -> None:
        self._path = path
        text = path.label
        if path.broker is not None:
            text += _(" (redirect URI {redirect_uri})").format(
                redirect_uri=path.broker.redirect_uri(self.client_id.text())
            )
        elif path.unavailable:
            text += _(" (the sign-in broker is not available: {unavailable})").format(
                unavailable=path.unavailable
            )
        self.sign_in_path.setText(text)

    def show_identity(self, identity: Identity | None) -> None:
        """The claims as JSON: at once when the view is on screen, else when it is next shown
        (each refresh brings a token; 10,000 roles took 6 ms of JSON for a view nobody saw)."""
        self._pending = identity
        if identity is None:
            self.raw.setPlainText("")
        elif self.isVisible():
            self._show_claims()

    def showEvent(self, event: QShowEvent) -> None:
        self._show_claims()
        super().showEvent(event)

    def _show_claims(self) -> None:
        identity, self._pending = self._pending, None
        if identity is None:
            return
        text = json.dumps(dict(identity.claims.raw), indent=2, ensure_ascii=False, default=str)
        if len(text) > MAX_JSON_CHARS:
            text = text[:MAX_JSON_CHARS] + _("\n… clipped: {count} characters in all").format(
                count=number(len(text))
            )
        # (json.dumps escaped the controls; format characters it leaves as they are)
        self.raw.setPlainText(shown(text, for_json=True, limit=20 * MAX_JSON_CHARS))

    def clear_inventory(self) -> None:
        self.inventory.setRowCount(0)

    def reload(self) -> None:
        self.reload_button.setEnabled(False)
        self._load_inventory(self._show_inventory)

    def _show_inventory(self, entries: list[CacheEntry]) -> None:
        self.reload_button.setEnabled(True)
        self.inventory.setRowCount(len(entries))
        for index, entry in enumerate(entries):
            expires = local_time(entry.expires_on, "yyyy-MM-dd HH:mm") if entry.expires_on else ""
            for column, text in enumerate((entry.kind, entry.username, entry.scopes, expires)):
                self.inventory.setItem(
                    index, column, QTableWidgetItem(shown(text, one_line=True, limit=1_000))
                )
