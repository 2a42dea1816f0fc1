"""A second launch lets the running window take the foreground before it asks it to come to the
front (Windows' foreground lock): real QLocalServer and QLocalSocket in this process, the Win32
calls recorded by stand-ins for user32 and kernel32 (tests/unit/core/test_foreground.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop_app.core import foreground
from desktop_app.ui import single_instance
from tests.unit.core.test_foreground import Kernel32, User32


def test_the_hand_off_allows_the_foreground_first(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = str(tmp_path / "lanyard-test.sock")
    server = QLocalServer()
    assert server.listen(name), server.errorString()
    user32, kernel32 = User32(), Kernel32(4242)
    seen: list[tuple[int, int]] = []
    real = foreground.allow_foreground

    def recorded(handle: int, *args: Any, **kwargs: Any) -> bool:
        socket = next(iter(s for s in clients if s.socketDescriptor() == handle))
        seen.append((handle, int(socket.bytesToWrite())))
        return real(handle, "win32", (user32, kernel32))

    clients: list[QLocalSocket] = []
    real_socket = single_instance.QLocalSocket

    def tracked() -> QLocalSocket:
        socket = real_socket()
        clients.append(socket)
        return socket

    monkeypatch.setattr(single_instance, "QLocalSocket", tracked)
    monkeypatch.setattr(foreground, "allow_foreground", recorded)
    monkeypatch.setattr(single_instance, "ACK_TIMEOUT_MS", 200)  # nobody answers in this thread
    role = single_instance.SingleInstance(name)._claim()
    server.close()
    assert role is single_instance.Role.ALONE  # (the server here never acknowledges)
    assert len(seen) == 1
    handle, pending = seen[0]
    assert handle > 0 and pending == 0  # the connected socket's descriptor, before any byte
    assert kernel32.handles == [handle] and user32.allowed == [4242]
