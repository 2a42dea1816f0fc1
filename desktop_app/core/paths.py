"""Where Lanyard keeps its files on each platform (no Qt, so the headless commands can use it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "lanyard"


def _home() -> Path:
    return Path.home()


def config_dir() -> Path:
    """The platform's per-user configuration directory for Lanyard."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or _home() / "AppData" / "Roaming") / "Lanyard"
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / "Lanyard"
    base = os.environ.get("XDG_CONFIG_HOME") or str(_home() / ".config")
    return Path(base) / APP_DIR_NAME


def data_dir() -> Path:
    """Per-user data: the token cache, the profile snapshot, msal's HTTP cache."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or _home() / "AppData" / "Local") / "Lanyard"
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support" / "Lanyard"
    base = os.environ.get("XDG_DATA_HOME") or str(_home() / ".local" / "share")
    return Path(base) / APP_DIR_NAME


def resources_dir() -> Path:
    """resources/ from a source checkout, or from inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"  # desktop_app/core/ -> checkout


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700 on POSIX) and tighten it if it already exists."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path
