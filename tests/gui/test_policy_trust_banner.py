"""A policy file others may write, in the window: its refusal is said in the start banner, as
any damaged policy is (the real window path in a child process, tests/support/app_probe.py)."""

from __future__ import annotations

from pathlib import Path

from tests.support.run_app_probe import probe

CLIENT = "11111111-2222-3333-4444-555555555555"


def test_a_policy_others_may_write_is_said_in_the_start_banner(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\n')
    policy.chmod(0o664)
    config = tmp_path / "config.toml"
    config.write_text("")
    shown = probe("banner", "--config", str(config), policy=policy)["value"]
    assert isinstance(shown, str)
    assert "Managed policy:" in shown
    assert f"{policy} can be changed by other users (mode 0664)" in shown
    assert "chmod 644" in shown
