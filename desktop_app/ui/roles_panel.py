"""The Roles panel: the app roles from the ID token's ``roles`` claim, explained.

The roles are a virtualised list (ui/roles_model.py) with a filter box, so 10,000 roles cost what
ten do: the rows on screen are drawn, the rest are data. Keyboard: Ctrl+F finds the
filter, Down or Enter goes from it to the list, Escape clears it; Ctrl+C copies the selected roles.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.auth.models import Identity
from desktop_app.core.i18n import N_, _, ngettext, number
from desktop_app.ui.accessibility import name_clear_button
from desktop_app.ui.clipboard import copy_text
from desktop_app.ui.roles_model import RAW_ROLE, RolesFilter, RolesModel
from desktop_app.ui.widgets import CardPanel, muted, plain_label

EXPLANATION = N_(
    "App roles are assigned to you by an administrator of this application in Microsoft Entra ID. "
    "They travel in your ID token, so a new assignment shows here after your next sign-in or token "
    "refresh. Lanyard only displays them: the services you call enforce them."
)
CHANGES_LISTED = 20  # "Added since the last token: …" names this many, then counts the rest
COPIED_FOR_MS = 4_000


def roles_count(count: int) -> str:
    return ngettext("{count} role", "{count} roles", count).format(count=number(count))


def _listed(roles: list[str]) -> str:
    names = ", ".join(roles[:CHANGES_LISTED])
    return names + (
        _(" and {count} more").format(count=number(len(roles) - CHANGES_LISTED))
        if len(roles) > CHANGES_LISTED
        else ""
    )


class RolesList(QListView):
    """The roles, one a row; Ctrl+C copies the selected ones as the token holds them."""

    copy_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()  # not Qt's copy, which would take the shown text
            return
        super().keyPressEvent(event)


class FilterBox(QLineEdit):
    """The filter: Down, Page Down or Enter go on to the list; Escape clears what was typed."""

    go_to_list = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.go_to_list.emit()
            return
        if key == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class RolesPanel(CardPanel):
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Your app roles"), parent)
        card, layout = self.card, self.card_layout
        self._let_the_card_grow()
        self.summary = plain_label("", card)
        layout.addWidget(self.summary)

        filter_row = QHBoxLayout()
        self.filter = FilterBox(card)
        self.filter.setPlaceholderText(_("Filter roles (Ctrl+F)"))
        self.filter.setAccessibleName(_("Filter roles: type part of a role's name"))
        self.filter.setClearButtonEnabled(True)
        name_clear_button(self.filter, _("Clear the filter"))
        self.filter.go_to_list.connect(self._enter_list)
        filter_row.addWidget(self.filter, 1)
        self.count = plain_label("", card)
        self.count.setObjectName("role_count")
        self.count.setWordWrap(False)
        self.count.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        filter_row.addWidget(self.count)
        layout.addLayout(filter_row)

        self.model = RolesModel(self)
        self.proxy = RolesFilter(self.model, self)
        self.list = RolesList(card)
        self.list.setObjectName("roles_list")
        self.list.setAccessibleName(_("Your app roles"))
        self.list.setModel(self.proxy)
        self.list.setSpacing(1)
        self.list.setUniformItemSizes(True)  # one row measured, not 10,000
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setMinimumHeight(140)
        self.list.copy_requested.connect(self.copy_selected)
        copy_action = QAction(_("Copy"), self.list)
        copy_action.triggered.connect(self.copy_selected)
        self.list.addAction(copy_action)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        layout.addWidget(self.list, 1)

        copy_row = QHBoxLayout()
        self.copy_button = QPushButton(_("Copy selected"), card)
        self.copy_button.setAccessibleName(_("Copy the selected roles"))
        self.copy_button.clicked.connect(self.copy_selected)
        copy_row.addWidget(self.copy_button)
        self.copied = muted("", card)
        copy_row.addWidget(self.copied, 1)
        layout.addLayout(copy_row)
        self._copied_timer = QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(COPIED_FOR_MS)
        self._copied_timer.timeout.connect(lambda: self.copied.setText(""))
        self._list_parts: tuple[QWidget, ...] = (self.filter, self.count, self.list)
        self._list_parts += (self.copy_button, self.copied)

        self.warning = plain_label("", card)
        self.warning.setProperty("warning", True)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.changes = plain_label("", card)
        self.changes.setObjectName("role_changes")
        self.changes.hide()
        layout.addWidget(self.changes)
        layout.addWidget(muted(_(EXPLANATION), card))
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(_("R&efresh roles"), card)
        self.refresh_button.setToolTip(_("Get a new ID token now and show what changed"))
        self.refresh_button.setAccessibleName(_("Refresh roles: get a new ID token"))
        self.refresh_button.clicked.connect(self._request_refresh)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.filter.textChanged.connect(self._filter_changed)
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_filter)
        self.roles: tuple[str, ...] = ()
        self._compare_with: tuple[str, ...] | None = None  # roles before "Refresh roles"
        self._show_list(False)

    def _let_the_card_grow(self) -> None:
        """The list takes the page's height (CardPanel puts a stretch under its card)."""
        body = self.widget()
        outer = body.layout() if body is not None else None
        if isinstance(outer, QVBoxLayout) and outer.count() == 2:
            outer.takeAt(1)
            outer.setStretch(0, 1)

    # -- the list -----------------------------------------------------------------------------

    def _show_list(self, visible: bool) -> None:
        for part in self._list_parts:
            part.setVisible(visible)
        self._selection_changed()

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()
        if self.list.currentIndex().isValid() is False and self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def _update_count(self) -> None:
        total = len(self.roles)
        if self.proxy.needle:
            self.count.setText(
                _("{shown} of {roles}").format(
                    shown=number(self.proxy.rowCount()), roles=roles_count(total)
                )
            )
        else:
            self.count.setText(roles_count(total))

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _enter_list(self) -> None:
        if not self.proxy.rowCount():
            return
        if not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.proxy.index(0, 0))
        self.list.selectionModel().select(
            self.list.currentIndex(), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.list.setFocus(Qt.FocusReason.TabFocusReason)

    def selected_roles(self) -> list[str]:
        """The selected roles as the token holds them, in the list's order."""
        rows = sorted(self.list.selectionModel().selectedRows(), key=lambda index: index.row())
        return [str(index.data(RAW_ROLE)) for index in rows]

    def _selection_changed(self) -> None:
        self.copy_button.setEnabled(bool(self.list.selectionModel().hasSelection()))

    def copy_selected(self) -> None:
        roles = self.selected_roles()
        if not roles:
            return
        copy_text("\n".join(roles))
        self.copied.setText(_("Copied {roles}").format(roles=roles_count(len(roles))))
        self._copied_timer.start()

    # -- refresh ------------------------------------------------------------------------------

    def _request_refresh(self) -> None:
        self._compare_with = self.roles
        self.changes.setText(_("Getting a new ID token…"))
        self.changes.show()
        self.refresh_requested.emit()

    def refresh_failed(self) -> None:
        """The new token did not come: say so instead of leaving 'Getting…' on screen."""
        if self._compare_with is not None:
            self._compare_with = None
            self.changes.setText(_("Your roles could not be refreshed; see the message above."))

    def _show_changes(self, before: tuple[str, ...]) -> None:
        had, has = set(before), set(self.roles)  # sets: 10,000 roles compared in a moment
        added = [role for role in self.roles if role not in had]
        removed = [role for role in before if role not in has]
        lines = []
        if added:
            lines.append("Added since the last token: " + _listed(added))
        if removed:
            lines.append("Removed since the last token: " + _listed(removed))
        self.changes.setText(
            "\n".join(lines) if lines else _("No change: the new ID token carries the same roles.")
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
        trusted = identity is not None and identity.trusted
        if trusted and self.roles and identity is not None and identity.claims.roles == self.roles:
            return  # the same roles again (a refresh): keep the list, its filter and selection
        self.warning.hide()
        self.refresh_button.setEnabled(identity is not None)
        self.roles = identity.claims.roles if trusted and identity is not None else ()
        self.model.set_roles(self.roles)
        self._update_count()
        self._show_list(bool(self.roles))
        if identity is None:
            self.summary.setText(_("Sign in to see your roles."))
        elif not identity.trusted:
            self.summary.setText(
                _("Your roles are not shown because the ID token failed Lanyard's checks.")
            )
            self.warning.setText("; ".join(identity.problems).capitalize() + ".")
            self.warning.show()
        elif not self.roles:
            self.summary.setText(_("You hold no app roles in this application."))
        else:
            count = len(self.roles)
            self.summary.setText(
                ngettext(
                    "You hold {count} app role in this application.",
                    "You hold {count} app roles in this application.",
                    count,
                ).format(count=number(count))
            )
