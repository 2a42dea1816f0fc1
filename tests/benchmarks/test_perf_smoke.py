"""The benchmark suite in its short mode: it runs end to end and writes every figure.

Speed is not asserted here (the machine may be busy): only that each figure was measured, with
its baseline from the same run, or says why it was skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.perf import FIGURES
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and Xvfb")


@pytest.mark.timeout(240)
def test_quick_suite_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--quick", "--json", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=230,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    print(result.stdout)
    document = json.loads(out.read_text())
    figures = document["figures"]
    assert set(figures) == set(FIGURES)
    for name in FIGURES:
        entry = figures[name]
        if entry.get("skipped"):
            assert name == "installed_start", f"{name} skipped: {entry['skipped']}"
            continue
        assert isinstance(entry["value"], int | float), name
        assert isinstance(entry["baseline"], int | float), name
        assert entry["baseline_name"], name
        assert entry["met"] in (True, False), name
    for name in ("first_window", "warm_profile", "whoami"):
        assert figures[name]["value"] > 0
        assert len(figures[name]["runs"]) == document["settings"]["runs"]
    # each table row is printed, and the JSON says how it was measured
    for name in FIGURES:
        assert name in result.stdout
    assert document["settings"]["quick"] is True
    assert figures["first_window"]["note"].startswith("imported at first paint")
