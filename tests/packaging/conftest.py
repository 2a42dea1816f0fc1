"""Build the .deb once per test session (PyInstaller is the slow part) for the package tests."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from tests.conftest import REPO
from tests.support.deb_package import BuiltPackage
from tests.support.xvfb import require


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
