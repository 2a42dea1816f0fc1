"""`lanyard whoami` and `lanyard token` in child processes, against the sandbox the window uses
(--sandbox --profile-dir): output, exit codes, messages, no Qt, no traceback, no token in logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.config import Config
from desktop_app.headless import EXIT_CONFIG, EXIT_NO_ACCOUNT, EXIT_OK, EXIT_SIGN_IN, EXIT_STORE
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


def lanyard(
    *args: str, env: dict[str, str] | None = None, argv: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``lanyard ARGS`` in a child; ``argv``: another interpreter command line for it (as
    another user: tests/support/unprivileged.py)."""
    result = subprocess.run(
        [*(argv or [sys.executable, "-c", CHILD]), *args],
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


def test_the_launchers_path_ends_without_teardown_and_loses_nothing(
    signed_in_profile: Path,
) -> None:
    """``python -m desktop_app`` (as the lanyard launchers: main() with the process's own
    command line) ends the process itself once answered (process_exit.py): the same output,
    block-buffered to a pipe, and the same exit codes as main(argv)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    args = ("--sandbox", "--profile-dir", str(signed_in_profile))
    for command in (("whoami",), ("whoami", "--json"), ("token", "--json")):
        launched = subprocess.run(
            [sys.executable, "-m", "desktop_app", *command, *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        called = lanyard(*command, *args, env=env)
        assert launched.returncode == called.returncode == EXIT_OK, launched.stderr
        assert launched.stderr == ""
        if command[0] == "token":  # the cached token both times; compared as JSON
            assert json.loads(launched.stdout) == json.loads(called.stdout)
        else:
            assert launched.stdout == called.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "desktop_app", "whoami", "--account", "nobody@x.test", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert unknown.returncode == EXIT_NO_ACCOUNT
    assert "nobody@x.test" in unknown.stderr


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
    login = f"lanyard --sandbox --profile-dir {tmp_path} login"
    assert f"Run `{login}` to sign in (it opens your browser" in result.stderr


def test_a_scope_never_consented_points_at_granting_access(signed_in_profile: Path) -> None:
    from desktop_app.sandbox.directory import API_SCOPE

    result = lanyard(
        "token", "--scopes", API_SCOPE, "--sandbox", "--profile-dir", str(signed_in_profile)
    )
    assert result.returncode == EXIT_SIGN_IN, result.stderr
    assert result.stdout == ""
    grant = f"lanyard --sandbox --profile-dir {signed_in_profile} login --scopes {API_SCOPE}"
    assert f"Grant access: run `{grant}`" in result.stderr
    assert "to sign in" not in result.stderr
    assert "65001" in result.stderr  # the AADSTS code support asks for


def test_an_unknown_account_has_its_own_exit_status(signed_in_profile: Path) -> None:
    result = lanyard(
        "whoami", "--account", "nobody@x", "--sandbox", "--profile-dir", str(signed_in_profile)
    )
    assert result.returncode == EXIT_NO_ACCOUNT != EXIT_CONFIG  # not "a setting is wrong"
    assert f"(signed in: {directory.ADMIN_UPN})" in result.stderr
    login = f"lanyard --sandbox --profile-dir {signed_in_profile} login --account"
    assert f"or run `{login} nobody@x` to sign in as that account" in result.stderr


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


# -- a cache that is damaged, or that Lanyard may not read (issue 15, item 10) ------------------

CLIENT_ID = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"  # any GUID: these fail before the network


@pytest.mark.parametrize("command", ["whoami", "token"])
def test_a_damaged_cache_is_moved_aside_and_said(tmp_path: Path, command: str) -> None:
    cache = tmp_path / "token_cache.bin"
    cache.write_bytes(b'{"RefreshToken": {"k": {"secret": "half a wri')
    result = lanyard(command, "--client-id", CLIENT_ID, "--profile-dir", str(tmp_path))
    assert result.returncode == EXIT_SIGN_IN  # it is gone: a sign-in is needed
    kept = list(tmp_path.glob("token_cache.bin.corrupt-*"))
    assert len(kept) == 1 and not cache.exists()
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "lanyard: The saved sign-in could not be used: it is not valid JSON (truncated or "
        "overwritten). A fresh cache was started."
    )
    login = f"lanyard --profile-dir {tmp_path} --client-id {CLIENT_ID} login"
    assert lines[1] == (
        f"Sign in again with `{login}`. The damaged cache was kept for diagnosis as {kept[0]}."
    )
    assert "lanyard: Nobody is signed in to Lanyard on this computer." in lines
    record = json.loads((tmp_path / "token_cache.damaged.json").read_text())
    assert [entry["moved_to"] for entry in record] == [str(kept[0])]  # for the next window
    assert record[0]["by"].startswith(f"'lanyard {command}' (process ")


NOBODY_LANYARD = (
    "import sys\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write('QT-IMPORTED' if 'PySide6' in sys.modules else 'NO-QT')\n"
    "sys.exit(code)\n"
)
# what lanyard imports before it reads the cache (then the child is uid 65534: see below)
NOBODY_PRELOAD = (
    "desktop_app.__main__",
    "desktop_app.headless",
    "desktop_app.session.services",
    "desktop_app.auth.client",
    "desktop_app.auth.token_cache",
    "desktop_app.auth.cache_store",
    "desktop_app.auth.secret_service_store",
    "desktop_app.auth.http_cache",
    "desktop_app.core.logs",
    "msal",
    "requests",
    "socket",
    "ssl",
)


@pytest.mark.parametrize("command", ["whoami", "token"])
def test_a_cache_lanyard_may_not_read_is_left_alone_and_said(command: str) -> None:
    """An intact cache that belongs to another user (root, 0600), read by uid 65534 for real
    (root reads anything): "cannot read", its own exit code, the file left as it is."""
    from desktop_app.auth.cache_store import PlaintextFileStore
    from desktop_app.auth.token_cache import PersistentTokenCache
    from tests.support.cache_events import sign_in_event
    from tests.support.unprivileged import nobody_env, nobody_folder, nobody_python

    with nobody_folder() as folder:
        cache = folder / "token_cache.bin"
        root_cache = PersistentTokenCache(PlaintextFileStore(cache), None)
        root_cache.add(sign_in_event("u1", "a@contoso.test"))  # no issued token: made up here
        before = cache.stat()
        content = cache.read_bytes()
        argv = nobody_python(
            "from desktop_app.__main__ import main\n" + NOBODY_LANYARD, *NOBODY_PRELOAD
        )
        result = lanyard(
            command,
            "--client-id",
            CLIENT_ID,
            "--profile-dir",
            str(folder),
            env=nobody_env(folder) | {"PYTHONPATH": str(REPO)},
            argv=argv,
        )
        assert result.returncode == EXIT_STORE, result.stderr
        assert result.stdout == ""
        lines = result.stderr.removesuffix("NO-QT").splitlines()
        assert lines[0] == (
            "lanyard: Your saved sign-in cannot be read right now: Lanyard may not read the "
            f"token cache (Permission denied: {cache})."
        )
        assert f"Lanyard left {cache} as it is" in lines[1]
        assert lines[1].endswith("You do not need to sign in again.")
        # said once, not also as a notice; the folder (0755) is also warned about, once (item 8)
        folder_warning = f"lanyard: warning: The folder {folder} can be read by other users"
        assert [line for line in lines[2:] if not line.startswith(folder_warning)] == [
            f"  cache: {cache}"
        ]
        assert sum(line.startswith(folder_warning) for line in lines) == 1
        assert "Nobody is signed in" not in result.stderr
        after = cache.stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
        assert cache.read_bytes() == content  # left as it is
        assert not list(folder.glob("*.corrupt-*"))  # not moved aside as damage


# -- a locked or stopped keyring (issue 15, item 11) ----------------------------------------------


@pytest.fixture
def keyring_profile(tmp_path: Path, standin_browser):  # type: ignore[no-untyped-def]
    """A real gnome-keyring (tests/support/keyring.py) holding a sign-in made to a sandbox,
    and a --sandbox-info file for lanyard to use that sandbox."""
    from desktop_app.sandbox import Sandbox
    from tests.support.keyring import secret_service

    with Sandbox() as sandbox, secret_service(tmp_path / "ring") as keyring:
        info = tmp_path / "sandbox.json"
        info.write_text(json.dumps(sandbox.info.as_json()))
        profile = tmp_path / "lanyard"
        standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
        keyring.run("sign-in", info.read_text(), str(profile / "profile"), directory.ADMIN_UPN)
        yield keyring, ["--sandbox", "--sandbox-info", str(info), "--profile-dir", str(profile)]


@pytest.mark.skipif(sys.platform != "linux", reason="the Secret Service is the Linux store")
@pytest.mark.parametrize("break_it", ["locked", "stopped"])
def test_a_locked_or_stopped_keyring_is_not_nobody_signed_in(
    keyring_profile, break_it: str
) -> None:  # type: ignore[no-untyped-def]
    keyring, flags = keyring_profile
    env = keyring.child_env()
    ok = lanyard("whoami", *flags, env=env)
    assert ok.returncode == EXIT_OK, ok.stderr  # the sign-in is there
    if break_it == "locked":
        keyring.lock()
        why = "the keyring is locked"
        advice = "Lanyard picks up your saved sign-in by itself, no restart needed."
    else:
        keyring.stop_daemon()
        why = "no Secret Service is running"
        advice = "Lanyard tries it again by itself."
    for command in ("whoami", "token"):
        result = lanyard(command, *flags, env=env)
        assert result.returncode == EXIT_STORE, result.stderr
        assert result.stdout == ""  # no token
        lines = result.stderr.removesuffix("NO-QT").splitlines()
        assert lines[0] == f"lanyard: Your saved sign-in cannot be read right now: {why}."
        assert advice in lines[1] and lines[1].endswith("You do not need to sign in again.")
        assert "restart Lanyard" not in result.stderr
        assert "Nobody is signed in" not in result.stderr
        assert " login`" not in result.stderr  # not sent to sign in again


def test_the_exit_status_list_names_the_store_code() -> None:
    from desktop_app.cli import EXIT_CODES

    assert "5 the saved sign-in cannot be read or saved now" in EXIT_CODES
    assert "6 --account names no signed-in account" in EXIT_CODES
    assert "6 `--account` names no signed-in account" in (REPO / "README.md").read_text()
    readme = (REPO / "README.md").read_text()
    assert "5 a sign-in is saved (or may be) but cannot be read or saved now" in readme
    assert EXIT_STORE == 5
