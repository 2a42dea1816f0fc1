"""`lanyard whoami` and `lanyard token` in child processes, against the sandbox the window uses
(--sandbox --profile-dir): output, exit codes, messages, no Qt, no traceback, no token in logs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.config import Config
from desktop_app.headless import EXIT_CONFIG, EXIT_OK, EXIT_SIGN_IN
from desktop_app.sandbox import directory
from desktop_app.session.services import build_services
from tests.conftest import REPO
from tests.support.deceptive import deceptive_chars
from tests.support.sandbox_helpers import browser_sign_in

# runs Lanyard's real entry point, then says on stderr whether Qt was ever imported
CHILD = (
    "import sys\n"
    "from desktop_app.__main__ import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write('QT-IMPORTED' if 'PySide6' in sys.modules else 'NO-QT')\n"
    "sys.exit(code)\n"
)


def lanyard(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stderr.endswith("NO-QT"), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return result


def _signed_in_as(upn: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A --sandbox profile directory in which the window's sign-in has been done as ``upn``."""
    profile = tmp_path_factory.mktemp("headless")
    with pytest.MonkeyPatch.context() as patch:
        browser = REPO / "tests" / "support" / "standin_browser.py"
        patch.setenv("BROWSER", f"{sys.executable} {browser} --detach")
        patch.setenv("STANDIN_USER", upn)
        patch.setenv("STANDIN_LOG", str(profile / "standin.log"))
        services = build_services(Config(sandbox=True, profile_dir=profile), True)
        try:
            assert services.sandbox is not None
            patch.setenv("STANDIN_CA", services.sandbox.info.ca_file)
            browser_sign_in(services.auth)
        finally:
            services.close()
    return profile


@pytest.fixture(scope="module")
def signed_in_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _signed_in_as(directory.ADMIN_UPN, tmp_path_factory)


def test_whoami_shows_an_override_as_its_escape_never_obeys_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # the directory's surname is "Graham\u202egnp.exe": on a terminal it would read
    # "Grahamexe.png"; its display name holds markup, Arabic, Hebrew and an emoji with a ZWJ
    profile = str(_signed_in_as(directory.HOSTILE_UPN, tmp_path_factory))
    result = lanyard("whoami", "--sandbox", "--profile-dir", profile)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Last name:           Graham\\u202egnp.exe" in result.stdout.splitlines()
    assert deceptive_chars(result.stdout) == []
    seeded = directory.Directory().user(directory.HOSTILE_UPN)
    assert seeded is not None and seeded.display_name in result.stdout  # the rest as it is
    as_json = lanyard("whoami", "--json", "--sandbox", "--profile-dir", profile)
    assert deceptive_chars(as_json.stdout) == []
    document = json.loads(as_json.stdout)  # still JSON
    assert document["profile"]["surname"] == "Graham\\u202egnp.exe"  # what the window shows
    assert document["profile"]["displayName"] == seeded.display_name


def test_whoami_prints_the_profile_without_qt(signed_in_profile: Path) -> None:
    result = lanyard("whoami", "--sandbox", "--profile-dir", str(signed_in_profile))
    assert result.returncode == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    assert "Display name:        Megan Bowen" in lines
    assert f"User principal name: {directory.ADMIN_UPN}" in lines
    assert result.stderr == "NO-QT"


def test_whoami_json_and_flags_before_the_command(signed_in_profile: Path) -> None:
    result = lanyard("--sandbox", "--profile-dir", str(signed_in_profile), "whoami", "--json")
    assert result.returncode == EXIT_OK, result.stderr
    document = json.loads(result.stdout)
    assert document["account"]["username"] == directory.ADMIN_UPN
    assert document["profile"]["displayName"] == "Megan Bowen"
    assert document["profile"]["businessPhones"]


def test_token_prints_only_the_token_and_never_logs_it(signed_in_profile: Path) -> None:
    args = ("--sandbox", "--profile-dir", str(signed_in_profile), "--verbose")
    plain = lanyard("token", *args)
    assert plain.returncode == EXIT_OK, plain.stderr
    token = plain.stdout.strip()
    assert plain.stdout == token + "\n"
    assert token.count(".") == 2 and token.startswith("eyJ")  # a JWT, and nothing else
    assert token not in plain.stderr  # --verbose logs go to stderr: redacted
    document = json.loads(lanyard("token", "--json", *args).stdout)
    assert document["accessToken"].count(".") == 2
    assert document["tokenType"] == "Bearer"
    assert "User.Read" in document["scopes"]
    assert document["account"] == directory.ADMIN_UPN
    for log in signed_in_profile.rglob("*.log"):
        assert token not in log.read_text(errors="replace")


def test_nobody_signed_in(tmp_path: Path) -> None:
    result = lanyard("whoami", "--sandbox", "--profile-dir", str(tmp_path))
    assert result.returncode == EXIT_SIGN_IN
    assert result.stdout == ""
    assert "Nobody is signed in" in result.stderr
    assert "Run lanyard to sign in" in result.stderr


def test_a_scope_never_consented_tells_to_sign_in_in_the_window(signed_in_profile: Path) -> None:
    from desktop_app.sandbox.directory import API_SCOPE

    result = lanyard(
        "token", "--scopes", API_SCOPE, "--sandbox", "--profile-dir", str(signed_in_profile)
    )
    assert result.returncode == EXIT_SIGN_IN, result.stderr
    assert result.stdout == ""
    assert "Run lanyard to sign in" in result.stderr
    assert "65001" in result.stderr  # the AADSTS code support asks for


def test_an_unknown_account_is_a_usage_problem(signed_in_profile: Path) -> None:
    result = lanyard(
        "whoami", "--account", "nobody@x", "--sandbox", "--profile-dir", str(signed_in_profile)
    )
    assert result.returncode == EXIT_CONFIG
    assert directory.ADMIN_UPN in result.stderr


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--client-id", "not-a-guid"), "client_id"),
        (("--config", "/nonexistent/lanyard.toml"), "config"),
        (("--scopes", "openid"), "scopes"),
    ],
)
def test_a_config_error_names_the_field(tmp_path: Path, args: tuple[str, ...], field: str) -> None:
    result = lanyard("whoami", *args, "--profile-dir", str(tmp_path))
    assert result.returncode == EXIT_CONFIG
    assert f"Setting '{field}'" in result.stderr


def test_not_set_up_says_so(tmp_path: Path) -> None:
    result = lanyard("token", "--profile-dir", str(tmp_path), "--config", str(empty(tmp_path)))
    assert result.returncode == EXIT_CONFIG
    assert "not set up" in result.stderr


def empty(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("")
    return path
