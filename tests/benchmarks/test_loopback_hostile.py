"""The hostile-loopback benchmark (tests/benchmarks/loopback_hostile.py) in its short mode: it
runs end to end and measures every figure. Timings and memory are printed, never asserted; what
is asserted are counts that do not depend on the machine's load: the serving threads stay within
the receiver's bound and none is left after the flood or after close()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.auth.loopback import MAX_CONNECTIONS
from tests.benchmarks.loopback_hostile import SCENARIOS
from tests.conftest import REPO

SCRIPT = REPO / "tests" / "benchmarks" / "loopback_hostile.py"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")


@pytest.mark.timeout(240)
def test_quick_run_measures_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "loopback.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=230,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    print("\n".join(result.stdout.splitlines()[:-1]))
    figures = json.loads(out.read_text())["figures"]
    for name in SCENARIOS:
        row = figures[name]
        for key in ("rss_growth_mb", "gui_stall_ms", "seconds"):
            assert isinstance(row[key], int | float), (name, key)
        assert row["threads_at_most"] <= MAX_CONNECTIONS, name
        assert row["threads_left"] == 0, name
    flood = figures["slow_flood"]
    assert flood["client"]["connected"] == 200 and flood["client"]["still_open"] == 0
    assert figures["full_slots"]["client"] == {"held": 16, "cut_off": 16}
    assert figures["threads_after_close"] == 0
    assert figures["bad_length"]["client"]["answers"] == ["HTTP/1.1 400"]  # not a traceback
