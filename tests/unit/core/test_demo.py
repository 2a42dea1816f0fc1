"""core/demo.py: where the demo lives and when a person's choice of it is in force."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop_app.core import demo
from desktop_app.core.config import Config, ConfigError

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "lanyard" / "demo"


def test_the_demo_has_its_own_folder_unless_a_profile_is_given(
    data_home: Path, tmp_path: Path
) -> None:
    config = Config(profile_dir=tmp_path / "mine")
    assert demo.demo_home(config, explicit=False) == data_home
    assert demo.demo_home(config, explicit=True) == tmp_path / "mine"
    assert demo.explicit_profile(None, {}) is False
    assert demo.explicit_profile(None, {"LANYARD_PROFILE_DIR": "/x"}) is True
    assert demo.explicit_profile("/x", {}) is True


def test_the_choice_is_in_force_until_forgotten_and_a_client_id_for_one_start_wins(
    data_home: Path,
) -> None:
    config = Config()
    assert demo.apply_choice(config, {}, {}).sandbox is False
    assert not demo.has_been_used(data_home)
    assert demo.remember_choice(data_home) is None
    assert demo.is_chosen(data_home)
    assert oct(data_home.stat().st_mode & 0o777) == "0o700"
    assert demo.apply_choice(config, {}, {}).sandbox is True
    assert demo.apply_choice(config, {"client_id": CLIENT}, {}).sandbox is False
    assert demo.apply_choice(config, {}, {"LANYARD_CLIENT_ID": CLIENT}).sandbox is False
    # a client id in the config file does not: the file is what Leave the demo goes back to
    assert demo.apply_choice(Config(client_id=CLIENT), {}, {}).sandbox is True
    demo.forget_choice(data_home)
    demo.forget_choice(data_home)  # twice: nothing to forget is fine
    assert demo.apply_choice(config, {}, {}).sandbox is False


def test_a_choice_that_cannot_be_kept_is_said_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    problem = demo.remember_choice(blocker / "demo")
    assert problem is not None and "next time" in problem and str(blocker) in problem
    assert not demo.is_chosen(blocker / "demo")


def test_a_config_file_that_cannot_load_does_not_keep_the_demo_from_starting(
    data_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo reads nothing of config.toml: chosen, or asked for by --sandbox, it starts with
    the flags' profile folder even when the file is broken; without it the file's error stands,
    as does one in the flags themselves."""
    broken = tmp_path / "config.toml"
    broken.write_text("tenant = [\n", encoding="utf-8")
    env = {"LANYARD_CONFIG": str(broken)}
    with pytest.raises(ConfigError, match="not valid TOML"):
        demo.start_config({}, False, env)
    assert demo.start_config({}, True, env).sandbox is True  # --sandbox
    mine = tmp_path / "mine"
    with pytest.raises(ConfigError, match="not valid TOML"):
        demo.start_config({"profile_dir": str(mine)}, False, env)
    assert demo.remember_choice(mine) is None
    chosen = demo.start_config({"profile_dir": str(mine)}, False, env)
    assert chosen.sandbox is True and chosen.profile_dir == mine
    assert demo.demo_home(chosen, explicit=True) == mine
    # a client id for this start still wins over the choice: the file's error is said
    with pytest.raises(ConfigError, match="not valid TOML"):
        demo.start_config({"profile_dir": str(mine), "client_id": CLIENT}, False, env)
    # a broken flag as well: no folder to run the demo in; the file's error is said first
    with pytest.raises(ConfigError, match="not valid TOML"):
        demo.start_config({"profile_dir": str(broken / "x")}, True, env)
    assert isinstance(demo.flags_only({"profile_dir": str(broken / "x")}, env), ConfigError)
    # a file that loads: the demo as chosen, over its settings
    good = tmp_path / "good.toml"
    good.write_text(f'client_id = "{CLIENT}"\n', encoding="utf-8")
    config = demo.start_config({"profile_dir": str(mine)}, False, {"LANYARD_CONFIG": str(good)})
    assert config.sandbox is True and config.client_id == CLIENT


def test_a_link_planted_where_the_marker_goes_is_replaced_not_written_through(
    tmp_path: Path,
) -> None:
    """--profile-dir may name a folder another user can write to (paths.py warns, and uses it):
    a link they planted as the marker must not turn choosing the demo into a write to one of
    this user's files."""
    home = tmp_path / "shared"
    home.mkdir()
    victim = tmp_path / "bashrc"
    victim.write_text("mine\n", encoding="utf-8")
    (home / demo.CHOSEN_FILE).symlink_to(victim)
    assert demo.remember_choice(home) is None
    assert victim.read_text(encoding="utf-8") == "mine\n"
    marker = home / demo.CHOSEN_FILE
    assert not marker.is_symlink() and marker.is_file() and demo.is_chosen(home)
    demo.forget_choice(home)
    assert not demo.is_chosen(home) and victim.exists()


def test_a_folder_where_the_marker_goes_is_said_and_not_chosen(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    (home / demo.CHOSEN_FILE).mkdir(parents=True)
    assert not demo.is_chosen(home)
    problem = demo.remember_choice(home)
    assert problem is not None and "next time" in problem
    demo.forget_choice(home)  # logged, not raised
    assert not demo.is_chosen(home)


NOBODY_STARTS = """
import json
from desktop_app.cli import parse_args
from desktop_app.core import demo
from desktop_app.headless import _config
from desktop_app.ui.app import initial_config

config, problem = initial_config(parse_args([]))
headless, _explicit = _config(parse_args(["whoami"]))
home = demo.demo_home(config, False)
print(json.dumps({"sandbox": config.sandbox, "problem": problem is not None,
                  "headless": headless.sandbox, "used": demo.has_been_used(home)}))
"""


def test_a_demo_folder_this_user_cannot_look_into_is_no_choice_not_a_traceback() -> None:
    """For real, as uid 65534: the demo's folder in the data folder left mode 000 (a `sudo
    lanyard` made it root's, or the person chmodded it): Path.is_file raises PermissionError on
    EACCES, which escaped initial_config and headless._config on every start of the window and
    of `lanyard whoami`."""
    import subprocess

    from tests.conftest import REPO
    from tests.support.unprivileged import nobody_env, nobody_folder, nobody_python

    with nobody_folder() as folder:
        env = nobody_env(folder)
        home = Path(env["XDG_DATA_HOME"]) / "lanyard" / "demo"
        home.mkdir(parents=True)
        (home / demo.CHOSEN_FILE).write_text("chosen\n")
        os.chown(home.parent, 65534, 65534)
        home.chmod(0o000)
        child = subprocess.run(
            nobody_python(
                NOBODY_STARTS,
                "json",
                "desktop_app.cli",
                "desktop_app.core.demo",
                "desktop_app.headless",
                "desktop_app.ui.app",
            ),
            cwd=REPO,
            env=env | {"PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert child.returncode == 0, child.stderr
        report = json.loads(child.stdout.splitlines()[-1])
        assert report == {"sandbox": False, "problem": False, "headless": False, "used": False}
        assert "cannot be looked at" in child.stderr or "Permission denied" in child.stderr
