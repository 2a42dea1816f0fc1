"""The many-roles benchmark (tests/benchmarks/roles_scale.py) in its short mode: it runs end to
end and measures every step for both windows. Times are printed, never asserted; what is asserted
is that each step was measured with its 10-role baseline from the same run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "tests" / "benchmarks" / "roles_scale.py"
# every tab of the window after Profile (ui/panel_tabs.py), each measured against its baseline
TABS = {"roles", "token", "inspector", "api", "admin"}
STEPS = {"apply", "compact", "uncompact"} | {f"tab_{name}" for name in TABS}


@pytest.mark.timeout(240)
def test_quick_run_measures_every_step(tmp_path: Path) -> None:
    out = tmp_path / "roles.json"
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=230,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    print(result.stdout)
    document = json.loads(out.read_text())
    assert document["settings"] == {"runs": 2, "roles": 10_000, "baseline_roles": 10}
    base, many = document["steps_ms"]["baseline"], document["steps_ms"]["many"]
    filters = {f"filter_{t}" for t in ("1", "12", "123", "1234", "cleared")}
    assert set(many) == set(base) == STEPS | filters
    assert all(isinstance(v, float) and v > 0 for v in [*base.values(), *many.values()])
    worst = document["worst_stall"]
    assert worst["value_ms"] == max(many.values()) and worst["step"] in many
    assert "worst GUI stall with 10,000 roles" in result.stdout
