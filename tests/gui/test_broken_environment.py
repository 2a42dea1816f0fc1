"""Issue 15, the window: started for real (tests/support/app_probe.py, a child process) in a
broken environment, it opens, says what is wrong once, and never prints a traceback:

- a named pipe or /dev/zero as the config file, ca_bundle or --sandbox-info: named, at once;
- a log file it cannot use (a folder, read-only, another user's): stderr only, one line;
- an unbalanced [ in authority, graph_endpoint or proxy: the settings form opens, with the
  problem beside the field when the field is there;
- a shared (1777) or another user's folder as --profile-dir: used as it is, with a warning.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from desktop_app.core.config_file import dumps
from tests.support import broken_env
from tests.support.broken_env import OTHER_UID, need_root
from tests.support.run_app_probe import probe, probe_with_stderr

START_BOUND_S = 45.0  # a child Python and Qt start in a few seconds; a hang runs to the timeout
CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"


def _empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("")
    return path


def _report(value: object) -> dict[str, object]:
    assert isinstance(value, str), value
    report: dict[str, object] = json.loads(value)
    return report


# -- 5: files a setting names that must not be read ------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("setting", ["config", "ca_bundle"])
def test_a_pipe_or_dev_zero_as_a_settings_file_is_named_at_once(
    tmp_path: Path, kind: str, setting: str
) -> None:
    with broken_env.bad_file(kind, tmp_path) as (path, words):
        argv = [f"--{setting.replace('_', '-')}", str(path)]
        if setting != "config":
            argv += ["--config", str(_empty_config(tmp_path))]
        started = time.monotonic()
        shown = probe("setup_problem", *argv)["value"]
        assert time.monotonic() - started < START_BOUND_S
    assert isinstance(shown, str)
    assert f"Setting '{setting}'" in shown
    assert words in shown


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_pipe_or_dev_zero_as_sandbox_info_is_named_in_the_window(
    tmp_path: Path, kind: str
) -> None:
    """The session finds it (on the auth worker) and the window goes back to set-up, saying so."""
    with broken_env.bad_file(kind, tmp_path) as (path, words):
        started = time.monotonic()
        shown = probe(
            "setup_problem",
            *("--sandbox", "--sandbox-info", str(path), "--profile-dir", str(tmp_path / "p")),
        )["value"]
        assert time.monotonic() - started < START_BOUND_S
    assert isinstance(shown, str)
    assert shown.startswith("Setting 'sandbox_info' (--sandbox-info) names no sandbox")
    assert words in shown


# -- 6: a log file that cannot be used -------------------------------------------------------


def _log_in_a_folder(log_file: Path) -> str:
    log_file.mkdir()
    return "is a folder, not a file"


def _log_read_only(log_file: Path) -> str:
    log_file.write_text("old\n")
    log_file.chmod(0o400)
    return "is read-only"


def _log_of_another_user(log_file: Path) -> str:
    need_root()
    log_file.write_text("left by sudo lanyard\n")
    log_file.chmod(0o600)
    os.chown(log_file, OTHER_UID, OTHER_UID)
    return f"belongs to another user (uid {OTHER_UID})"


@pytest.mark.parametrize(
    "break_it", [_log_in_a_folder, _log_read_only, _log_of_another_user], ids=lambda f: f.__name__
)
def test_a_log_file_it_cannot_use_never_stops_the_window(tmp_path: Path, break_it: object) -> None:
    profile = tmp_path / "profile"
    (profile / "logs").mkdir(parents=True, mode=0o700)
    profile.chmod(0o700)
    log_file = profile / "logs" / "lanyard.log"
    assert callable(break_it)
    reason = break_it(log_file)
    report, stderr = probe_with_stderr(
        "start_banner", "--profile-dir", str(profile), "--config", str(_empty_config(tmp_path))
    )
    started = _report(report["value"])
    assert started["page"] == "SetupPage"  # the window opened: first run, set-up
    notice = f"The log file {log_file} {reason}: Lanyard logs to stderr only."
    assert started["banner"] == notice
    assert started["severity"] == "warning"
    mentions = [line for line in stderr.splitlines() if "log file" in line]
    assert len(mentions) == 1 and mentions[0].endswith(notice), stderr[-2000:]
    assert "Logging error" not in stderr


# -- 7: URLs urllib cannot split -------------------------------------------------------------

UNBALANCED = {
    "authority": "https://[login.microsoftonline.com/organizations",
    "graph_endpoint": "https://graph.microsoft.com]/v1.0",
    "proxy": "http://user:secret@[proxy.example.com:8080",
}


@pytest.mark.parametrize("setting", list(UNBALANCED))
def test_an_unbalanced_bracket_in_the_config_file_opens_the_form_with_the_problem(
    tmp_path: Path, setting: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(dumps({"client_id": CLIENT, setting: UNBALANCED[setting]}))
    shown = _report(probe("setup_form", "--config", str(config))["value"])
    expected = f"Setting '{setting}' ({config}) has an unmatched [ or ]"
    assert isinstance(shown["page_problem"], str) and shown["page_problem"].startswith(expected)
    errors = shown["field_errors"]
    assert isinstance(errors, dict)
    if setting == "graph_endpoint":  # not a field of the form: said above it
        assert errors == {}
    else:
        label = {"authority": "Authority URL", "proxy": "Proxy"}[setting]
        assert list(errors) == [setting]
        assert errors[setting].startswith(f"{label} has an unmatched [ or ]")
        assert shown["focused"] == setting
    assert "secret" not in json.dumps(shown)


@pytest.mark.parametrize("setting", list(UNBALANCED))
@pytest.mark.parametrize("where", ["flag", "environment"])
def test_an_unbalanced_bracket_from_a_flag_or_variable_opens_the_form_naming_it(
    tmp_path: Path, setting: str, where: str
) -> None:
    argv = ["--config", str(_empty_config(tmp_path))]
    env = {}
    if where == "flag":
        argv += [f"--{setting.replace('_', '-')}", UNBALANCED[setting]]
        source = f"--{setting.replace('_', '-')}"
    else:
        env[f"LANYARD_{setting.upper()}"] = UNBALANCED[setting]
        source = f"environment variable LANYARD_{setting.upper()}"
    shown = _report(probe("setup_form", *argv, env=env)["value"])
    problem = shown["page_problem"]
    assert isinstance(problem, str)
    assert problem.startswith(f"Setting '{setting}' ({source}) has an unmatched [ or ]")
    assert "secret" not in json.dumps(shown)  # the overridden proxy field shows it redacted


# -- 8: a profile folder that is not Lanyard's -----------------------------------------------


@pytest.mark.parametrize("whose", ["shared-1777", "another-user"])
def test_a_profile_folder_lanyard_did_not_create_is_left_alone_with_a_warning(
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
    started = _report(
        probe(
            "start_banner", "--profile-dir", str(folder), "--config", str(_empty_config(tmp_path))
        )["value"]
    )
    after = folder.stat()
    assert (stat.S_IMODE(after.st_mode), after.st_uid) == (
        stat.S_IMODE(before.st_mode),
        before.st_uid,
    )
    banner = started["banner"]
    assert isinstance(banner, str)
    assert f"The folder {folder} {words}. Lanyard leaves it as it is" in banner
    # what Lanyard made inside it is private
    assert stat.S_IMODE((folder / "logs").stat().st_mode) == 0o700
