"""The first-run page and the settings dialog on a real X server (Xvfb), screenshotted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.conftest import REPO
from tests.support.screenshots import ARTIFACTS, distinct_colours
from tests.support.xvfb import display_env, xvfb_display

pytestmark = pytest.mark.display
SCRIPT = REPO / "tests" / "support" / "screenshot_settings.py"


@pytest.mark.parametrize("scene", ["first-run", "dialog"])
def test_settings_on_xvfb(tmp_path: Path, scene: str) -> None:
    out = tmp_path / f"settings-{scene}.png"
    with xvfb_display() as display:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), str(out), "--scene", scene],
            env=display_env(display),
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 600
    assert distinct_colours(image) > 20  # a drawn window, not a blank frame
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / out.name).write_bytes(out.read_bytes())
