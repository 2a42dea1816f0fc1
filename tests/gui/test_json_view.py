"""The collapsible JSON view with real widgets: plain text, lazy pages, keyboard, copying."""

from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from desktop_app.graph.json_tree import PAGE_SIZE
from desktop_app.ui.json_view import (
    EXPAND_ALL_LIMIT,
    KEY,
    TYPE,
    VALUE,
    JsonView,
    MoreItem,
    NodeItem,
)

HOSTILE = "<b>Miriam</b> <script>alert(1)</script> مريم 🦄"


def view(qtbot: QtBot) -> JsonView:
    widget = JsonView()
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    return widget


def top(widget: JsonView) -> list[QTreeWidgetItem]:
    items = [widget.tree.topLevelItem(i) for i in range(widget.tree.topLevelItemCount())]
    return [item for item in items if item is not None and not item.isHidden()]


def test_values_are_literal_text_with_key_value_type_columns(qtbot: QtBot) -> None:
    widget = view(qtbot)
    document = {"displayName": HOSTILE, "age": 7, "ok": False, "manager": None, "tags": ["a"]}
    widget.set_document(document, json.dumps(document))
    rows = {item.text(KEY): (item.text(VALUE), item.text(TYPE)) for item in top(widget)}
    assert rows == {
        "displayName": (HOSTILE, "string"),
        "age": ("7", "number"),
        "ok": ("false", "boolean"),
        "manager": ("null", "null"),
        "tags": ("[ 1 item ]", "array"),
    }
    # the HTML is the item's text, character for character; no value went into a tooltip
    assert all(item.toolTip(VALUE) == "" for item in top(widget))
    assert widget.raw_text.toPlainText() == json.dumps(document)


def test_children_are_made_on_first_expansion_and_by_keyboard(qtbot: QtBot) -> None:
    widget = view(qtbot)
    widget.set_document({"value": [{"id": "a"}, {"id": "b"}]}, "")
    value = top(widget)[0]
    assert isinstance(value, NodeItem)
    assert value.childCount() == 0  # nothing built until it is opened
    widget.tree.setFocus()
    widget.tree.setCurrentItem(value)
    qtbot.keyClick(widget.tree, Qt.Key.Key_Right)
    assert value.isExpanded()
    assert [value.child(i).text(KEY) for i in range(value.childCount())] == ["[0]", "[1]"]
    qtbot.keyClick(widget.tree, Qt.Key.Key_Down)
    assert widget.path_label.text() == "$.value[0]"


def test_ten_thousand_items_render_a_page_and_show_more_on_enter(qtbot: QtBot) -> None:
    widget = view(qtbot)
    document = {"value": [{"id": i, "name": f"<i>item {i}</i>"} for i in range(10_000)]}
    started = time.perf_counter()
    widget.set_document(document, json.dumps(document))
    value = top(widget)[0]
    widget.tree.expandItem(value)
    qtbot.wait(10)  # let it paint once
    elapsed = time.perf_counter() - started
    print(f"\n10,000-item array: set + expand + first paint in {elapsed * 1000:.0f} ms")
    assert value.childCount() == PAGE_SIZE + 1  # one page, then the "Show more" row
    more = value.child(PAGE_SIZE)
    assert isinstance(more, MoreItem)
    assert more.text(KEY) == f"Show {PAGE_SIZE} more (9,800 not shown yet)…"
    widget.tree.setFocus()
    widget.tree.setCurrentItem(more)
    qtbot.keyClick(widget.tree, Qt.Key.Key_Return)
    shown = [value.child(i) for i in range(value.childCount()) if not value.child(i).isHidden()]
    assert len(shown) == 2 * PAGE_SIZE + 1
    assert shown[PAGE_SIZE].text(KEY) == f"[{PAGE_SIZE}]"  # in order, before the "more" row
    assert shown[-1].text(KEY).startswith(f"Show {PAGE_SIZE} more (9,600")


