"""The layering as pyproject.toml's [tool.importlinter] contracts (scripts/test.sh runs them as
``lint-imports``): every module of desktop_app/ is under the layers contract or is a named entry
module, and each contract is shown to fail. A copy of the package gets one planted import and
lint-imports, run on the copy, must report the contract that forbids it broken."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "desktop_app"
# Outside the layers: the package itself and the entry points (they choose the window path or
# the headless one), and the sandbox, an identity provider beside the client (its own contract).
ENTRY_MODULES = (
    "desktop_app",
    "desktop_app.__main__",
    "desktop_app.cli",
    "desktop_app.console",
    "desktop_app.process_exit",
    "desktop_app.headless",
    "desktop_app.headless_advice",
    "desktop_app.headless_decode",
    "desktop_app.headless_login",
    "desktop_app.headless_api",
    "desktop_app.headless_api_args",
)
ENTRY_PACKAGES = ("desktop_app.sandbox",)


def contracts() -> list[dict[str, Any]]:
    with (REPO / "pyproject.toml").open("rb") as file:
        found: list[dict[str, Any]] = tomllib.load(file)["tool"]["importlinter"]["contracts"]
    return found


def contract_names() -> dict[str, str]:
    """Each contract's name by what it guards: 'layers', 'no qt', 'sandbox'."""
    names: dict[str, str] = {}
    for contract in contracts():
        if contract["type"] == "layers":
            names["layers"] = contract["name"]
        elif "PySide6" in contract.get("forbidden_modules", ()):
            names["no qt"] = contract["name"]
        elif contract.get("source_modules") == ["desktop_app.sandbox"]:
            names["sandbox"] = contract["name"]
    assert len(names) == len(contracts()) == 3, "a contract this test does not know of"
    return names


def layer_packages() -> list[str]:
    [layers] = [c for c in contracts() if c["type"] == "layers"]
    assert "containers" not in layers  # the layers are named in full below
    # "a | b" are independent siblings, "a : b" siblings that may import each other, "(a)" optional
    return [
        name.strip().strip("()") for layer in layers["layers"] for name in re.split(r"[|:]", layer)
    ]


def package_modules() -> list[str]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_every_module_is_in_a_layer_or_is_an_entry_module() -> None:
    layered = [*layer_packages(), *ENTRY_PACKAGES]
    outside = [
        module
        for module in package_modules()
        if module not in ENTRY_MODULES and not any(inside(module, p) for p in layered)
    ]
    assert outside == [], "add them to a layer in pyproject.toml's [tool.importlinter]"


def test_the_layers_and_entry_modules_named_here_exist() -> None:
    modules = package_modules()
    assert [p for p in layer_packages() if not any(inside(m, p) for m in modules)] == []
    assert [m for m in (*ENTRY_MODULES, *ENTRY_PACKAGES) if m not in modules] == []


def lint_imports_command() -> str:
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is not installed (import-linter, in the 'test' extra)"
    return found


def copy_of_the_package(root: Path) -> Path:
    shutil.copytree(PACKAGE, root / "desktop_app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def lint_imports(root: Path) -> tuple[dict[str, str], str]:
    """lint-imports on the copy at ``root`` (found there first): each contract's verdict."""
    result = subprocess.run(
        [lint_imports_command(), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    verdicts: dict[str, str] = {}
    for kind, name in contract_names().items():
        for line in result.stdout.splitlines():
            if line in (f"{name} KEPT", f"{name} BROKEN"):
                verdicts[kind] = line.rsplit(" ", 1)[1]
    assert len(verdicts) == 3, output
    assert result.returncode == (1 if "BROKEN" in verdicts.values() else 0), output
    return verdicts, output


def test_the_unmodified_copy_keeps_every_contract(tmp_path: Path) -> None:
    verdicts, output = lint_imports(copy_of_the_package(tmp_path))
    assert verdicts == {"layers": "KEPT", "no qt": "KEPT", "sandbox": "KEPT"}, output


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        pytest.param("core/planted.py", "import PySide6.QtCore", {"no qt"}, id="qt-in-core"),
        pytest.param("headless.py", "import shiboken6", {"no qt"}, id="qt-in-headless"),
        pytest.param(
            "headless_login.py", "import PySide6.QtCore", {"no qt"}, id="qt-in-headless-login"
        ),
        # the window imports Qt, so through it auth would too
        pytest.param(
            "auth/planted.py",
            "from desktop_app.ui import style",
            {"layers", "no qt"},
            id="ui-in-auth",
        ),
        pytest.param(
            "core/planted.py",
            "from desktop_app.session import policy",
            {"layers"},
            id="up-from-core",
        ),
        pytest.param(
            "auth/planted.py",
            "from desktop_app.graph import errors",
            {"layers"},
            id="graph-in-auth",
        ),
        pytest.param(
            "sandbox/planted.py",
            "from desktop_app.core import errors",
            {"sandbox"},
            id="sandbox-uses-core",
        ),
    ],
)
def test_a_planted_import_breaks_the_contract_that_forbids_it(
    tmp_path: Path, module: str, statement: str, broken: set[str]
) -> None:
    root = copy_of_the_package(tmp_path)
    planted = root / "desktop_app" / module
    before = planted.read_text() if planted.exists() else ""
    planted.write_text(f"{before}\n{statement}\n")
    verdicts, output = lint_imports(root)
    assert {kind for kind, verdict in verdicts.items() if verdict == "BROKEN"} == broken, output
    importer = "desktop_app." + module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> " in output  # reported for the planted line, nothing else
