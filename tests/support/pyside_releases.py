"""Which PySide6-Essentials releases leak references to True/None (session/qt_compat.py), by
installing each into a scratch venv and running the two detectors there; one JSON line each.

    python tests/support/pyside_releases.py [VERSION ...]

Not part of the suite (each release is an ~80 MB download); its answer is what pyproject.toml's
requirement and qt_compat's docstring say. Run on 2026-12-03, Python 3.11.7: 6.12.0 leaks both;
6.7.0, 6.7.3, 6.8.0, 6.8.3, 6.9.0, 6.9.3, 6.10.0, 6.10.3, 6.11.0, 6.11.1, 6.11.2, 6.11.3 neither.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CANDIDATES = [
    "6.12.0",
    "6.11.3",
    "6.11.2",
    "6.11.1",
    "6.11.0",
    "6.10.3",
    "6.10.0",
    "6.9.3",
    "6.9.0",
    "6.8.3",
    "6.8.0",
    "6.7.3",
    "6.7.0",
]
PROBE = f"""
import json, sys
sys.path.insert(0, {str(REPO)!r})
import PySide6
from desktop_app.session import qt_compat
print(json.dumps({{"version": PySide6.__version__, "python": sys.version.split()[0],
    "emit_drops_true": qt_compat.emit_drops_a_reference_to_true(),
    "void_call_drops_none": qt_compat.void_call_drops_a_reference_to_none()}}))
"""


def main(versions: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="pyside-releases-") as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for version in versions or CANDIDATES:
            pip = [str(venv / "bin" / "pip"), "install", "-q", "--force-reinstall"]
            installed = subprocess.run(
                [*pip, f"PySide6-Essentials=={version}"], capture_output=True, text=True
            )
            if installed.returncode != 0:
                print(json.dumps({"version": version, "install": "failed"}))
                continue
            probed = subprocess.run(
                [str(venv / "bin" / "python"), "-c", PROBE],
                capture_output=True,
                text=True,
                env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
            )
            print(probed.stdout.strip() or json.dumps({"version": version, "probe": "failed"}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
