"""A config file or environment holding anything at all: Lanyard either loads it or raises a
ConfigError naming the setting and where it came from; never another exception."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.config import FILE_KEYS, ConfigError, load_config
from tests.support import figures

_tried = [0]

# TOML-ish text built from Lanyard's own keys, so the examples reach the field checks
_values = st.one_of(
    st.text(max_size=40).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.integers().map(str),
    st.sampled_from(["true", "false", "[]", '["a", 1]', "{}", "1.5", '"http://x"', '""']),
    st.text(max_size=20),  # often not TOML at all
)
_lines = st.tuples(st.sampled_from((*FILE_KEYS, "bogus")), _values).map(
    lambda kv: f"{kv[0]} = {kv[1]}"
)
_files = st.one_of(
    st.lists(_lines, max_size=6).map(lambda lines: "\n".join(lines).encode("utf-8", "replace")),
    st.binary(max_size=200),
)


def _problem(load: Callable[[], object]) -> ConfigError | None:
    """The ConfigError ``load`` raised, or None; any other exception fails the test."""
    try:
        load()
    except ConfigError as exc:
        return exc
    return None


def _check(data: bytes) -> None:
    _tried[0] += 1
    figures.record("hostile config files", f"{_tried[0]} examples tried")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(data)
        problem = _problem(lambda: load_config({"config": str(path)}, env={}))
    if problem is not None:
        field = problem.details["field"]
        assert field in (*FILE_KEYS, "config", "bogus"), field
        assert f"Setting '{field}'" in problem.message
        assert problem.details["source"] == str(path)


@settings(max_examples=300, deadline=1000)
@given(_files)
def test_any_config_file_loads_or_names_the_problem(data: bytes) -> None:
    _check(data)


def test_a_config_file_that_is_not_utf8_names_the_file() -> None:
    _check('client_id = "caf\xe9"\n'.encode("latin-1"))


@settings(max_examples=200, deadline=1000)
@given(st.sampled_from(FILE_KEYS), st.text(min_size=1, max_size=60))
def test_any_environment_value_loads_or_names_the_variable(key: str, value: str) -> None:
    name = f"LANYARD_{key.upper()}"
    env = {name: value, "LANYARD_CONFIG": "/dev/null"}
    problem = _problem(lambda: load_config({"config": None}, env=env))
    if problem is not None:
        assert problem.details["field"] == key
        assert problem.details["source"] == f"environment variable {name}"
