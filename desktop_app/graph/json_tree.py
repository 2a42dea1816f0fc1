"""A JSON document as a tree of nodes the window shows one page at a time. No Qt.

A result can hold 10,000 items: the view asks for the children of a node a page at a time
(``children(node, start, limit)``), so nothing is built for what is never expanded. Every text
made here is plain text for display (core/text.py: invisible and control characters made
visible), long values cut short (the
full value is what ``copy_text`` gives).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Union

from desktop_app.core.i18n import ngettext, number
from desktop_app.core.text import shown

# What json.loads can return. (A recursive alias: mypy follows it.)
JsonValue = Union[dict[str, "JsonValue"], list["JsonValue"], str, int, float, bool, None]  # noqa: UP007

PAGE_SIZE = 200  # children created per "show more"
PREVIEW_CHARS = 300  # a longer value is cut short in the Value column (copy gives all of it)
_IDENTIFIER = re.compile(r"^[A-Za-z_$@][A-Za-z0-9_$@.\-]*$")


def kind_of(value: JsonValue) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "null"


def one_line(text: str, limit: int = PREVIEW_CHARS) -> str:
    """``text`` on one line: newlines, tabs and other control characters as visible escapes,
    cut at ``limit`` characters with an ellipsis."""
    return shown(text, one_line=True, limit=limit - 1)


def pretty_json(value: JsonValue) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def child_path(parent: str, key: str | int) -> str:
    """A JSONPath-like address: $.value[3].id, or $["odd key"] for keys that need quoting."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


@dataclass(frozen=True)
class JsonNode:
    key: str  # a property name, or "[index]" for an array item; "" for the root
    path: str
    value: JsonValue = field(repr=False)

    @property
    def kind(self) -> str:
        return kind_of(self.value)

    @property
    def child_count(self) -> int:
        return len(self.value) if isinstance(self.value, dict | list) else 0

    @property
    def has_children(self) -> bool:
        return self.child_count > 0

    @property
    def preview(self) -> str:
        """The Value column: the value on one line, or a count for an object or array."""
        value = self.value
        if isinstance(value, dict):
            count = len(value)
            return "{ " + ngettext("{n} key", "{n} keys", count).format(n=number(count)) + " }"
        if isinstance(value, list):
            count = len(value)
            return "[ " + ngettext("{n} item", "{n} items", count).format(n=number(count)) + " ]"
        if isinstance(value, str):
            return one_line(value)
        return one_line(json.dumps(value))  # numbers, true/false, null as JSON spells them

    @property
    def key_text(self) -> str:
        return one_line(self.key, 120)

    def copy_text(self) -> str:
        """What "Copy value" puts on the clipboard: a string as it is, the rest as JSON."""
        if isinstance(self.value, str):
            return self.value
        if isinstance(self.value, dict | list):
            return pretty_json(self.value)
        return json.dumps(self.value)


def root_node(value: JsonValue) -> JsonNode:
    return JsonNode("", "$", value)


def children(node: JsonNode, start: int = 0, limit: int = PAGE_SIZE) -> list[JsonNode]:
    """The node's children from ``start``, at most ``limit`` of them, in document order."""
    value = node.value
    if isinstance(value, list):
        return [
            JsonNode(f"[{i}]", child_path(node.path, i), value[i])
            for i in range(start, min(len(value), start + limit))
        ]
    if isinstance(value, dict):
        keys = itertools.islice(value, start, start + limit)
        return [JsonNode(key, child_path(node.path, key), value[key]) for key in keys]
    return []
