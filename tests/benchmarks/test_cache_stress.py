"""The cache stress script (tests/benchmarks/cache_stress.py) in CI: Lanyard's cache must lose
nothing; the same script must see stock msal-extensions lose reads, or it measures nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "tests" / "benchmarks" / "cache_stress.py"
ARTIFACTS = REPO / ".artifacts"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork and SIGKILL")


def stress(*args: str, timeout: float) -> dict[str, dict[str, dict[str, int]]]:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout.strip().splitlines()[:-1]
    print("\n".join(table))
    ARTIFACTS.mkdir(exist_ok=True)
    name = "cache_stress_" + "_".join(a.lstrip("-") for a in args[:2]) + ".txt"
    (ARTIFACTS / name).write_text("\n".join(table) + "\n")
    figures: dict[str, dict[str, dict[str, int]]] = json.loads(result.stdout.splitlines()[-1])
    return figures


@pytest.mark.timeout(300)
def test_lanyard_cache_loses_nothing_under_stress() -> None:
    lanyard = stress("--impl", "lanyard", "--seconds", "3", "--kills", "200", timeout=280)[
        "lanyard"
    ]
    for scenario, figures in lanyard.items():
        problems = {
            k: v
            for k, v in figures.items()
            if k
            in (
                "empty_reads",
                "partial_reads",
                "file_empty_reads",
                "lost_accounts",
                "lost_refreshes",
                "errors",
            )
            and v
        }
        assert problems == {}, f"{scenario}: {problems}"
    # and the scenarios really ran
    assert lanyard["poll"]["reads"] > 1000 and lanyard["poll"]["writes"] > 20
    assert lanyard["poll"]["loads"] > 10  # the reader re-read the cache while it changed
    assert lanyard["concurrent"]["writes"] == 4 * 61
    assert lanyard["kill"]["runs"] == 200


@pytest.mark.timeout(120)
def test_the_script_sees_stock_msal_extensions_lose_reads() -> None:
    stock = stress(
        "--impl", "stock", "--seconds", "2", "--kills", "0", "--refreshes", "5", timeout=100
    )["stock"]
    assert stock["poll"]["empty_reads"] > 0  # truncate-then-write: readers see an empty cache
