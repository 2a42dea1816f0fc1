"""Issue 15, the terminal commands (``lanyard whoami`` / ``token`` in a child process): in a
broken environment they exit with the code the README documents and say what is wrong on
stderr, naming the setting, never with a traceback, never hanging."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core.config_file import dumps
from desktop_app.headless import EXIT_CONFIG, EXIT_SIGN_IN
from tests.conftest import REPO
from tests.support import broken_env
from tests.support.broken_env import OTHER_UID, need_root

BOUND_S = 30.0  # Python, msal and an in-process sandbox start in a few seconds


def lanyard(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert time.monotonic() - started < BOUND_S
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "Something unexpected" not in result.stderr, result.stderr
    return result


def _empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("")
    return path


# -- 5 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("setting", ["config", "ca_bundle", "sandbox_info"])
def test_a_pipe_or_dev_zero_as_a_settings_file_exits_3_naming_it(
    tmp_path: Path, kind: str, setting: str
) -> None:
    with broken_env.bad_file(kind, tmp_path) as (path, words):
        flag = f"--{setting.replace('_', '-')}"
        args = ["whoami", flag, str(path), "--profile-dir", str(tmp_path / "p")]
        if setting != "config":
            args += ["--config", str(_empty_config(tmp_path))]
        if setting == "sandbox_info":
            args.append("--sandbox")
        result = lanyard(*args)
    assert result.returncode == EXIT_CONFIG
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"lanyard: Setting '{setting}' (")
    assert words in first


# -- 6 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("broken", ["folder", "read-only", "other-user"])
def test_a_broken_log_file_changes_nothing_for_the_commands(tmp_path: Path, broken: str) -> None:
    """The commands never write the log (README: nothing is logged), so a log file they could
    not use changes neither their exit code nor a line of what they say."""
    clean, damaged = tmp_path / "clean", tmp_path / "damaged"
    for profile in (clean, damaged):
        (profile / "logs").mkdir(parents=True, mode=0o700)
        profile.chmod(0o700)
    log_file = damaged / "logs" / "lanyard.log"
    if broken == "folder":
        log_file.mkdir()
    else:
        log_file.write_text("old\n")
        log_file.chmod(0o400 if broken == "read-only" else 0o600)
        if broken == "other-user":
            need_root()
            os.chown(log_file, OTHER_UID, OTHER_UID)
    expected = lanyard("whoami", "--sandbox", "--profile-dir", str(clean))
    result = lanyard("whoami", "--sandbox", "--profile-dir", str(damaged))
    assert expected.returncode == result.returncode == EXIT_SIGN_IN
    # the same lines, the advice naming each one's own --profile-dir
    assert (
        result.stderr.splitlines() == expected.stderr.replace(str(clean), str(damaged)).splitlines()
    )
    assert result.stderr.startswith("lanyard: Nobody is signed in")


# -- 7 -------------------------------------------------------------------------------------------

UNBALANCED = {
    "authority": "https://[login.microsoftonline.com/organizations",
    "graph_endpoint": "https://graph.microsoft.com]/v1.0",
    "proxy": "http://user:secret@[proxy.example.com:8080",
}


@pytest.mark.parametrize("where", ["flag", "environment", "file"])
@pytest.mark.parametrize("setting", list(UNBALANCED))
def test_an_unbalanced_bracket_exits_3_naming_the_setting(
    tmp_path: Path, setting: str, where: str
) -> None:
    config = tmp_path / "config.toml"
    file_values: dict[str, object] = {"client_id": "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"}
    args = ["token", "--config", str(config), "--profile-dir", str(tmp_path / "p")]
    env = {}
    if where == "flag":
        args += [f"--{setting.replace('_', '-')}", UNBALANCED[setting]]
        source = f"--{setting.replace('_', '-')}"
    elif where == "environment":
        env[f"LANYARD_{setting.upper()}"] = UNBALANCED[setting]
        source = f"environment variable LANYARD_{setting.upper()}"
    else:
        file_values[setting] = UNBALANCED[setting]
        source = str(config)
    config.write_text(dumps(file_values))
    result = lanyard(*args, env=env)
    assert result.returncode == EXIT_CONFIG
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"lanyard: Setting '{setting}' ({source}) has an unmatched [ or ]"
    )
    assert "secret" not in result.stderr


# -- 8 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("whose", ["shared-1777", "another-user"])
def test_a_profile_folder_lanyard_did_not_create_is_left_alone_with_one_warning(
    tmp_path: Path, whose: str
) -> None:
    folder = tmp_path / whose
    folder.mkdir()
    if whose == "shared-1777":
        folder.chmod(0o1777)
        words = "is shared with every user (mode 1777)"
    else:
        need_root()
        folder.chmod(0o755)
        os.chown(folder, OTHER_UID, OTHER_UID)
        words = f"belongs to another user (uid {OTHER_UID})"
    before = folder.stat()
    result = lanyard("whoami", "--sandbox", "--profile-dir", str(folder))
    after = folder.stat()
    assert result.returncode == EXIT_SIGN_IN  # it worked: nobody has signed in there yet
    assert (stat.S_IMODE(after.st_mode), after.st_uid) == (
        stat.S_IMODE(before.st_mode),
        before.st_uid,
    )
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        f"lanyard: warning: The folder {folder} {words}. Lanyard leaves it as it is; to keep "
        "its files private, give it a folder of your own."
    ]
    assert stat.S_IMODE((folder / "profile").stat().st_mode) == 0o700  # what Lanyard made
