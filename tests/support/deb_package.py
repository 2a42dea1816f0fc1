"""The .deb the package tests build (what build_deb.sh made of it), and the skip for tests that
install it."""

from __future__ import annotations

import os
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
