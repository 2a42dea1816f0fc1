"""Issue 16, item 7: signing in from a terminal. `lanyard login` (the system browser: the stand-in
browser as $BROWSER), `login --device-code` (approved as a person does, on the sandbox's page),
then whoami, token, accounts and logout from the same cache; whoami --json's app roles after the
window's checks; advice that names the flags in use; --help; no log lines on the terminal.
Real msal, real requests, a real sandbox over HTTPS on loopback; lanyard in child processes."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.headless import EXIT_NO_ACCOUNT, EXIT_OK, EXIT_SIGN_IN, EXIT_STORE
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from tests.conftest import REPO, STANDIN_BROWSER
from tests.integration.test_headless import CHILD, lanyard
from tests.support.standin_browser import approve_device_code


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def flags(sandbox: Sandbox, tmp_path: Path) -> list[str]:
    """The settings of one person's Lanyard: this sandbox, a fresh profile folder."""
    info = tmp_path / "sandbox.json"
    info.write_text(json.dumps(sandbox.info.as_json()))
    return ["--sandbox", "--sandbox-info", str(info), "--profile-dir", str(tmp_path / "me")]


def browser_env(sandbox: Sandbox, tmp_path: Path, user: str) -> dict[str, str]:
    return os.environ | {
        "BROWSER": f"{sys.executable} {STANDIN_BROWSER} --detach",
        "STANDIN_CA": sandbox.info.ca_file,
        "STANDIN_USER": user,
        "STANDIN_LOG": str(tmp_path / f"standin-{user}.log"),
    }


def login_in_browser(sandbox: Sandbox, tmp_path: Path, flags: list[str], user: str) -> None:
    result = lanyard("login", *flags, env=browser_env(sandbox, tmp_path, user))
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout == f"Signed in as {user}.\n"
    assert "Opening your browser to sign in" in result.stderr


