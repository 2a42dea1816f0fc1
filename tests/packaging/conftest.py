"""Build the .deb once per test session (PyInstaller is the slow part) for the package tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, in_ci
from tests.support.xvfb import require


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


@pytest.fixture(scope="session")
def built_package() -> BuiltPackage:
    for tool, why in (
        ("dpkg-deb", "builds the package"),
        ("dpkg-shlibdeps", "derives Depends (Debian package dpkg-dev)"),
        ("strip", "strips the bundle (Debian package binutils)"),
    ):
        require(tool, why)
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(REPO / "packaging" / "build_deb.sh")],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    match = re.search(r"^\.deb size: .*\((.+\.deb)\)$", result.stdout, re.MULTILINE)
    assert match, result.stdout
    return BuiltPackage(REPO / match.group(1), REPO / "dist" / "lanyard", result.stdout, seconds)
