"""core/paths.py on platformdirs: the folders Lanyard has always used, so that an existing
user's settings and token cache are found after the change (issue 18 item 4)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop_app.core import paths


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG conventions")
def test_linux_follows_xdg_and_defaults_to_the_folders_used_before(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert paths.config_dir() == home / ".config" / "lanyard"
    assert paths.data_dir() == home / ".local" / "share" / "lanyard"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    assert paths.config_dir() == home / "cfg" / "lanyard"
    assert paths.data_dir() == home / "data" / "lanyard"
    monkeypatch.setenv("XDG_CONFIG_HOME", "  ")  # set but blank: the default, as the spec says
    assert paths.config_dir() == home / ".config" / "lanyard"


def test_windows_settings_roam_and_tokens_stay_local(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """platformdirs asks Windows' known-folder API; its documented override variables stand
    in for it here (they win on Windows too)."""
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("WIN_PD_OVERRIDE_APPDATA", "C:\\Users\\me\\AppData\\Roaming")
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", "C:\\Users\\me\\AppData\\Local")
    config, data = str(paths.config_dir()), str(paths.data_dir())
    assert config.startswith("C:\\Users\\me\\AppData\\Roaming") and config.endswith("Lanyard")
    assert data.startswith("C:\\Users\\me\\AppData\\Local") and data.endswith("Lanyard")
    assert "Lanyard" + "\\" not in config and "Lanyard" + "/" not in config  # no author folder


def test_macos_uses_application_support(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    expected = home / "Library" / "Application Support" / "Lanyard"
    assert paths.config_dir() == expected
    assert paths.data_dir() == expected
