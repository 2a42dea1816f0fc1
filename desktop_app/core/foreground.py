"""Windows' foreground lock: a second launch lets the running window come to the front.

Windows lets a process take the foreground only if the foreground process allows it; otherwise
the running window's activateWindow() merely flashes its taskbar button. The second launch is
the foreground process (the person just started it), so before it asks the first to come to
the front it calls AllowSetForegroundWindow for it: for the pipe server's process id (the
single-instance pipe, GetNamedPipeServerProcessId), else for any process (ASFW_ANY), which the
next keyboard or mouse input cancels anyway. Nothing to do elsewhere: returns False there.
No Qt here; ctypes only on Windows.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

ASFW_ANY = 0xFFFFFFFF  # (DWORD)-1: any process may set the foreground window


def _libraries() -> tuple[Any, Any]:
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
    user32.AllowSetForegroundWindow.argtypes = [wintypes.DWORD]
    user32.AllowSetForegroundWindow.restype = wintypes.BOOL
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.GetNamedPipeServerProcessId.argtypes = [
        wintypes.HANDLE,
        ctypes.POINTER(wintypes.ULONG),
    ]
    kernel32.GetNamedPipeServerProcessId.restype = wintypes.BOOL
    return user32, kernel32


def pipe_server_pid(kernel32: Any, pipe_handle: int) -> int | None:
    """The process id at the server end of a connected named pipe, or None."""
    import ctypes
    from ctypes import wintypes

    pid = wintypes.ULONG(0)
    if pipe_handle in (0, -1) or not kernel32.GetNamedPipeServerProcessId(
        pipe_handle, ctypes.byref(pid)
    ):
        return None
    return int(pid.value) or None


def allow_foreground(
    pipe_handle: int, platform: str | None = None, libraries: tuple[Any, Any] | None = None
) -> bool:
    """Let the process at the other end of the single-instance pipe take the foreground (Windows);
    ``pipe_handle``: the connected QLocalSocket's socketDescriptor() (there, the pipe's HANDLE).
    True when Windows granted it. Never raises: at worst the window only flashes."""
    if (platform or sys.platform) != "win32":
        return False
    try:
        user32, kernel32 = libraries or _libraries()
        pid = pipe_server_pid(kernel32, pipe_handle)
        granted = bool(user32.AllowSetForegroundWindow(ASFW_ANY if pid is None else pid))
    except (OSError, AttributeError, ValueError) as exc:  # no such function, a broken ctypes
        log.info("AllowSetForegroundWindow not called: %s", exc)
        return False
    if not granted:  # e.g. this launch is not the foreground process itself (started by a script)
        log.info("AllowSetForegroundWindow refused for %s", "any process" if pid is None else pid)
    return granted
