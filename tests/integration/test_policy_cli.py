"""Managed policy from a terminal: `lanyard` in child processes with the policy seam pointed at a
test's own file (tests/support/policy_bootstrap.py). Signing in and whoami against the sandbox
with every setting from policy; a flag or variable for a locked setting refused (exit 3, naming
the policy); a damaged policy a warning on stderr, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.headless import EXIT_CONFIG, EXIT_OK, EXIT_SIGN_IN
from desktop_app.sandbox import Sandbox, directory
from tests.conftest import REPO, STANDIN_BROWSER
from tests.support.policy import reg_export

CLIENT = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def lanyard(
    policy: list[Path], *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.policy_bootstrap",
            *map(str, policy),
            "--",
            *args,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stderr.endswith("NO-QT"), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return result


def _sandbox_policy(sandbox: Sandbox, tmp_path: Path) -> Path:
    """A policy that alone points Lanyard at the sandbox: its app registration and tenant
    locked, its CA as a default."""
    info = sandbox.info
    path = tmp_path / "policy.toml"
    path.write_text(
        "[locked]\n"
        f'client_id = "{info.client_id}"\n'
        f'authority = "{info.authority}"\n'
        f'graph_endpoint = "{info.graph_endpoint}"\n'
        "instance_discovery = false\n"
        "[defaults]\n"
        f'ca_bundle = "{info.ca_file}"\n',
        encoding="utf-8",
    )
    return path


def test_sign_in_and_whoami_with_the_settings_of_the_policy(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    policy = _sandbox_policy(sandbox, tmp_path)
    profile = ["--profile-dir", str(tmp_path / "me")]
    env = os.environ | {
        "BROWSER": f"{sys.executable} {STANDIN_BROWSER} --detach",
        "STANDIN_CA": sandbox.info.ca_file,
        "STANDIN_USER": directory.READER_UPN,
        "STANDIN_LOG": str(tmp_path / "standin.log"),
    }
    login = lanyard([policy], "login", *profile, env=env)
    assert login.returncode == EXIT_OK, login.stderr
    assert login.stdout == f"Signed in as {directory.READER_UPN}.\n"
    who = lanyard([policy], "whoami", "--json", *profile)
    assert who.returncode == EXIT_OK, who.stderr
    assert f'"username": "{directory.READER_UPN}"' in who.stdout
    assert "managed policy" not in who.stderr  # nothing wrong with it
    # the same sign-in without the policy: Lanyard has no client id, so no settings at all
    bare = subprocess.run(
        [sys.executable, "-m", "desktop_app", "whoami", *profile],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bare.returncode != EXIT_OK


def test_a_flag_or_variable_for_a_locked_setting_is_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    policy = _sandbox_policy(sandbox, tmp_path)
    flag = lanyard([policy], "whoami", "--client-id", CLIENT, "--profile-dir", str(tmp_path))
    assert flag.returncode == EXIT_CONFIG == 3
    assert (
        f"Setting 'client_id' (--client-id) cannot be set: your organisation's policy sets it ({policy} [locked] client_id)."
        in flag.stderr
    )
    assert "Leave out --client-id" in flag.stderr
    variable = lanyard(
        [policy],
        "accounts",
        "--profile-dir",
        str(tmp_path),
        env=os.environ | {"LANYARD_TENANT": "x.com"},
    )
    assert variable.returncode == EXIT_CONFIG
    assert "environment variable LANYARD_TENANT" in variable.stderr
    assert f"{policy} [locked] authority" in variable.stderr


def test_a_locked_scopes_setting_leaves_a_commands_own_scopes_free(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The scopes setting is what Lanyard signs in for; ``token``, ``api`` and ``login
    --scopes`` ask for a token for one command's scopes, as the window's API console does, so
    a lock on the setting does not refuse them (the consent advice's own ``login --scopes``
    would be a dead end). The setting itself stays locked: whoami's flag and the variable."""
    policy = _sandbox_policy(sandbox, tmp_path)
    policy.write_text(
        policy.read_text().replace("[defaults]", 'scopes = ["User.Read"]\n[defaults]')
    )
    profile = ["--profile-dir", str(tmp_path / "me")]
    env = os.environ | {
        "BROWSER": f"{sys.executable} {STANDIN_BROWSER} --detach",
        "STANDIN_CA": sandbox.info.ca_file,
        "STANDIN_USER": directory.READER_UPN,
        "STANDIN_LOG": str(tmp_path / "standin.log"),
    }
    orders_write = f"{directory.API_URI}/Orders.ReadWrite"
    login = lanyard([policy], "login", "--scopes", orders_write, *profile, env=env)
    assert login.returncode == EXIT_OK, login.stderr
    token = lanyard([policy], "token", "--json", "--scopes", orders_write, *profile)
    assert token.returncode == EXIT_OK, token.stderr
    assert orders_write in token.stdout
    orders = f"{sandbox.info.api_endpoint}/orders"
    body = '{"item": "Lanyard, blue", "quantity": 2}'
    post = lanyard(
        [policy], "api", "POST", orders, "--scopes", orders_write, "--body", body, *profile
    )
    assert post.returncode == EXIT_OK, post.stderr
    assert '"quantity": 2' in post.stdout
    wrong = lanyard([policy], "token", "--scopes", "openid", *profile)
    assert wrong.returncode == EXIT_CONFIG  # checked as the setting is, named by its flag
    assert "--scopes" in wrong.stderr and "openid" in wrong.stderr
    setting = lanyard([policy], "whoami", "--scopes", "Mail.Read", *profile)
    assert setting.returncode == EXIT_CONFIG, setting.stderr
    assert f"({policy} [locked] scopes)" in setting.stderr
    variable = lanyard([policy], "token", *profile, env=os.environ | {"LANYARD_SCOPES": "X.Y"})
    assert variable.returncode == EXIT_CONFIG, variable.stderr
    assert "environment variable LANYARD_SCOPES" in variable.stderr


