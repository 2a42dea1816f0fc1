"""The layers point one way: the Qt-free layers never import Qt, the sandbox imports nothing of
Lanyard's, and the headless entry imports neither Qt nor msal before it needs them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "desktop_app"
QT_FREE = [
    "auth",
    "graph",
    "sandbox",
    "net.py",
    "config.py",
    "config_file.py",
    "files.py",
    "errors.py",
    "paths.py",
    "redact.py",
    "diagnostics.py",
    "cli.py",
    "services.py",
    "profile_snapshot.py",
    "headless.py",
]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files(entry: str) -> list[Path]:
    target = PACKAGE / entry
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("entry", QT_FREE)
def test_qt_free_layers_never_import_qt(entry: str) -> None:
    for path in files(entry):
        qt = sorted(
            m for m in imported_modules(path) if m.split(".")[0] in {"PySide6", "shiboken6"}
        )
        assert not qt, f"{path.relative_to(PACKAGE)} imports {qt}"


def test_sandbox_imports_nothing_of_lanyard() -> None:
    for path in files("sandbox"):
        own = sorted(
            m
            for m in imported_modules(path)
            if m.startswith("desktop_app") and not m.startswith("desktop_app.sandbox")
        )
        assert not own, f"{path.relative_to(PACKAGE)} imports {own}"


def test_lower_layers_never_import_the_upper_ones() -> None:
    upper = (
        "desktop_app.ui",
        "desktop_app.session",
        "desktop_app.workers",
        "desktop_app.app",
        "desktop_app.cache_watcher",
        "desktop_app.single_instance",
    )
    for entry in [
        "auth",
        "graph",
        "net.py",
        "config.py",
        "services.py",
        "profile_snapshot.py",
        "headless.py",
    ]:
        for path in files(entry):
            bad = sorted(m for m in imported_modules(path) if m.startswith(upper))
            assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"
