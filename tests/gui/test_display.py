"""The window on a real X server (Xvfb): signed in to the sandbox, screenshotted, and looked at."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.conftest import REPO, STANDIN_BROWSER
from tests.support.screenshots import ARTIFACTS, distinct_colours
from tests.support.xvfb import display_env, xvfb_display

pytestmark = pytest.mark.display
SCRIPT = REPO / "tests" / "support" / "screenshot_app.py"

ADMIN, NO_ROLES = "megan.bowen@contoso.test", "grady.archie@contoso.test"
SCENES = [
    *[(panel, ADMIN) for panel in ("profile", "roles", "token", "admin")],
    *[(panel, NO_ROLES) for panel in ("profile", "roles", "token")],
    ("device-code", ADMIN),
    ("sign-in-needed", ADMIN),
    ("api", ADMIN),
]


def shoot(out: Path, scene: str, user: str) -> subprocess.CompletedProcess[str]:
    with xvfb_display() as display:
        env = display_env(display)
        env["BROWSER"] = f"{sys.executable} {STANDIN_BROWSER} --detach"
        env.pop("STANDIN_CA", None)
        return subprocess.run(
            [sys.executable, str(SCRIPT), str(out), "--scene", scene, "--user", user],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )


def test_no_admin_view_to_shoot_for_a_user_without_the_role(tmp_path: Path) -> None:
    result = shoot(tmp_path / "none.png", "admin", NO_ROLES)
    assert result.returncode == 3, result.stderr[-2000:]
    assert not (tmp_path / "none.png").exists()


@pytest.mark.parametrize(("scene", "user"), SCENES)
def test_window_on_xvfb(tmp_path: Path, scene: str, user: str) -> None:
    who = "admin" if user == ADMIN else "no-roles"
    out = tmp_path / f"window-{scene}-{who}.png"
    result = shoot(out, scene, user)
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 600
    assert distinct_colours(image) > 40  # a drawn window (photo, text, widgets), not a blank frame
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / out.name).write_bytes(out.read_bytes())
