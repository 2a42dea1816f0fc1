"""--sandbox-info, and the CA file its JSON names (handed to OpenSSL as it is), are read with
read_bounded: a pipe or /dev/zero there names --sandbox-info at once."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from desktop_app.core.config import load_config
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.session.services import running_sandbox
from tests.support import broken_env
from tests.support.broken_env import BAD_FILES, BOUND_S

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"


@pytest.mark.timeout(10)
@pytest.mark.parametrize("what", ["info", "ca_file"])
@pytest.mark.parametrize("kind", BAD_FILES)
def test_sandbox_info_that_is_not_a_regular_file_names_the_flag(
    tmp_path: Path, kind: str, what: str
) -> None:
    with broken_env.bad_file(kind, tmp_path) as (path, words):
        _check(tmp_path, path, words, what)


def _check(tmp_path: Path, path: Path, words: str, what: str) -> None:
    info = path
    if what == "ca_file":
        info = tmp_path / "info.json"
        described = {
            "authority": "https://127.0.0.1:1/t",
            "client_id": CLIENT,
            "graph_endpoint": "https://127.0.0.1:1/v1.0",
            "ca_file": str(path),
        }
        info.write_text(json.dumps(described))
    config = load_config({"config": os.devnull}, env={})
    started = time.monotonic()
    with pytest.raises(LanyardError) as caught:
        running_sandbox(config, info, explicit_profile=True)
    assert time.monotonic() - started < BOUND_S
    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.message.startswith("Setting 'sandbox_info' (--sandbox-info)")
    assert f"'{path}' {words}" in caught.value.message


def test_the_sandbox_port_is_remembered_beside_a_planted_link_not_through_it(
    tmp_path: Path,
) -> None:
    """The demo's state folder may be in a folder another user writes to (--profile-dir): a
    link planted as its port file is replaced, not written through into this user's files."""
    from desktop_app.core.demo import SANDBOX_STATE_DIR
    from desktop_app.session.services import SANDBOX_PORT_FILE, _start_on_remembered_port

    state = tmp_path / SANDBOX_STATE_DIR
    state.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    (state / SANDBOX_PORT_FILE).symlink_to(victim)
    sandbox = _start_on_remembered_port(state)
    try:
        port = sandbox.info.base_url.rsplit(":", 1)[1].split("/")[0]
        assert victim.read_text() == "mine\n"
        assert not (state / SANDBOX_PORT_FILE).is_symlink()
        assert (state / SANDBOX_PORT_FILE).read_text() == port
    finally:
        sandbox.stop()
