"""The Token & claims panel: the access token's life, and every ID-token claim explained.

The access token itself stays hidden; it is shown or copied only when the person asks, and hidden
again after a minute. A copied token is marked for clipboard managers not to keep and cleared from
the clipboard again (ui/clipboard.py); the note under it says when. Claims are untrusted: table
items and labels are plain text, and tooltips (which Qt would read as rich text) only ever carry
Lanyard's own descriptions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from desktop_app.auth.claim_catalog import claim_rows, groups_overage_note, relative
from desktop_app.auth.models import Identity
from desktop_app.core.i18n import N_, _, digits
from desktop_app.session.state import TokenInfo
from desktop_app.ui.clipboard import clipboard_guard, copy_text
from desktop_app.ui.on_screen_timer import OnScreenTimer
from desktop_app.ui.translation import local_time
from desktop_app.ui.widgets import CardPanel, FullHeightTable, heading, muted, plain_label

SOURCES = {
    "cache": N_("Lanyard's token cache (no request was needed)"),
    "identity_provider": N_("Microsoft Entra ID (a new token)"),
    "broker": N_("The operating system's sign-in broker"),
}
REVEAL_MS = 60_000  # a revealed token hides itself again after a minute
HIDDEN = "•" * 24
HIDDEN_NAME = N_("Access token (hidden until you reveal it)")
SHOWN_NAME = N_("Access token (shown; it hides itself again after a minute)")


class SecretField(QLineEdit):
    """The access token's field: read and reached with the keyboard (a screen reader reads it
    once revealed), never selected. A selection would go to X11's primary selection, and to the
    clipboard managers that keep it, around the Copy button's hints and clearing; so no mouse
    selection, no context menu, no selecting keys, and Ctrl+C asks for the guarded copy."""

    copy_requested = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setReadOnly(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy) or event.matches(
            QKeySequence.StandardKey.Cut
        ):
            self.copy_requested.emit()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.SelectAll) or (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            and event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        ):
            event.accept()  # nothing is selected, so nothing reaches the primary selection
            return
        super().keyPressEvent(event)


class TokenPanel(CardPanel):
    def __init__(
        self, access_token: Callable[[], str | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(_("Access token"), parent)
        self._access_token = access_token
        self._info: TokenInfo | None = None
        card, layout = self.card, self.card_layout
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(8)
        self.expires = plain_label("", card, selectable=True)
        self.expires.setObjectName("token_expires")
        self.refresh_on = plain_label("", card, selectable=True)
        self.source = plain_label("", card, selectable=True)
        self.scopes = plain_label("", card, selectable=True)
        self.scopes.setObjectName("token_scopes")
        form.addRow(muted(_("Expires"), card), self.expires)
        form.addRow(muted(_("Renewed from"), card), self.refresh_on)
        form.addRow(muted(_("Came from"), card), self.source)
        form.addRow(muted(_("Granted scopes"), card), self.scopes)
        layout.addLayout(form)
        # a token issued already expired or short-lived: said, not silently refreshed
        self.lifetime_note = plain_label("", card)
        self.lifetime_note.setObjectName("token_lifetime")
        self.lifetime_note.setProperty("warning", True)
        self.lifetime_note.hide()
        layout.addWidget(self.lifetime_note)

        row = QHBoxLayout()
        self.token_field = SecretField(HIDDEN, card)
        self.token_field.copy_requested.connect(self._copy_token)
        self.token_field.setAccessibleName(_(HIDDEN_NAME))
        self.reveal_button = QPushButton(_("R&eveal"), card)
        self.reveal_button.setCheckable(True)
        self.reveal_button.setAccessibleName(_("Reveal the access token"))
        self.reveal_button.toggled.connect(self._reveal)
        self.copy_button = QPushButton(_("Cop&y token"), card)
        self.copy_button.setAccessibleName(_("Copy the access token to the clipboard"))
        self.copy_button.clicked.connect(self._copy_token)
        row.addWidget(self.token_field, 1)
        row.addWidget(self.reveal_button)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.copy_note = muted("", card)  # "Copied; cleared in 45 s"
        self.copy_note.setObjectName("token_copy_note")
        self.copy_note.hide()
        layout.addWidget(self.copy_note)
        self._copied_here = False
        guard = clipboard_guard()
        guard.countdown.connect(self._show_copied)
        guard.cleared.connect(self._clipboard_cleared)
        guard.released.connect(self._clipboard_released)
        self.token_note = muted(
            _(
                "Anyone holding this token can act as you until it expires. Lanyard never saves or "
                "logs it outside its token cache."
            ),
            card,
        )
        layout.addWidget(self.token_note)

        layout.addSpacing(12)
        layout.addWidget(heading(_("ID token claims"), card, 13))
        self.overage = plain_label("", card)
        self.overage.setObjectName("groups_overage")
        self.overage.setProperty("warning", True)
        self.overage.hide()
        layout.addWidget(self.overage)
        self.untrusted = plain_label("", card)
        self.untrusted.setProperty("warning", True)
        self.untrusted.hide()
        layout.addWidget(self.untrusted)
        self.table = FullHeightTable(0, 3, card)
        self.table.setHorizontalHeaderLabels([_("Claim"), _("Value"), _("What it means")])
        self.table.setAccessibleName(_("ID token claims"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        copy_row = QHBoxLayout()
        self.copy_claim_button = QPushButton(_("Copy va&lue"), card)
        self.copy_claim_button.setAccessibleName(_("Copy the selected claim's value"))
        self.copy_claim_button.clicked.connect(self._copy_claim)
        copy_row.addWidget(self.copy_claim_button)
        copy_row.addStretch(1)
        layout.addLayout(copy_row)
        self._full_values: list[str] = []

        self._tick = OnScreenTimer(self, 1000, self._show_expiry)  # the countdown, when seen
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(lambda: self.reveal_button.setChecked(False))
        self.show_token(None)
        self.show_identity(None)

    # -- the access token ---------------------------------------------------------------------

    def show_token(self, info: TokenInfo | None) -> None:
        self._info = info
        self.reveal_button.setChecked(False)
        has_token = info is not None
        self.reveal_button.setEnabled(has_token)
        self.copy_button.setEnabled(has_token)
        if info is None:
            self._tick.stop()
            for label in (self.expires, self.refresh_on, self.source, self.scopes):
                label.setText("")
            self.expires.setText(_("No token"))
            self.lifetime_note.hide()
            return
        note = info.lifetime_note
        self.lifetime_note.setText(f"{note[0].upper()}{note[1:]}. {_(_RENEWAL)}" if note else "")
        self.lifetime_note.setVisible(bool(note))
        self.refresh_on.setText(
            _("{clock} ({relative}): Entra ID suggests renewing from then on").format(
                clock=_clock(info.refresh_on), relative=relative(info.refresh_on - time.time())
            )
            if info.refresh_on and not note
            else _(
                "Early, but not in a loop: the wait starts at a few seconds and grows each time "
                "(to a minute or more) while tokens stay this short"
            )
            if note
            else _("Not set: Lanyard renews 5 minutes before expiry")
        )
        self.source.setText(_(SOURCES[info.source]) if info.source in SOURCES else info.source)
        self.scopes.setText(" ".join(info.scopes) if info.scopes else _("Not reported"))
        self._show_expiry()
        self._tick.start()

    def _show_expiry(self) -> None:
        info = self._info
        if info is None:
            return
        left = info.expires_on - time.time()
        if left <= 0:
            self.expires.setText(_("Expired at {clock}").format(clock=_clock(info.expires_on)))
            return
        minutes, seconds = divmod(int(left), 60)
        hours, minutes = divmod(minutes, 60)
        countdown = (
            _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)
            if hours
            else _("{minutes} min {seconds:02d} s").format(minutes=minutes, seconds=seconds)
        )
        countdown = digits(countdown)
        self.expires.setText(
            _("In {countdown} (at {clock})").format(
                countdown=countdown, clock=_clock(info.expires_on)
            )
        )

    def _reveal(self, shown: bool) -> None:
        token = self._access_token() if shown else None
        if shown and token:
            self.token_field.setText(token)
            self.token_field.setAccessibleName(_(SHOWN_NAME))
            self.reveal_button.setText(_("H&ide"))
            self._hide_timer.start(REVEAL_MS)
        else:
            self.token_field.setText(HIDDEN)
            self.token_field.setAccessibleName(_(HIDDEN_NAME))
            self.reveal_button.setText(_("R&eveal"))
            self._hide_timer.stop()
            if shown:
                self.reveal_button.setChecked(False)

    def _copy_token(self) -> None:
        token = self._access_token()
        if token:
            copy_text(token, secret=True)
            self._copied_here = True
            self._show_copied(clipboard_guard().seconds_left())

    def _show_copied(self, seconds: int) -> None:
        if self._copied_here:
            self.copy_note.setText(_("Copied; cleared in {seconds} s").format(seconds=seconds))
            self.copy_note.show()

    def _clipboard_cleared(self, _reason: str) -> None:
        if self._copied_here:
            self._copied_here = False
            self.copy_note.setText(_("Clipboard cleared"))
            self.copy_note.show()

    def _clipboard_released(self) -> None:
        """Something else is on the clipboard now (the person's): nothing to say about it."""
        self._copied_here = False
        self.copy_note.hide()

    # -- ID token claims ---------------------------------------------------------------------

    def show_identity(self, identity: Identity | None) -> None:
        claims = identity.claims.raw if identity is not None else {}
        rows = claim_rows(claims)
        self.table.setRowCount(len(rows))
        self._full_values = [row.full_value for row in rows]
        for index, row in enumerate(rows):
            for column, text in enumerate((row.name, row.value, row.description)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(index, column, item)
        self.table.fit()
        note = groups_overage_note(claims)
        self.overage.setText(note)
        self.overage.setVisible(bool(note))
        problems = identity.problems if identity is not None else ()
        self.untrusted.setText(
            _("These claims failed Lanyard's checks, so no roles are shown from them: ")
            + "; ".join(problems)
            if problems
            else ""
        )
        self.untrusted.setVisible(bool(problems))
        self.copy_claim_button.setEnabled(bool(rows))

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def claim_names(self) -> list[str]:
        return [self._cell(r, 0) for r in range(self.table.rowCount())]

    def claim_value(self, name: str) -> str:
        for row in range(self.table.rowCount()):
            if self._cell(row, 0) == name:
                return self._cell(row, 1)
        raise KeyError(name)

    def _copy_claim(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._full_values):
            copy_text(self._full_values[row])


_RENEWAL = N_("Lanyard cannot rely on it for long and keeps asking for a new one.")


def _clock(epoch: float) -> str:
    return local_time(epoch)
