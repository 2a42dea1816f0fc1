"""Drive a program's windows on an X display from outside, as a person at the screen would:
find its window, type into it, close it with the window manager's close request.

Used for programs the tests cannot import (the installed package's frozen bundle).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from Xlib import XK, X, display
from Xlib.error import BadWindow
from Xlib.ext import xtest
from Xlib.protocol import event
from Xlib.xobject.drawable import Window


@dataclass(frozen=True)
class TopLevel:
    window: Window
    wm_class: tuple[str, str]  # (instance, class), e.g. ("lanyard", "Lanyard")
    title: str
    pid: int | None


@contextmanager
def connect(name: str) -> Iterator[display.Display]:
    conn = display.Display(name)
    try:
        yield conn
    finally:
        conn.close()


def _title(conn: display.Display, window: Window) -> str:
    net_name = window.get_full_property(conn.intern_atom("_NET_WM_NAME"), X.AnyPropertyType)
    if net_name is not None:
        value = net_name.value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return str(window.get_wm_name() or "")


def _pid(conn: display.Display, window: Window) -> int | None:
    prop = window.get_full_property(conn.intern_atom("_NET_WM_PID"), X.AnyPropertyType)
    return int(prop.value[0]) if prop is not None and len(prop.value) else None


def visible_windows(conn: display.Display, wm_class: str) -> list[TopLevel]:
    """Mapped (viewable) top-level windows whose WM_CLASS class or instance is ``wm_class``."""
    found = []
    for window in conn.screen().root.query_tree().children:
        try:
            if window.get_attributes().map_state != X.IsViewable:
                continue
            names = window.get_wm_class()
            if not names or wm_class not in names:
                continue
            found.append(TopLevel(window, tuple(names), _title(conn, window), _pid(conn, window)))
        except BadWindow:  # it went away while we looked
            continue
    return found


def wait_for_window(
    conn: display.Display, wm_class: str, timeout: float, poll: float = 0.01
) -> TopLevel | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        windows = visible_windows(conn, wm_class)
        if windows:
            return windows[0]
        time.sleep(poll)
    return None


def press_key(conn: display.Display, window: Window, key: str) -> None:
    """Focus ``window`` and press and release ``key`` (an X keysym name such as "space")."""
    window.set_input_focus(X.RevertToParent, X.CurrentTime)
    conn.sync()
    keycode = conn.keysym_to_keycode(XK.string_to_keysym(key))
    xtest.fake_input(conn, X.KeyPress, keycode)
    xtest.fake_input(conn, X.KeyRelease, keycode)
    conn.sync()


def request_close(conn: display.Display, window: Window) -> None:
    """What a window manager's close button sends: WM_PROTOCOLS / WM_DELETE_WINDOW."""
    protocols = conn.intern_atom("WM_PROTOCOLS")
    delete = conn.intern_atom("WM_DELETE_WINDOW")
    message = event.ClientMessage(
        window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
    )
    window.send_event(message, event_mask=X.NoEventMask)
    conn.sync()
