"""core/foreground.py: a second launch lets the running window through Windows' foreground lock.
user32 and kernel32 are stood in for by recorders here (there is no Windows); what is checked is
which calls are made, with what, and that no failure of theirs escapes."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.core import foreground


class User32:
    def __init__(self, grant: bool = True, fail: Exception | None = None) -> None:
        self.grant, self.fail = grant, fail
        self.allowed: list[int] = []

    def AllowSetForegroundWindow(self, pid: int) -> int:  # (the Win32 name)
        if self.fail:
            raise self.fail
        self.allowed.append(pid)
        return 1 if self.grant else 0


class Kernel32:
    """GetNamedPipeServerProcessId(handle, &pid): writes ``pid`` through the pointer."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.handles: list[int] = []

    def GetNamedPipeServerProcessId(self, handle: int, pid_ref: Any) -> int:
        self.handles.append(handle)
        if self.pid is None:
            return 0
        pid_ref._obj.value = self.pid  # (ctypes.byref's object)
        return 1


def test_elsewhere_nothing_is_called() -> None:
    user32, kernel32 = User32(), Kernel32(4242)
    for platform in ("linux", "darwin"):
        assert foreground.allow_foreground(7, platform, (user32, kernel32)) is False
    assert user32.allowed == [] and kernel32.handles == []


def test_the_pipe_servers_process_is_allowed() -> None:
    user32, kernel32 = User32(), Kernel32(4242)
    assert foreground.allow_foreground(0x1F4, "win32", (user32, kernel32)) is True
    assert kernel32.handles == [0x1F4] and user32.allowed == [4242]


@pytest.mark.parametrize(("handle", "pid"), [(0x1F4, None), (-1, 4242), (0, 4242)])
def test_without_the_servers_pid_any_process_is_allowed(handle: int, pid: int | None) -> None:
    user32, kernel32 = User32(), Kernel32(pid)
    assert foreground.allow_foreground(handle, "win32", (user32, kernel32)) is True
    assert user32.allowed == [foreground.ASFW_ANY] == [0xFFFFFFFF]
    assert kernel32.handles == ([] if handle in (0, -1) else [handle])


def test_a_refusal_is_reported_as_false(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", foreground.__name__)
    assert foreground.allow_foreground(5, "win32", (User32(grant=False), Kernel32(99))) is False
    assert "AllowSetForegroundWindow refused for 99" in caplog.text


@pytest.mark.parametrize("failure", [OSError("no user32"), AttributeError("no such function")])
def test_a_failing_library_never_escapes(failure: Exception) -> None:
    assert foreground.allow_foreground(5, "win32", (User32(fail=failure), Kernel32(99))) is False


@pytest.mark.skipif(foreground.sys.platform == "win32", reason="off Windows only")
def test_the_real_libraries_are_loaded_only_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> tuple[Any, Any]:
        raise AssertionError("ctypes.WinDLL loaded off Windows")

    monkeypatch.setattr(foreground, "_libraries", refuse)
    assert foreground.allow_foreground(5) is False
