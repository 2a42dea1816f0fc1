"""probe(): tests/support/app_probe.py run in a child process, and the report it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PROBE = REPO / "tests" / "support" / "app_probe.py"


def probe(
    check: str, *argv: str, env: dict[str, str] | None = None, policy: Path | None = None
) -> dict[str, object]:
    return probe_with_stderr(check, *argv, env=env, policy=policy)[0]


def probe_with_stderr(
    check: str, *argv: str, env: dict[str, str] | None = None, policy: Path | None = None
) -> tuple[dict[str, object], str]:
    """probe(), and what the window path wrote on stderr (no traceback in it, checked);
    ``policy``: the managed policy file the window reads (else none)."""
    seam = ["--policy", str(policy)] if policy is not None else []
    result = subprocess.run(
        [sys.executable, str(PROBE), check, *seam, "--", *argv],
        env={**os.environ, **(env or {}), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["exit_code"] == 0
    return report, result.stderr
