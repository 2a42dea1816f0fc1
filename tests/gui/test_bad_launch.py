"""Bad command-line arguments and corrupt settings, through the real ``python -m desktop_app`` in a
child process: a clear message naming the problem, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.run_app_probe import probe


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--cloud", "mars"], ["argument --cloud", "invalid choice: 'mars'"]),
        (["--frobnicate"], ["unrecognized arguments: --frobnicate"]),
        (["--client-id"], ["argument --client-id", "expected one argument"]),
        (["--no-allow-plaintext-cache=yes"], ["--no-allow-plaintext-cache", "ignored explicit"]),
    ],
    ids=["bad-choice", "unknown-flag", "missing-value", "value-for-a-switch"],
)
def test_bad_arguments_exit_2_naming_the_argument(argv: list[str], words: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", *argv],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("usage: lanyard")
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('client_id = "caf\xe9"\n'.encode("latin-1"), ["'config'", "is not UTF-8 text"]),
        (b"\x00\x01\x02 garbage \xff" * 50, ["'config'"]),
        (b"client_id = 123\n", ["'client_id'", "must be a non-empty text value"]),
        (b'authority = "http://login.example/x"\n', ["'authority'", "must be an https:// URL"]),
        (b'colour = "red"\n', ["'colour'", "is not a Lanyard setting"]),
    ],
    ids=["latin-1", "binary", "wrong-type", "http-authority", "unknown-key"],
)
def test_a_corrupt_config_file_is_named_in_the_window(
    tmp_path: Path, content: bytes, words: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(content)
    shown = probe("setup_problem", "--config", str(config))["value"]  # no traceback, exit 0
    assert isinstance(shown, str)
    assert str(config) in shown
    for word in words:
        assert word in shown, shown


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('client_id = "00000000-0000-0000-0000-000000000001"\n')
    shown = probe(
        "setup_problem",
        "--config",
        str(config),
        env={"LANYARD_ALLOW_PLAINTEXT_CACHE": "maybe"},
    )["value"]
    assert isinstance(shown, str)
    assert "'allow_plaintext_cache' (environment variable LANYARD_ALLOW_PLAINTEXT_CACHE)" in shown
    assert "must be true or false" in shown
