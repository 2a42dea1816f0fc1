"""A policy file others may write, from a terminal (tests/support/policy_bootstrap.py): refused
as a whole with one warning on stderr naming the file and why, the command running on the
user's own settings; the same policy made root's alone applies (core/managed_policy.py Trust)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.headless import EXIT_CONFIG, EXIT_SIGN_IN
from tests.integration.test_policy_cli import lanyard

CLIENT = "11111111-2222-3333-4444-555555555555"


def test_a_policy_others_may_write_is_a_warning_and_not_obeyed(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\n')
    policy.chmod(0o666)
    refused = lanyard([policy], "accounts", "--profile-dir", str(tmp_path / "me"))
    assert refused.returncode == EXIT_CONFIG, refused.stderr  # no client id: not configured
    warnings = [line for line in refused.stderr.splitlines() if "managed policy" in line]
    assert len(warnings) == 1, refused.stderr
    assert f"{policy} can be changed by other users (mode 0666)" in warnings[0]
    assert warnings[0].startswith("lanyard: warning: managed policy: ")

    policy.chmod(0o644)
    obeyed = lanyard([policy], "accounts", "--profile-dir", str(tmp_path / "me"))
    assert obeyed.returncode == EXIT_SIGN_IN, obeyed.stderr  # configured by the policy
    assert "managed policy" not in obeyed.stderr
