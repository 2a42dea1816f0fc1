"""The token-leak scan (tests/support/leak_scan.py) finds a planted token, and only real leaks.

Each case runs a small pytest session in a child process with the scan's hooks, a real sandbox
issuing real device codes (so the registry in $SANDBOX_ISSUED_TOKENS_FILE is exercised too).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.sandbox import Sandbox
from tests.support.leak_scan import ISSUED_ENV, issued_secrets, scan

REPO = Path(__file__).resolve().parents[2]

CONFTEST = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from tests.support.leak_scan import prepare, pytest_runtest_logreport, pytest_sessionfinish
prepare()
"""

TEST_FILE = """
import os
import requests
from desktop_app.sandbox import Sandbox

def device_code():
    with Sandbox() as sb:
        response = requests.post(
            f"{sb.info.authority}/oauth2/v2.0/devicecode",
            data={"client_id": sb.info.client_id, "scope": "User.Read"},
            verify=sb.info.ca_file,
            timeout=10,
        )
        return response.json()["device_code"]

def test_writes(tmp_path):
    code = device_code()
    mode = os.environ["PLANT"]
    if "log" in mode:
        (tmp_path / "lanyard.log").write_text(f"polling with {code}\\n")
    if "stdout" in mode:
        print("device code", code)
    if "cache0600" in mode:
        os.umask(0o077)
        (tmp_path / "token_cache.bin").write_text(code)
    if "cache0644" in mode:
        cache = tmp_path / "token_cache.bin"
        cache.write_text(code)
        cache.chmod(0o644)
"""


def run_session(tmp_path: Path, plant: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_planted.py").write_text(TEST_FILE)
    env = dict(os.environ, PLANT=plant)
    env.pop(ISSUED_ENV, None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_token_planted_in_a_log_and_in_stdout_fails_the_run(tmp_path: Path) -> None:
    run = run_session(tmp_path, "log+stdout+cache0644")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed" in run.stdout  # the test itself passed: the scan failed the run
    leaks = [line for line in run.stdout.splitlines() if "LEAK:" in line]
    assert len(leaks) == 3, run.stdout
    assert any("lanyard.log" in line and "device_code" in line for line in leaks)
    assert any("captured output of test_planted.py::test_writes" in line for line in leaks)
    assert any(line.endswith("token_cache.bin") for line in leaks)  # 0644: not allowed
    assert "1 issued secrets (device_code 1)" in run.stdout
    assert ": 3 hits;" in run.stdout


def test_a_0600_token_cache_is_where_tokens_belong(tmp_path: Path) -> None:
    run = run_session(tmp_path, "cache0600")
    assert run.returncode == 0, run.stdout + run.stderr
    assert ": 0 hits; 1 token caches (0600, allowed)" in run.stdout


def test_every_sandbox_appends_what_it_issued_to_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "issued.jsonl"
    monkeypatch.setenv(ISSUED_ENV, str(registry))
    with Sandbox() as sb:
        sb.state.record_token("access", "a-value-long-enough-to-count")
        listed = sb.issued_tokens()
    assert issued_secrets(registry) == {t["value"]: t["kind"] for t in listed}
    assert registry.stat().st_mode & 0o777 == 0o600


def test_scan_reports_the_file_kind_and_a_preview_only(tmp_path: Path) -> None:
    secret = "eyJhbGciOiJSUzI1NiJ9.planted.signature-part"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "config.toml").write_text(f"token = '{secret}'")
    (tmp_path / "clean.txt").write_text("nothing here")
    result = scan({secret: "id"}, [tmp_path], {"t::x": ["fine"], "t::y": [f"x{secret}y"]})
    assert (result.tokens, result.files, result.outputs) == (1, 2, 2)
    assert sorted(h.where for h in result.hits) == sorted(
        [str(tmp_path / "sub" / "config.toml"), "captured output of t::y"]
    )
    assert all(h.kind == "id" and secret not in h.preview for h in result.hits)


def test_scan_looks_inside_zip_bundles(tmp_path: Path) -> None:
    import zipfile

    secret = "1.SBX.code.a-compressed-secret-" + "x" * 40
    with zipfile.ZipFile(tmp_path / "diagnostics.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("logs/lanyard.log", f"line {secret} line\n" * 50)
    assert secret.encode() not in (tmp_path / "diagnostics.zip").read_bytes()  # compressed away
    result = scan({secret: "code"}, [tmp_path], {})
    assert [h.where for h in result.hits] == [str(tmp_path / "diagnostics.zip")]
