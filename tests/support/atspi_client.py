"""A screen reader's view of the desktop, through the real AT-SPI bus (pyatspi, Debian's).

Run with Debian's /usr/bin/python3 (pyatspi lives there, over gi), never the project's venv; it
imports nothing of Lanyard's. Two modes:

    python3 atspi_client.py dump APP [--all]
        One JSON document on stdout: APP's accessible tree as nodes with role, name,
        description, states, screen extents, text (the Text interface) and depth. Without
        --all, the children of a node that is not showing are left out (a hidden page's
        controls are checked when their page is shown); --all walks everything, hidden too.

    python3 atspi_client.py listen
        Registers for the events a screen reader speaks from while the focus stays where it is
        (announcements, name changes), prints "ready" once registered, then one JSON line per
        event until stdin closes.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pyatspi
from gi.repository import GLib

# what is spoken without the focus moving; each event's source is asked for its role and
# name, so the floods (children-changed, state-changed) are not listened for
EVENTS = ("object:announcement", "object:property-change:accessible-name")
MAX_NODES = 20_000  # a runaway tree is reported, not walked forever


def node_info(node: Any, depth: int) -> dict[str, Any]:
    states = [pyatspi.stateToString(s) for s in node.getState().getStates()]
    info: dict[str, Any] = {
        "role": node.getRoleName(),
        "name": node.name or "",
        "description": node.description or "",
        "states": states,
        "depth": depth,
        "children": node.childCount,
    }
    info["labelled_by"] = [
        target.name or ""
        for relation in node.getRelationSet()
        if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY
        for target in (relation.getTarget(i) for i in range(relation.getNTargets()))
        if target is not None
    ]
    try:
        extents = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        info["extents"] = [extents.x, extents.y, extents.width, extents.height]
    except NotImplementedError:
        info["extents"] = None
    try:
        text = node.queryText()
        info["text"] = text.getText(0, -1)
    except NotImplementedError:
        info["text"] = None
    return info


def dump(app_name: str, everything: bool) -> dict[str, Any]:
    desktop = pyatspi.Registry.getDesktop(0)
    apps = [desktop.getChildAtIndex(i) for i in range(desktop.childCount)]
    names = [app.name for app in apps if app is not None]
    found = [app for app in apps if app is not None and app.name == app_name]
    if not found:
        return {"apps": names, "nodes": []}
    nodes: list[dict[str, Any]] = []
    stack: list[tuple[Any, int]] = [(found[0], 0)]
    while stack and len(nodes) < MAX_NODES:
        node, depth = stack.pop()
        info = node_info(node, depth)
        nodes.append(info)
        if not everything and depth > 1 and "showing" not in info["states"]:
            continue
        children = [node.getChildAtIndex(i) for i in range(node.childCount)]
        stack.extend((child, depth + 1) for child in reversed(children) if child is not None)
    return {"apps": names, "nodes": nodes, "truncated": bool(stack)}


def listen() -> None:
    loop = GLib.MainLoop()

    def on_event(event: Any) -> None:
        source = event.source
        try:
            role, name = source.getRoleName(), source.name or ""
        except Exception:  # the object went away before it was asked
            role, name = "", ""
        data = event.any_data
        print(
            json.dumps(
                {
                    "type": event.type,
                    "detail1": event.detail1,
                    "data": data if isinstance(data, str) else "",
                    "role": role,
                    "name": name,
                }
            ),
            flush=True,
        )

    def on_stdin(_source: Any, condition: GLib.IOCondition) -> bool:
        line = sys.stdin.readline()
        if not line or condition & (GLib.IOCondition.HUP | GLib.IOCondition.ERR):
            loop.quit()
            return False
        return True

    pyatspi.Registry.registerEventListener(on_event, *EVENTS)
    GLib.io_add_watch(
        sys.stdin, GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR, on_stdin
    )
    print("ready", flush=True)
    loop.run()


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "dump":
        print(json.dumps(dump(sys.argv[2], "--all" in sys.argv[3:])))
        return 0
    if len(sys.argv) == 2 and sys.argv[1] == "listen":
        listen()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
