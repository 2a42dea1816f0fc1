"""core/demo.py: where the demo lives and when a person's choice of it is in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import demo
from desktop_app.core.config import Config

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
