"""Every file a setting or a flag names (the config file, ca_bundle, --sandbox-info and the CA it
names) is read with read_bounded: a named pipe or /dev/zero there is a ConfigError naming the
setting, at once, never a hang or a read until memory runs out."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core import config_file, net
from desktop_app.core.config import ConfigError, load_config
from tests.support import broken_env
from tests.support.broken_env import BAD_FILES, BOUND_S

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture(params=BAD_FILES)
def bad_file(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    with broken_env.bad_file(str(request.param), tmp_path) as made:
        yield made


def _config_error(load: Callable[[], object]) -> ConfigError:
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        load()
    assert time.monotonic() - started < BOUND_S
    return caught.value


@pytest.mark.timeout(10)
@pytest.mark.parametrize("where", ["flag", "environment", "file"])
def test_a_ca_bundle_that_is_not_a_regular_file_names_the_setting(
    tmp_path: Path, bad_file: tuple[Path, str], where: str
) -> None:
    path, words = bad_file
    settings = tmp_path / "config.toml"
    settings.write_text(f'ca_bundle = "{path}"\n' if where == "file" else "")
    flags: dict[str, object | None] = {"config": str(settings)}
    env = {}
    if where == "flag":
        flags["ca_bundle"] = str(path)
    elif where == "environment":
        env["LANYARD_CA_BUNDLE"] = str(path)
    problem = _config_error(lambda: load_config(flags, env=env))
    assert problem.details["field"] == "ca_bundle"
    source = {"flag": "--ca-bundle", "environment": "environment variable LANYARD_CA_BUNDLE"}
    assert problem.details["source"] == source.get(where, str(settings))
    assert f"Setting 'ca_bundle' ({problem.details['source']})" in problem.message
    assert f"'{path}' {words}" in problem.message


@pytest.mark.timeout(10)
@pytest.mark.parametrize("how", ["flag", "environment"])
def test_a_config_file_that_is_not_a_regular_file_names_it(
    bad_file: tuple[Path, str], how: str
) -> None:
    path, words = bad_file
    flags: dict[str, object | None] = {"config": str(path) if how == "flag" else None}
    env = {"LANYARD_CONFIG": str(path)} if how == "environment" else {}
    problem = _config_error(lambda: load_config(flags, env=env))
    assert problem.details["field"] == "config"
    assert problem.message.startswith(f"Setting 'config' ({path}) {words}")


def test_dev_null_as_the_config_file_means_no_settings() -> None:
    config = load_config({"config": os.devnull}, env={})
    assert config.client_id is None


@pytest.mark.timeout(10)
def test_the_settings_dialog_refuses_to_overwrite_a_pipe(tmp_path: Path) -> None:
    """Saving reads the file first (to keep its other keys): a pipe there is an OSError the
    form shows, not a hang."""
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    started = time.monotonic()
    with pytest.raises(OSError, match="is a named pipe"):
        config_file.save(path, {"client_id": CLIENT})
    assert time.monotonic() - started < BOUND_S
    assert path.is_fifo()


@pytest.mark.timeout(10)
def test_a_ca_bundle_swapped_for_a_pipe_after_the_check_names_the_setting(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(PEM)
    config = load_config({"config": os.devnull, "ca_bundle": str(ca)}, env={})
    ca.unlink()
    os.mkfifo(ca)
    problem = _config_error(lambda: net.trust_bundle(config.ca_bundle, tmp_path / "work"))
    assert problem.details["field"] == "ca_bundle"
    assert "is a named pipe, not a file" in problem.message
