"""A JSON document as a collapsible tree (Key, Value, Type), with the raw text one toggle away.

Built lazily: a node's children are created when it is first expanded, a page at a time, with a
"Show more" row for the rest, so a 10,000-item array costs one page. Every text is an item's plain
text (item views never read rich text) and no value goes into a tooltip (tooltips do).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.i18n import _, number
from desktop_app.core.text import shown
from desktop_app.graph.json_tree import (
    PAGE_SIZE,
    JsonNode,
    JsonValue,
    children,
    pretty_json,
    root_node,
)
from desktop_app.ui.clipboard import CLEAR_AFTER_S, copy_text
from desktop_app.ui.widgets import muted

EXPAND_ALL_LIMIT = 2_000  # "Expand all" stops after creating this many rows
OPEN_AT_FIRST = 400  # rows an answer may open itself to (expand_to_depth)
KEY, VALUE, TYPE = range(3)


class NodeItem(QTreeWidgetItem):
    """One JSON value; its children are created on first expansion."""

    def __init__(self, node: JsonNode) -> None:
        super().__init__([node.key_text, node.preview, node.kind])
        self.node = node
        self.loaded = 0  # children created so far
        if node.has_children:
            self.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        else:
            self.setChildIndicatorPolicy(
                QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless
            )


class MoreItem(QTreeWidgetItem):
    """The row after a page of children: activate it (Enter, double-click) for the next page."""

    def __init__(self, remaining: int) -> None:
        super().__init__([""])
        self.set_remaining(remaining)
        font = self.font(KEY)
        font.setItalic(True)
        self.setFont(KEY, font)

    def set_remaining(self, remaining: int) -> None:
        page = min(PAGE_SIZE, remaining)
        self.setText(
            KEY,
            _("Show {page} more ({remaining} not shown yet)…").format(
                page=number(page), remaining=number(remaining)
            ),
        )


class JsonView(QWidget):
    copied = Signal(str)  # what was put on the clipboard, for the status line ("Copied value")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._root: JsonNode | None = None
        self._raw = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        tools = QHBoxLayout()
        self.expand_button = QPushButton(_("&Expand all"), self)
        self.collapse_button = QPushButton(_("C&ollapse all"), self)
        self.copy_value_button = QPushButton(_("Cop&y value"), self)
        self.copy_json_button = QPushButton(_("Copy &JSON"), self)
        self.raw_toggle = QCheckBox(_("Ra&w text"), self)
        for widget, name, description in (
            (self.expand_button, _("Expand all"), _("Open every level of the result")),
            (self.collapse_button, _("Collapse all"), _("Close every level of the result")),
            (self.copy_value_button, _("Copy value"), _("Copy the selected value")),
            (self.copy_json_button, _("Copy JSON"), _("Copy the whole result as JSON")),
            (self.raw_toggle, _("Raw text"), _("Show the answer exactly as it was received")),
        ):
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(description)
            tools.addWidget(widget)
        tools.addStretch(1)
        layout.addLayout(tools)

        self.stack = QStackedWidget(self)
        self.tree = QTreeWidget(self.stack)
        self.tree.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # code: never mirrored
        self.tree.setAccessibleName(_("Result"))
        self.tree.setAccessibleDescription(
            _(
                "The answer as a tree: Key, Value and Type. Right arrow opens a level; Enter on a "
                "'Show more' row shows the next items."
            )
        )
        self.tree.setHeaderLabels([_("Key"), _("Value"), _("Type")])
        self.tree.setUniformRowHeights(True)  # fast with many rows
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(KEY, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TYPE, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setColumnWidth(KEY, 220)
        self.tree.itemExpanded.connect(self._on_expanded)
        self.tree.itemActivated.connect(self._on_activated)
        self.tree.currentItemChanged.connect(self._on_current)
        self.raw_text = QPlainTextEdit(self.stack)
        self.raw_text.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # code: never mirrored
        self.raw_text.setReadOnly(True)
        self.raw_text.setAccessibleName(_("Raw result"))
        self.raw_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.raw_text)
        layout.addWidget(self.stack, 1)
        self.path_label = muted("", self)
        self.path_label.setAccessibleName(_("Selected path"))
        layout.addWidget(self.path_label)

        # the same actions on the tree's context menu, with the usual shortcut for copying
        self.copy_value_action = QAction(_("Copy value"), self.tree)
        self.copy_value_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_value_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_path_action = QAction(_("Copy path"), self.tree)
        self.copy_json_action = QAction(_("Copy JSON"), self.tree)
        for action in (self.copy_value_action, self.copy_path_action, self.copy_json_action):
            self.tree.addAction(action)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.expand_button.clicked.connect(self.expand_all)
        self.collapse_button.clicked.connect(self.tree.collapseAll)
        self.copy_value_button.clicked.connect(self.copy_value)
        self.copy_value_action.triggered.connect(self.copy_value)
        self.copy_path_action.triggered.connect(self.copy_path)
        self.copy_json_button.clicked.connect(self.copy_json)
        self.copy_json_action.triggered.connect(self.copy_json)
        self.raw_toggle.toggled.connect(self._show_raw)
        self.clear()

    # -- content -----------------------------------------------------------------------------

    def clear(self) -> None:
        self.set_document(None, "", is_json=False)

    def set_document(self, document: JsonValue, raw: str, is_json: bool = True) -> None:
        """Show ``document`` (parsed JSON) as a tree, or only ``raw`` when it is not JSON."""
        self._root = root_node(document) if is_json else None
        self._raw = raw
        self.tree.clear()
        self.raw_text.setPlainText(shown(raw, limit=10 * len(raw)))  # (copy gives ``raw``)
        self.path_label.setText("")
        root = self._root
        if root is not None:
            if root.has_children:
                self._add_page(None, root, 0)
            else:  # a bare value, {} or []: one row
                self.tree.addTopLevelItem(NodeItem(JsonNode("(value)", "$", root.value)))
        has_tree = root is not None
        for widget in (self.expand_button, self.collapse_button, self.copy_value_button):
            widget.setEnabled(has_tree)
        self.copy_json_button.setEnabled(bool(raw) or has_tree)
        self.raw_toggle.setEnabled(has_tree)
        self._show_raw(self.raw_toggle.isChecked() or not has_tree)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)

    @property
    def showing_raw(self) -> bool:
        return self.stack.currentWidget() is self.raw_text

    def _show_raw(self, raw: bool) -> None:
        self.stack.setCurrentWidget(self.raw_text if raw or self._root is None else self.tree)

    def _add_page(self, parent: NodeItem | None, node: JsonNode, start: int) -> int:
        """Create the next page of ``node``'s children under ``parent`` (None: top level);
        returns how many rows were made."""
        page = children(node, start, PAGE_SIZE)
        items = [NodeItem(child) for child in page]
        loaded = start + len(items)
        remaining = node.child_count - loaded
        more = self._more_item(parent)
        if parent is None:
            index = self.tree.indexOfTopLevelItem(more) if more else self.tree.topLevelItemCount()
            self.tree.insertTopLevelItems(index, items)
        else:
            index = parent.indexOfChild(more) if more else parent.childCount()
            parent.insertChildren(index, items)
            parent.loaded = loaded
        if remaining > 0:
            if more is None:
                more = MoreItem(remaining)
                if parent is None:
                    self.tree.addTopLevelItem(more)
                else:
                    parent.addChild(more)
                more.setFirstColumnSpanned(True)  # Qt ignores it until the item is in a tree
            else:
                more.set_remaining(remaining)
        elif more is not None:
            more.setHidden(True)  # not removed: it may be the item whose signal runs now
        return len(items)

    def _more_item(self, parent: NodeItem | None) -> MoreItem | None:
        count = self.tree.topLevelItemCount() if parent is None else parent.childCount()
        if count == 0:
            return None
        last = self.tree.topLevelItem(count - 1) if parent is None else parent.child(count - 1)
        return last if isinstance(last, MoreItem) and not last.isHidden() else None

    def _loaded_top_level(self) -> int:
        return sum(
            1
            for i in range(self.tree.topLevelItemCount())
            if isinstance(self.tree.topLevelItem(i), NodeItem)
        )

    def _on_expanded(self, item: QTreeWidgetItem) -> None:
        if isinstance(item, NodeItem) and item.loaded == 0 and item.node.has_children:
            self._add_page(item, item.node, 0)

    def _on_activated(self, item: QTreeWidgetItem) -> None:
        if isinstance(item, MoreItem) and not item.isHidden():
            self.show_more(item)

    def show_more(self, more: MoreItem) -> None:
        parent = more.parent()
        if isinstance(parent, NodeItem):
            self._add_page(parent, parent.node, parent.loaded)
        elif self._root is not None:
            self._add_page(None, self._root, self._loaded_top_level())

    def expand_all(self) -> None:
        """Open every level, creating at most EXPAND_ALL_LIMIT rows (then stop and say so): a
        huge result must not freeze the window."""
        if not self._expand(depth=None, budget=EXPAND_ALL_LIMIT):
            self.path_label.setText(
                _(
                    "Expanded the first {EXPAND_ALL_LIMIT} rows; open the rest one level at a time."
                ).format(EXPAND_ALL_LIMIT=number(EXPAND_ALL_LIMIT))
            )

    def expand_to_depth(self, depth: int, budget: int = OPEN_AT_FIRST) -> None:
        """Open the first ``depth`` levels, while they make at most ``budget`` rows: an answer
        is shown opened far enough to read (a collection's items and their fields)."""
        self._expand(depth, budget)

    def _expand(self, depth: int | None, budget: int) -> bool:
        """Open levels breadth first; False when the row budget ran out first."""
        queue = [(self.tree.topLevelItem(i), 1) for i in range(self.tree.topLevelItemCount())]
        self.tree.setUpdatesEnabled(False)
        try:
            while queue and budget > 0:
                item, level = queue.pop(0)
                if not isinstance(item, NodeItem) or not item.node.has_children:
                    continue
                if depth is not None and level > depth:
                    break  # breadth first: every later item is at least as deep
                if item.loaded == 0:
                    budget -= self._add_page(item, item.node, 0)
                item.setExpanded(True)
                queue.extend((item.child(i), level + 1) for i in range(item.childCount()))
        finally:
            self.tree.setUpdatesEnabled(True)
        return budget > 0

    # -- copying ------------------------------------------------------------------------------

    def current_node(self) -> JsonNode | None:
        item = self.tree.currentItem()
        return item.node if isinstance(item, NodeItem) else None

    def _copy(self, text: str, what: str) -> None:
        secret = copy_text(text)  # an answer may hold a token: then it is cleared again soon
        self.copied.emit(f"{what}; cleared in {CLEAR_AFTER_S} s" if secret else what)

    def copy_value(self) -> None:
        node = self.current_node()
        if node is not None:
            self._copy(node.copy_text(), "value")

    def copy_path(self) -> None:
        node = self.current_node()
        if node is not None:
            self._copy(node.path, "path")

    def copy_json(self) -> None:
        if self._root is not None:
            self._copy(pretty_json(self._root.value), "JSON")
        elif self._raw:
            self._copy(self._raw, "text")

    def _on_current(self, item: QTreeWidgetItem | None) -> None:
        if isinstance(item, NodeItem):
            self.path_label.setText(item.node.path)
