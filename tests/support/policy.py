"""Managed policy for a test: the seam of core/managed_policy.py pointed at a test's own files
(a policy.toml, a regedit export, a plist), chosen by the file's suffix, in the order given.
Never an environment variable: a user could set that (see tests/conftest.py).

Trusted as the computer's policy would be, but from the test's own folder down and from the
user running the tests (root in CI): the run's temporary folders sit in /tmp, which anyone may
write, and a developer's run is not root. ``trust`` replaces that, for the tests of trust."""

from __future__ import annotations

import os
import plistlib
from collections.abc import Sequence
from pathlib import Path

import pytest

from desktop_app.core import managed_policy
from desktop_app.core.managed_policy import Source, Trust


def test_trust(path: Path) -> Trust:
    return Trust(owner=os.getuid(), top=path.parent)


def source_for(path: Path, trust: Trust | None = None) -> Source:
    trust = trust or test_trust(path)
    if path.suffix == ".reg":
        from desktop_app.core.policy_windows import RegFileSource

        return RegFileSource(path, trust)
    if path.suffix == ".plist":
        from desktop_app.core.policy_macos import PlistSource

        return PlistSource(path, trust)
    return managed_policy.TomlSource(path, trust)


def use_policy(monkeypatch: pytest.MonkeyPatch, *paths: Path, trust: Trust | None = None) -> None:
    sources: Sequence[Source] = [source_for(path, trust) for path in paths]
    monkeypatch.setattr(managed_policy, "platform_sources", lambda: sources)


def reg_export(lines: Sequence[str]) -> bytes:
    """A file as regedit writes one: UTF-16 LE with its byte-order mark, CRLF line ends."""
    text = "Windows Registry Editor Version 5.00\r\n\r\n" + "\r\n".join(lines) + "\r\n"
    return b"\xff\xfe" + text.encode("utf-16-le")


def reg_multi_sz(items: Sequence[str]) -> str:
    """A REG_MULTI_SZ as regedit exports it: hex(7):, UTF-16 LE, each item NUL-ended, then NUL."""
    raw = "".join(item + "\0" for item in items).encode("utf-16-le") + b"\0\0"
    return "hex(7):" + ",".join(f"{byte:02x}" for byte in raw)


def plist_bytes(
    settings: dict[str, object], locked: Sequence[str] = (), binary: bool = False
) -> bytes:
    data = dict(settings)
    if locked:
        data["Locked"] = list(locked)
    return plistlib.dumps(data, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