def login_with_device_code(sandbox: Sandbox, flags: list[str], user: str) -> str:
    """`lanyard login --device-code`, the code approved by a person on another device; returns
    what the command wrote to stderr."""
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, "login", "--device-code", *flags],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stderr is not None and child.stdout is not None
            said = [child.stderr.readline(), child.stderr.readline()]
            where = re.search(r"open (https://\S+) in a browser", said[0])
            code = re.search(r"enter the code (\S+) \(it expires at \d\d:\d\d\)", said[1])
            assert where and code, said
            page = approve_device_code(
                where.group(1), code.group(1), user=user, ca_file=sandbox.info.ca_file
            )
            assert "You have signed in" in page
            # read on from the same buffered streams (communicate() would skip what they hold)
            err = child.stderr.read()
            out = child.stdout.read()
            child.wait(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == EXIT_OK, err
    assert out == f"Signed in as {user}.\n"
    assert err.endswith("NO-QT") and "Traceback" not in err
    return "".join(said) + err


def test_login_with_a_device_code_then_the_same_cache_serves_every_command(
    sandbox: Sandbox, flags: list[str]
) -> None:
    said = login_with_device_code(sandbox, flags, directory.READER_UPN)
    assert "Waiting for you to finish there" in said
    who = lanyard("whoami", *flags)
    assert who.returncode == EXIT_OK, who.stderr
    assert f"User principal name: {directory.READER_UPN}" in who.stdout.splitlines()
    token = lanyard("token", *flags)
    assert token.returncode == EXIT_OK, token.stderr
    assert token.stdout.count(".") == 2  # a JWT, from the cache the login filled
    listed = lanyard("accounts", *flags)
    assert (listed.returncode, listed.stdout) == (EXIT_OK, f"{directory.READER_UPN}  (default)\n")
    gone = lanyard("logout", *flags)
    assert gone.returncode == EXIT_OK, gone.stderr
    assert gone.stdout == f"Signed out {directory.READER_UPN}: removed from this computer.\n"
    after = lanyard("whoami", *flags)
    assert after.returncode == EXIT_SIGN_IN
    assert "Nobody is signed in to Lanyard on this computer." in after.stderr
    assert f"Run `lanyard {' '.join(flags)} login` to sign in" in after.stderr  # flags in use
    empty = lanyard("accounts", "--json", *flags)
    assert (empty.returncode, json.loads(empty.stdout)) == (EXIT_SIGN_IN, [])


def test_login_in_the_browser_two_accounts_and_logout_of_one(
    sandbox: Sandbox, flags: list[str], tmp_path: Path
) -> None:
    login_in_browser(sandbox, tmp_path, flags, directory.ADMIN_UPN)
    login_in_browser(sandbox, tmp_path, flags, directory.READER_UPN)
    listed = lanyard("accounts", "--json", *flags)
    assert listed.returncode == EXIT_OK, listed.stderr
    accounts = json.loads(listed.stdout)
    assert {a["username"] for a in accounts} == {directory.ADMIN_UPN, directory.READER_UPN}
    assert [a["default"] for a in accounts] == [True, False]
    token = lanyard("token", "--json", "--account", directory.READER_UPN, *flags)
    assert json.loads(token.stdout)["account"] == directory.READER_UPN, token.stderr
    # an account nobody signed in as: its own exit status, naming those who are
    wrong = lanyard("logout", "--account", "nobody@contoso.test", *flags)
    assert wrong.returncode == EXIT_NO_ACCOUNT == 6
    assert "No signed-in account is called 'nobody@contoso.test'" in wrong.stderr
    assert directory.ADMIN_UPN in wrong.stderr and directory.READER_UPN in wrong.stderr
    gone = lanyard("logout", "--account", directory.READER_UPN.upper(), *flags)
    assert gone.returncode == EXIT_OK, gone.stderr
    assert gone.stdout == f"Signed out {directory.READER_UPN}: removed from this computer.\n"
    assert f"Still signed in: {directory.ADMIN_UPN}" in gone.stderr
    assert "/oauth2/v2.0/logout?logout_hint=" in gone.stderr  # the browser's session, told
    for command in ("whoami", "token"):
        stale = lanyard(command, "--account", directory.READER_UPN, *flags)
        assert stale.returncode == EXIT_NO_ACCOUNT, stale.stderr
        assert f"signed in: {directory.ADMIN_UPN})" in stale.stderr
    assert lanyard("whoami", *flags).returncode == EXIT_OK  # the other account is untouched


def test_whoami_json_reports_the_app_roles(
    sandbox: Sandbox, flags: list[str], tmp_path: Path
) -> None:
    login_in_browser(sandbox, tmp_path, flags, directory.ADMIN_UPN)
    document = json.loads(lanyard("whoami", "--json", *flags).stdout)
    assert (document["roles"], document["rolesNotShown"]) == (["Admin", "Reader"], [])
    plain = lanyard("whoami", *flags).stdout.splitlines()
    assert "App roles:           Admin, Reader" in plain


def _forged(id_token: str, **changes: object) -> str:
    """The ID token with some claims changed (and no valid signature: Lanyard does not verify
    one, it checks the claims, as the window does)."""
    payload = id_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{id_token.split('.')[0]}.{body}.c2lnbmF0dXJl"


def test_whoami_json_withholds_roles_an_id_token_fails_the_checks_for(
    sandbox: Sandbox, flags: list[str], tmp_path: Path
) -> None:
    lifetime = sandbox.state.access_token_lifetime
    sandbox.set_token_lifetime(60)  # under msal's 5 minutes: every whoami refreshes
    try:
        login_in_browser(sandbox, tmp_path, flags, directory.ADMIN_UPN)
        cache = json.loads((Path(flags[-1]) / "profile" / "token_cache.bin").read_text())
        [saved] = [entry["secret"] for entry in cache["IdToken"].values()]
        forged = _forged(saved, aud="another-application")
        sandbox.add_fault(FaultSpec("token", answer={"set": {"id_token": forged}}, count=None))
        result = lanyard("whoami", "--json", *flags)
    finally:
        sandbox.clear_faults()
        sandbox.set_token_lifetime(lifetime)
    assert result.returncode == EXIT_OK, result.stderr
    document = json.loads(result.stdout)
    assert document["roles"] is None
    assert document["rolesNotShown"] == ["the token was issued to a different application (aud)"]


def test_consent_required_points_at_granting_access(
    sandbox: Sandbox, flags: list[str], tmp_path: Path
) -> None:
    login_in_browser(sandbox, tmp_path, flags, directory.ADMIN_UPN)
    scope = sandbox.info.api_scope
    result = lanyard("token", "--scopes", scope, *flags)
    assert result.returncode == EXIT_SIGN_IN, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "lanyard: Lanyard needs your consent for a permission it asks for."
    assert lines[1].startswith(
        f"Grant access: run `lanyard {' '.join(flags)} login --scopes {scope}` and accept"
    )
    assert "Grant access in the Lanyard window" in lines[1]
    assert "to sign in" not in result.stderr


def argparse_run(*args: str) -> subprocess.CompletedProcess[str]:
    """``lanyard ARGS`` for what argparse answers itself (help, a bad command line): it exits
    before the child's own NO-QT line."""
    code = "import sys\nfrom desktop_app.__main__ import main\nsys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr
    return result


def test_client_id_with_sandbox_is_an_error(tmp_path: Path) -> None:
    for argv in (
        ("--sandbox", "--client-id", "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10", "whoami"),
        ("whoami", "--sandbox", "--client-id", "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"),
        ("login", "--client-id", "x", "--sandbox", "--profile-dir", str(tmp_path)),
    ):
        result = argparse_run(*argv)
        assert result.returncode == 2, argv
        assert "--client-id cannot be used with --sandbox" in result.stderr
        assert result.stdout == ""


def test_help_lists_the_commands_exit_statuses_and_examples() -> None:
    result = argparse_run("--help")
    assert result.returncode == 0
    text = result.stdout
    for command in ("login", "logout", "accounts", "whoami", "token"):
        assert re.search(rf"^  {command} +\S", text, re.MULTILINE), command
    flat = " ".join(text.split())
    for status in (
        "0 done",
        "1 failed",
        "2 bad command line",
        "3 a setting is wrong",
        "4 nobody is signed in",
        "5 the saved sign-in cannot be read",
        "6 --account names no signed-in account",
    ):
        assert status in flat
    examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(examples) >= 2 and all(line.strip().startswith("lanyard ") for line in examples)
    assert "--device-code" in argparse_run("login", "--help").stdout


def test_no_log_lines_on_the_terminal_unless_verbose(
    sandbox: Sandbox, flags: list[str], tmp_path: Path
) -> None:
    env = browser_env(sandbox, tmp_path, directory.ADMIN_UPN)
    quiet = lanyard("login", *flags, env=env)
    assert quiet.returncode == EXIT_OK, quiet.stderr
    assert not re.search(r" (DEBUG|INFO|WARNING) desktop_app", quiet.stderr), quiet.stderr
    for command in ("whoami", "accounts", "token"):
        assert " INFO " not in lanyard(command, *flags).stderr
    verbose = lanyard("whoami", "--verbose", *flags)
    assert verbose.returncode == EXIT_OK
    # --verbose: the log, on stderr
    assert re.search(r" (DEBUG|INFO|WARNING) desktop_app\.", verbose.stderr), verbose.stderr


def test_login_refuses_when_the_sign_in_cannot_be_saved(
    sandbox: Sandbox, flags: list[str], tmp_path: Path
) -> None:
    """No Secret Service here and plaintext refused: the window would keep the sign-in until it
    quits, a command would lose it at once, so no browser is opened for nothing."""
    env = browser_env(sandbox, tmp_path, directory.ADMIN_UPN) | {
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}"
    }
    result = lanyard("login", "--no-allow-plaintext-cache", *flags, env=env)
    assert result.returncode == EXIT_STORE, result.stderr
    assert result.stdout == ""
    assert "Opening your browser" not in result.stderr
    assert "Lanyard did not sign you in: this computer cannot save the sign-in" in result.stderr
    login = f"lanyard {' '.join(flags)} --no-allow-plaintext-cache login"
    assert f"then run `{login}` again." in result.stderr
    assert not (tmp_path / f"standin-{directory.ADMIN_UPN}.log").exists()  # no browser started
