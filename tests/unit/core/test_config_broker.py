"""The ``broker`` setting (issue 21 part 2): off unless asked for; from the file, LANYARD_BROKER
or --broker, in that order of strength; anything but off or auto refused, naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import build_parser, config_flags
from desktop_app.core.config import BROKER_CHOICES, FILE_KEYS, ConfigError, load_config


def file_with(tmp_path: Path, text: str) -> dict[str, object | None]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"config": str(path)}


def test_off_by_default(tmp_path: Path) -> None:
    assert load_config(file_with(tmp_path, ""), env={}).broker == "off"
    assert "broker" in FILE_KEYS  # so the file, the environment and policy all carry it
    assert BROKER_CHOICES == ("off", "auto")


def test_file_then_environment_then_flag(tmp_path: Path) -> None:
    flags = file_with(tmp_path, 'broker = "auto"\n')
    assert load_config(flags, env={}).broker == "auto"
    assert load_config(flags, env={"LANYARD_BROKER": "off"}).broker == "off"
    assert load_config({**flags, "broker": "auto"}, env={"LANYARD_BROKER": "off"}).broker == "auto"


def test_case_and_spaces_do_not_matter(tmp_path: Path) -> None:
    assert load_config(file_with(tmp_path, 'broker = " AUTO "\n'), env={}).broker == "auto"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('broker = "on"', "must be one of off, auto."),
        ('broker = "wam"', "must be one of off, auto."),
        ("broker = true", "must be a non-empty text value."),
        ('broker = ""', "must be a non-empty text value."),
        ('broker = ["auto"]', "must be a non-empty text value."),
    ],
)
def test_a_wrong_value_names_the_field_and_where_it_is(
    tmp_path: Path, text: str, problem: str
) -> None:
    flags = file_with(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(flags, env={})
    assert caught.value.details["field"] == "broker"
    assert caught.value.details["source"] == flags["config"]
    assert caught.value.details["problem"] == problem
    assert caught.value.message.startswith(f"Setting 'broker' ({flags['config']}) ")


def test_the_environment_variable_is_named_when_wrong(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(file_with(tmp_path, ""), env={"LANYARD_BROKER": "yes"})
    assert caught.value.details["source"] == "environment variable LANYARD_BROKER"


def test_the_flag(tmp_path: Path) -> None:
    parser = build_parser()
    empty = file_with(tmp_path, "")["config"]
    args = parser.parse_args(["--broker", "auto", "--config", str(empty)])
    assert config_flags(args)["broker"] == "auto"
    assert load_config(config_flags(args), env={}).broker == "auto"
    args = parser.parse_args(["whoami", "--broker", "off"])  # after a command too
    assert config_flags(args)["broker"] == "off"
    with pytest.raises(SystemExit) as refused:
        parser.parse_args(["--broker", "always"])
    assert refused.value.code == 2
