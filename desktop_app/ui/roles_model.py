"""The app roles as an item model and its filter, for a virtualised list.

A token may carry thousands of roles (Entra allows a role per assignment; the issue met 5,000).
One widget per role froze the window for seconds on every tab switch; a QListView over this model
draws only the rows on screen. Each role's text is made safe to show (core/text.shown: reordering
and invisible characters as their escapes, one line) once, when the roles arrive; the filter
matches against that shown text, case-folded, so what a person types matches what they see.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from desktop_app.core.text import shown

# a row shows this much of a role; the tooltip and a copy hold more (copy: all of it)
ROW_CHARS = 300
TOOLTIP_CHARS = 2_000
RAW_ROLE = Qt.ItemDataRole.UserRole  # the role exactly as the token carries it (for copying)

AnyIndex = QModelIndex | QPersistentModelIndex


class RolesModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roles: tuple[str, ...] = ()
        self._shown: list[str] = []
        self._folded: list[str] = []

    def set_roles(self, roles: tuple[str, ...]) -> None:
        self.beginResetModel()
        self._roles = roles
        self._shown = [shown(role, one_line=True, limit=ROW_CHARS) for role in roles]
        self._folded = [text.casefold() for text in self._shown]
        self.endResetModel()

    def folded(self, row: int) -> str:
        return self._folded[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._roles)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._roles):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._shown[row]
        if role == RAW_ROLE:
            return self._roles[row]
        if role == Qt.ItemDataRole.ToolTipRole and len(self._roles[row]) > ROW_CHARS:
            return shown(self._roles[row], one_line=True, limit=TOOLTIP_CHARS)
        return None


class RolesFilter(QSortFilterProxyModel):
    """Rows whose shown text contains the typed text, ignoring case (Unicode case folding)."""

    def __init__(self, source: RolesModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._needle = ""
        self.setSourceModel(source)

    @property
    def needle(self) -> str:
        return self._needle

    def set_text(self, text: str) -> None:
        needle = shown(text, one_line=True).casefold()  # typed escapes match shown escapes
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        return not self._needle or self._needle in self._source.folded(source_row)
