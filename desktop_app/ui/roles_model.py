"""The app roles as an item model and its filter, for a virtualised list.

A token may carry thousands of roles (Entra allows a role per assignment; the issue met 5,000).
One widget per role froze the window for seconds on every tab switch; a QListView over this model
draws only the rows on screen. Each role's text is made safe to show (core/text.shown: reordering
and invisible characters as their escapes, one line) once, when the roles arrive (an ordinary
token all at once, at C speed); the filter matches against that shown text, case-folded, so what
a person types matches what they see.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
)

from desktop_app.core.text import shown, shown_unchanged

# a row shows this much of a role; the tooltip and a copy hold more (copy: all of it)
ROW_CHARS = 300
TOOLTIP_CHARS = 2_000
RAW_ROLE = Qt.ItemDataRole.UserRole  # the role exactly as the token carries it (for copying)
FOLDED_ROLE = Qt.ItemDataRole.UserRole + 1  # its shown text, case-folded (what the filter reads)

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
        if shown_unchanged(roles, ROW_CHARS):  # the usual token: all at C speed, no loop
            self._shown = list(roles)
            # (shown text holds no line break: one casefold of all, split where they joined)
            self._folded = "\n".join(roles).casefold().split("\n") if roles else []
        else:
            self._shown = [shown(role, one_line=True, limit=ROW_CHARS) for role in roles]
            self._folded = [text.casefold() for text in self._shown]
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._roles)

    def folded_texts(self) -> list[str]:
        return self._folded

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return self.row_data(index.row(), role) if index.isValid() else None

    def row_data(self, row: int, role: int) -> object:
        if not 0 <= row < len(self._roles):
            return None
        if role == FOLDED_ROLE:
            return self._folded[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._shown[row]
        if role == RAW_ROLE:
            return self._roles[row]
        if role == Qt.ItemDataRole.ToolTipRole and len(self._roles[row]) > ROW_CHARS:
            return shown(self._roles[row], one_line=True, limit=TOOLTIP_CHARS)
        return None


class RolesFilter(QIdentityProxyModel):
    """The roles whose shown text contains the typed text, ignoring case (Unicode case folding):
    the model the list shows.

    The matching is all Qt's, in C++: a QSortFilterProxyModel over a QStringListModel of the
    case-folded shown texts, a fixed string matched case-sensitively (both sides are folded).
    A Python filterAcceptsRow (or a Python source model) is called for every row on every
    keystroke and every reset: 10,000 roles cost 5 ms to arrive with nothing typed and 25-40
    ms a keystroke. This proxy on top only reads the RolesModel for the rows drawn."""

    def __init__(self, source: RolesModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roles = source
        self._needle = ""
        self._folded = QStringListModel(self)
        self._matching = QSortFilterProxyModel(self)
        self._matching.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseSensitive)
        self._matching.setSourceModel(self._folded)
        self.setSourceModel(self._matching)
        source.modelReset.connect(self._roles_changed)
        self._roles_changed()

    def _roles_changed(self) -> None:
        self._folded.setStringList(self._roles.folded_texts())

    @property
    def needle(self) -> str:
        return self._needle

    def set_text(self, text: str) -> None:
        needle = shown(text, one_line=True).casefold()  # typed escapes match shown escapes
        if needle == self._needle:
            return
        self._needle = needle
        self._matching.setFilterFixedString(needle)

    def role_row(self, index: AnyIndex) -> int:
        """The row of ``index`` (a row of this list) among all the roles."""
        return self._matching.mapToSource(self.mapToSource(index)).row()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return self._roles.row_data(self.role_row(index), role) if index.isValid() else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # a list of roles, not of editable strings (QStringListModel's own flags)
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )
