"""The .deb the package tests build (what build_deb.sh made of it), and the skip for tests that
install it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import in_ci


@dataclass(frozen=True)
class BuiltPackage:
    deb: Path
    bundle: Path
    report: str  # what build_deb.sh printed: Depends, sizes, build time
    seconds: float

    def field(self, name: str) -> str:
        return subprocess.run(
            ["dpkg-deb", "--field", str(self.deb), name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()


def require_root_and_apt() -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        message = "installing the .deb needs root and apt-get"
        if in_ci():
            pytest.fail(message + " - CI runs as root on Debian")
        pytest.skip(message)


_RESOURCE_READ = re.compile(r'resources_dir\(\)((?:\s*/\s*"[^"]+")+)')


def runtime_resources(package: Path) -> set[str]:
    """Every file under resources/ that the package's code reads at run time (through
    ``paths.resources_dir() / "…" / "…"``), as a relative path: what a bundle must carry."""
    found: set[str] = set()
    for source in package.rglob("*.py"):
        for match in _RESOURCE_READ.finditer(source.read_text(encoding="utf-8")):
            found.add("/".join(re.findall(r'"([^"]+)"', match.group(1))))
    return found