def test_a_top_level_array_pages_too_and_the_last_page_hides_the_more_row(qtbot: QtBot) -> None:
    widget = view(qtbot)
    widget.set_document(list(range(PAGE_SIZE + 5)), "")
    rows = top(widget)
    assert len(rows) == PAGE_SIZE + 1 and isinstance(rows[-1], MoreItem)
    widget.show_more(rows[-1])  # type: ignore[arg-type]
    rows = top(widget)
    assert len(rows) == PAGE_SIZE + 5
    assert rows[-1].text(KEY) == f"[{PAGE_SIZE + 4}]"


def test_expand_all_stops_at_its_limit_and_collapse_all(qtbot: QtBot) -> None:
    widget = view(qtbot)
    # a page of 200 objects with 50 keys each is 10,000 rows: more than Expand all makes
    document = {"value": [{f"k{j}": [i, j] for j in range(50)} for i in range(10_000)]}
    widget.set_document(document, "")
    started = time.perf_counter()
    qtbot.mouseClick(widget.expand_button, Qt.MouseButton.LeftButton)
    print(f"\nExpand all on 10,000 objects: {(time.perf_counter() - started) * 1000:.0f} ms")
    created = 0
    stack = top(widget)
    while stack:
        item = stack.pop()
        created += 1
        stack.extend(item.child(i) for i in range(item.childCount()))
    assert created <= EXPAND_ALL_LIMIT + PAGE_SIZE * 2
    assert "Expanded the first 2,000 rows" in widget.path_label.text()
    value = top(widget)[0]
    assert value.isExpanded() and value.child(0).isExpanded()
    qtbot.mouseClick(widget.collapse_button, Qt.MouseButton.LeftButton)
    assert not value.isExpanded()


def test_copy_value_path_and_json(qtbot: QtBot) -> None:
    widget = view(qtbot)
    document = {"displayName": HOSTILE, "odd key": {"n": 1}}
    widget.set_document(document, "raw")
    clipboard = QGuiApplication.clipboard()
    copied: list[str] = []
    widget.copied.connect(copied.append)
    widget.tree.setCurrentItem(top(widget)[0])
    qtbot.mouseClick(widget.copy_value_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == HOSTILE
    widget.tree.setCurrentItem(top(widget)[1])
    widget.copy_value_action.trigger()
    assert json.loads(clipboard.text()) == {"n": 1}
    widget.copy_path_action.trigger()
    assert clipboard.text() == '$["odd key"]'
    qtbot.mouseClick(widget.copy_json_button, Qt.MouseButton.LeftButton)
    assert json.loads(clipboard.text()) == document
    assert copied == ["value", "value", "path", "JSON"]


def test_raw_toggle_and_a_body_that_is_not_json(qtbot: QtBot) -> None:
    widget = view(qtbot)
    widget.set_document({"a": 1}, '{"a":1}')
    assert not widget.showing_raw
    widget.raw_toggle.setFocus()
    qtbot.keyClick(widget.raw_toggle, Qt.Key.Key_Space)
    assert widget.showing_raw
    assert widget.raw_text.toPlainText() == '{"a":1}'
    qtbot.keyClick(widget.raw_toggle, Qt.Key.Key_Space)
    assert not widget.showing_raw

    widget.set_document(None, "<html><b>Not JSON</b></html>", is_json=False)
    assert widget.showing_raw
    assert not widget.raw_toggle.isEnabled()
    assert not widget.expand_button.isEnabled()
    assert widget.raw_text.toPlainText() == "<html><b>Not JSON</b></html>"
    widget.set_document([], "[]")
    assert [(i.text(KEY), i.text(VALUE)) for i in top(widget)] == [("(value)", "[ 0 items ]")]


def test_every_control_has_an_accessible_name(qtbot: QtBot) -> None:
    widget = view(qtbot)
    for control in (
        widget.expand_button,
        widget.collapse_button,
        widget.copy_value_button,
        widget.copy_json_button,
        widget.raw_toggle,
        widget.tree,
        widget.raw_text,
    ):
        assert control.accessibleName(), control
        assert control.focusPolicy() != Qt.FocusPolicy.NoFocus