def test_a_locked_broker_refuses_the_flag_and_the_variable(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\nbroker = "off"\n')
    me = str(tmp_path / "me")
    flag = lanyard([policy], "accounts", "--broker", "auto", "--profile-dir", me)
    assert flag.returncode == EXIT_CONFIG, flag.stderr
    assert f"your organisation's policy sets it ({policy} [locked] broker)" in flag.stderr
    variable = lanyard(
        [policy], "accounts", "--profile-dir", me, env=os.environ | {"LANYARD_BROKER": "auto"}
    )
    assert variable.returncode == EXIT_CONFIG, variable.stderr
    assert "environment variable LANYARD_BROKER" in variable.stderr
    same = lanyard([policy], "accounts", "--profile-dir", me)
    assert same.returncode == EXIT_SIGN_IN, same.stderr  # the locked value itself runs


def test_a_default_applies_and_the_users_flag_replaces_it(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[defaults]\nclient_id = "{CLIENT}"\ntenant = "contoso.com"\n')
    listed = lanyard([policy], "accounts", "--profile-dir", str(tmp_path / "me"))
    assert listed.returncode == EXIT_SIGN_IN, listed.stderr  # configured: nobody signed in yet
    assert "Nobody is signed in" in listed.stderr
    own = lanyard(
        [policy], "accounts", "--client-id", "not-a-guid", "--profile-dir", str(tmp_path / "me")
    )
    assert own.returncode == EXIT_CONFIG  # the user's flag is in force, and checked
    assert "Setting 'client_id' (--client-id) must be the Application (client) ID" in own.stderr


def test_a_damaged_policy_is_a_warning_field_by_field(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[locked]\nclient_id = "{CLIENT}"\nproxy = "ftp://proxy"\nbrokr = true\n')
    result = lanyard([policy], "accounts", "--profile-dir", str(tmp_path / "me"))
    assert result.returncode == EXIT_SIGN_IN, result.stderr  # the good field kept: configured
    warnings = [line for line in result.stderr.splitlines() if "managed policy" in line]
    assert len(warnings) == 2, result.stderr
    said = "\n".join(warnings)
    assert f"Setting 'proxy' ({policy} [locked] proxy) must be a URL" in said
    assert f"{policy} [locked] brokr is not a Lanyard setting" in said
    policy.write_text("[locked\n")
    broken = lanyard([policy], "accounts", "--client-id", CLIENT, "--profile-dir", str(tmp_path))
    assert broken.returncode == EXIT_SIGN_IN
    assert f"managed policy: {policy} is not valid TOML" in broken.stderr


def test_the_registry_policy_from_a_regedit_export(tmp_path: Path) -> None:
    export = tmp_path / "lanyard.reg"
    export.write_bytes(
        reg_export([r"[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Lanyard]", f'"ClientId"="{CLIENT}"'])
    )
    refused = lanyard([export], "accounts", "--client-id", CLIENT, "--profile-dir", str(tmp_path))
    assert refused.returncode == EXIT_CONFIG
    assert r"(HKLM\SOFTWARE\Policies\Lanyard\ClientId)" in refused.stderr
    applied = lanyard([export], "accounts", "--profile-dir", str(tmp_path))
    assert applied.returncode == EXIT_SIGN_IN, applied.stderr
