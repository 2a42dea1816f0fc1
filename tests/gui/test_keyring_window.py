"""The window with its token cache in a real Secret Service (gnome-keyring on a private D-Bus,
tests/support/keyring.py): lanyard's real window path in a child process in that session
(tests/support/app_probe.py).

Issue 15: the item deleted from outside while the window runs (item 13), and the keyring
locked and unlocked again while it runs (item 11)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.sandbox import Sandbox, directory
from tests.support.keyring import Keyring, secret_service
from tests.support.run_app_probe import probe

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="the Secret Service is the Linux store"
)

ENCRYPTED = "encrypted in your keyring (Secret Service)"


@pytest.fixture
def signed_in(
    tmp_path: Path, sandbox: Sandbox, standin_browser: Callable[..., Path]
) -> Iterator[tuple[Keyring, list[str], Path]]:
    """A keyring holding a sign-in to the sandbox, and the flags for lanyard to use both."""
    with secret_service(tmp_path / "ring") as keyring:
        info = tmp_path / "sandbox.json"
        info.write_text(json.dumps(sandbox.info.as_json()))
        root = tmp_path / "lanyard"
        profile = root / "profile"  # what --sandbox-info --profile-dir ROOT uses
        standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
        keyring.run("sign-in", info.read_text(), str(profile), directory.ADMIN_UPN)
        flags = ["--sandbox", "--sandbox-info", str(info), "--profile-dir", str(root)]
        yield keyring, flags, profile.resolve() / "token_cache.bin"


def outcome(check: str, flags: list[str], env: dict[str, str]) -> dict[str, str]:
    value = probe(check, *flags, env=env)["value"]
    assert value is not None, f"{check}: the window did not get there within 30 s"
    report: dict[str, str] = json.loads(str(value))
    return report


def test_an_item_cleared_from_outside_signs_the_window_out_and_nothing_is_written_back(
    signed_in: tuple[Keyring, list[str], Path],
) -> None:
    keyring, flags, cache = signed_in
    env = keyring.child_env() | {"PROBE_CACHE": str(cache)}
    report = outcome("keyring_cleared", flags, env)
    # heard on the bus (the Secret Service's ItemDeleted), not by the 60 s safety net
    assert float(report["seconds"]) < 10, report
    assert "signed out" in report["banner"]
    assert keyring.lookup(cache) is None  # nothing written back, by the window or its quit
    assert [i for i in keyring.items() if "RefreshToken" in i.get("secret", "")] == []


def test_the_status_bar_follows_a_keyring_locked_and_unlocked_while_the_window_runs(
    signed_in: tuple[Keyring, list[str], Path],
) -> None:
    keyring, flags, cache = signed_in
    before = keyring.lookup(cache)
    report = outcome("keyring_locked", flags, keyring.child_env())
    assert report["signed_in"] == f"Token cache: {ENCRYPTED}"
    assert report["locked"] == f"⚠ Token cache: {ENCRYPTED} — not saved now: the keyring is locked"
    assert "cannot be saved right now: the keyring is locked" in report["banner"]
    assert report["unlocked"] == f"Token cache: {ENCRYPTED}"  # back, and no restart
    after = keyring.lookup(cache)
    assert before is not None and after is not None and after != before  # the refresh, saved
