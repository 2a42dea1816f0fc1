from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.graph.json_tree import (
    PAGE_SIZE,
    JsonNode,
    child_path,
    children,
    kind_of,
    one_line,
    root_node,
)

DOC = {
    "displayName": "<b>Megan</b>",
    "count": 3,
    "ratio": 0.5,
    "active": True,
    "manager": None,
    "odd key": {"@odata.type": "#microsoft.graph.group"},
    "value": [{"id": "a"}, {"id": "b"}],
}


def test_kinds_previews_and_types() -> None:
    nodes = {n.key: n for n in children(root_node(DOC))}
    assert [n.key for n in children(root_node(DOC))] == list(DOC)  # document order
    assert {k: n.kind for k, n in nodes.items()} == {
        "displayName": "string",
        "count": "number",
        "ratio": "number",
        "active": "boolean",  # not "number", though bool is an int in Python
        "manager": "null",
        "odd key": "object",
        "value": "array",
    }
    assert nodes["displayName"].preview == "<b>Megan</b>"  # as is: the view shows plain text
    assert nodes["active"].preview == "true"
    assert nodes["manager"].preview == "null"
    assert nodes["value"].preview == "[ 2 items ]"
    assert nodes["odd key"].preview == "{ 1 key }"
    assert nodes["value"].child_count == 2 and nodes["value"].has_children
    assert not nodes["count"].has_children


def test_paths_quote_keys_that_need_it() -> None:
    nodes = {n.key: n for n in children(root_node(DOC))}
    assert nodes["odd key"].path == '$["odd key"]'
    assert children(nodes["odd key"])[0].path == '$["odd key"].@odata.type'
    second = children(nodes["value"])[1]
    assert second.key == "[1]"
    assert children(second)[0].path == "$.value[1].id"
    assert child_path("$", 'say "hi"') == '$["say \\"hi\\""]'


def test_copy_text_gives_strings_as_they_are_and_the_rest_as_json() -> None:
    nodes = {n.key: n for n in children(root_node(DOC))}
    assert nodes["displayName"].copy_text() == "<b>Megan</b>"
    assert nodes["count"].copy_text() == "3"
    assert nodes["manager"].copy_text() == "null"
    assert json.loads(nodes["value"].copy_text()) == [{"id": "a"}, {"id": "b"}]


def test_one_line_escapes_control_characters_and_cuts_long_text() -> None:
    assert one_line("a\nb\tc\r\x00\u2028") == "a\\nb\\tc\\r\\u0000\\u2028"
    long = one_line("x" * 1000, limit=50)
    assert len(long) == 50 and long.endswith("…")
    node = JsonNode("k", "$.k", "line one\nline two")
    assert "\n" not in node.preview
    assert node.copy_text() == "line one\nline two"  # copy gives the real value


def test_a_10000_item_array_is_read_a_page_at_a_time() -> None:
    big = root_node(list(range(10_000)))
    first = children(big)
    assert len(first) == PAGE_SIZE
    assert first[0].key == "[0]" and first[-1].key == f"[{PAGE_SIZE - 1}]"
    last = children(big, start=9_900, limit=PAGE_SIZE)
    assert len(last) == 100 and last[-1].value == 9_999
    assert children(big, start=10_000) == []
    assert big.preview == "[ 10,000 items ]"
    many_keys = root_node({f"k{i}": i for i in range(1000)})
    assert [n.key for n in children(many_keys, start=998)] == ["k998", "k999"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_paging_through_every_node_rebuilds_the_document(value: object) -> None:
    def rebuild(node: JsonNode) -> object:
        items: list[JsonNode] = []
        while len(items) < node.child_count:
            items += children(node, start=len(items), limit=3)
        if node.kind == "object":
            return {n.key: rebuild(n) for n in items}  # an object child's key is its name
        if node.kind == "array":
            return [rebuild(n) for n in items]
        return node.value

    root = root_node(value)  # type: ignore[arg-type]
    assert rebuild(root) == value
    assert kind_of(value) == root.kind  # type: ignore[arg-type]
    assert "\n" not in root.preview
