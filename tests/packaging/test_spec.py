"""packaging/lanyard.spec run as PyInstaller runs it (exec with SPECPATH and the build classes
in its namespace), for each platform, with PyInstaller's classes recorded instead of building:
what it asks for on Windows and macOS can be read here, where neither build runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

SPEC = REPO / "packaging" / "lanyard.spec"


class Recorded:
    """One call of a PyInstaller build class: its arguments, and the attributes the spec reads."""

    calls: list[Recorded]

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs
        self.binaries: list[tuple[str, str, str]] = []
        self.datas: list[tuple[str, str, str]] = []
        self.pure: list[Any] = []
        self.scripts: list[Any] = []


def run_spec(platform: str, monkeypatch: pytest.MonkeyPatch) -> list[Recorded]:
    calls: list[Recorded] = []

    def build(kind: str) -> Any:
        def make(*args: Any, **kwargs: Any) -> Recorded:
            call = Recorded(kind, *args, **kwargs)
            calls.append(call)
            return call

        return make

    namespace: dict[str, Any] = {
        "SPECPATH": str(SPEC.parent),
        **{kind: build(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")},
    }
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts packaging/ first
    monkeypatch.setenv("LANYARD_ICON_DIR", "/icons")
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)  # noqa: S102
    return calls


def of(calls: list[Recorded], kind: str) -> list[Recorded]:
    return [c for c in calls if c.kind == kind]


def test_windows_gets_the_window_and_a_console_program_in_one_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = run_spec("win32", monkeypatch)
    programs = {e.kwargs["name"]: e for e in of(calls, "EXE")}
    assert sorted(programs) == ["lanyard", "lanyard-cli"]
    assert programs["lanyard"].kwargs["console"] is False
    assert programs["lanyard-cli"].kwargs["console"] is True
    assert programs["lanyard-cli"].kwargs["icon"] == str(Path("/icons") / "lanyard.ico")
    (collect,) = of(calls, "COLLECT")
    assert list(collect.args[:2]) == [programs["lanyard"], programs["lanyard-cli"]]
    assert collect.kwargs["name"] == "lanyard"
    assert of(calls, "BUNDLE") == []


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_elsewhere_one_program_does_both(platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = run_spec(platform, monkeypatch)
    assert [(e.kwargs["name"], e.kwargs["console"]) for e in of(calls, "EXE")] == [
        ("lanyard", False)
    ]


def test_macos_states_the_minimum_of_the_pinned_qt_and_a_numeric_bundle_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.packaging.test_platform_recipes import PYPROJECT, QT_MINIMUMS, numeric

    calls = run_spec("darwin", monkeypatch)
    (bundle,) = of(calls, "BUNDLE")
    plist = bundle.kwargs["info_plist"]
    (pin,) = [r for r in PYPROJECT["project"]["optional-dependencies"]["package"] if "PySide6" in r]
    assert plist["LSMinimumSystemVersion"] == QT_MINIMUMS[pin.split("==")[1]][0] == "13.0"
    version = PYPROJECT["project"]["version"]
    assert plist["CFBundleShortVersionString"] == version
    assert plist["CFBundleVersion"] == ".".join(numeric.numeric_version(version).split(".")[:3])
