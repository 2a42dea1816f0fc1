"""The token cache in a real Secret Service: gnome-keyring on a private D-Bus session bus, real
msal signing in to the sandbox, each Lanyard in its own process (tests/support/keyring.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.sandbox import Sandbox
from tests.support.keyring import Keyring, secret_service
from tests.support.sandbox_helpers import files_holding, idp_requests

pytestmark = pytest.mark.skipif(
    __import__("sys").platform != "linux", reason="libsecret is the Linux store"
)

ADMIN = "megan.bowen@contoso.test"
READER = "alex.wilber@contoso.test"
ENCRYPTED = "encrypted by libsecret (Secret Service)"


@pytest.fixture
def keyring(tmp_path: Path) -> Iterator[Keyring]:
    with secret_service(tmp_path) as ring:
        yield ring


def profile_of(keyring: Keyring) -> Path:
    return keyring.home / ".local" / "share" / "lanyard"


def run(keyring: Keyring, sandbox: Sandbox, command: str, argument: str = "") -> dict[str, object]:
    info = json.dumps(sandbox.info.as_json())
    return keyring.run(command, info, str(profile_of(keyring)), argument)


def issued(sandbox: Sandbox) -> list[str]:
    tokens = [str(t["value"]) for t in sandbox.issued_tokens()]
    assert tokens
    return tokens


def test_cache_lives_in_the_secret_service_and_no_token_in_any_file(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    signed_in = run(keyring, sandbox, "sign-in", ADMIN)
    assert signed_in["signed_in"] == ADMIN
    assert signed_in["protection"] == ENCRYPTED and signed_in["encrypted"]
    assert signed_in["notices"] == []

    profile = profile_of(keyring)
    stored = keyring.lookup(profile / "token_cache.bin")  # read back with secret-tool
    assert stored is not None
    tokens = issued(sandbox)
    assert any(token in stored for token in tokens)  # the refresh token is in the keyring...
    assert json.loads(stored)["Account"]
    # ...and in no file: the profile, HOME, the XDG dirs and gnome-keyring's own (encrypted)
    # keyring file, which must exist for this to mean anything
    assert list((keyring.home / ".local" / "share" / "keyrings").glob("*.keyring"))
    assert not (profile / "token_cache.bin").exists()
    assert files_holding(tmp_path, tokens) == {}

    sandbox.clear_requests()
    second = run(keyring, sandbox, "status")  # another process reads the same cache silently
    assert second["accounts"] == [ADMIN]
    assert second["source"] == "cache"
    assert second["notices"] == []
    assert idp_requests(sandbox) == []


def test_locked_keyring_means_session_only_with_a_clear_message(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    run(keyring, sandbox, "sign-in", ADMIN)
    saved = keyring.lookup(profile_of(keyring) / "token_cache.bin")
    keyring.lock()

    report = run(keyring, sandbox, "status")
    assert report["protection"] == "not saved, this session only (the keyring is locked)"
    assert not report["persisted"] and not report["encrypted"]
    assert report["accounts"] == []  # the saved one cannot be read: not a silent empty cache...
    assert len(report["notices"]) == 1  # ...the person is told why and what to do
    assert "will not be saved: the keyring is locked" in report["notices"][0]  # type: ignore[index]
    assert "Unlock your keyring" in report["advice"][0]  # type: ignore[index]

    standin_browser(sandbox.info.ca_file, READER)
    session = run(keyring, sandbox, "sign-in", READER)  # signing in still works, in memory
    assert session["signed_in"] == READER and not session["persisted"]
    profile = profile_of(keyring)
    assert not (profile / "token_cache.bin").exists()  # never a plaintext fallback
    assert files_holding(tmp_path, issued(sandbox)) == {}
    assert saved is not None and "RefreshToken" in saved  # what was saved before is still there


def test_keyring_locked_mid_session_keeps_the_session_and_says_so(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    run(keyring, sandbox, "sign-in", ADMIN)
    report = run(keyring, sandbox, "refresh-while-locked")
    assert report["refreshed"] == "identity_provider" and report["new_token"]
    assert report["served_from_memory"]
    assert report["protection"] == ENCRYPTED
    messages = report["notices"]
    assert isinstance(messages, list) and len(messages) == 1
    assert "cannot be saved right now: the keyring is locked" in messages[0]
    assert not (profile_of(keyring) / "token_cache.bin").exists()
    assert files_holding(tmp_path, issued(sandbox)) == {}


def test_keyring_gone_never_falls_back_to_plaintext(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    run(keyring, sandbox, "sign-in", ADMIN)
    keyring.stop_daemon()
    report = run(keyring, sandbox, "status")
    assert not report["persisted"]
    assert "keyring that holds your saved sign-in is unavailable" in str(report["protection"])
    assert "no Secret Service is running" in str(report["protection"])
    assert len(report["notices"]) == 1  # type: ignore[arg-type]
    assert not (profile_of(keyring) / "token_cache.bin").exists()
    assert files_holding(tmp_path, issued(sandbox)) == {}


def test_damaged_secret_is_kept_in_the_keyring_and_a_fresh_cache_started(
    sandbox: Sandbox, keyring: Keyring, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    profile = profile_of(keyring)
    run(keyring, sandbox, "store-raw", '{"AccessToken": {"k": {"secret": 7}}}')
    report = run(keyring, sandbox, "status")
    assert report["protection"] == ENCRYPTED and report["accounts"] == []
    assert len(report["notices"]) == 1  # type: ignore[arg-type]
    assert "does not have the shape of a token cache" in report["notices"][0]  # type: ignore[index]
    kept = str(report["moved_to"][0])  # type: ignore[index]
    match = re.fullmatch(r"the keyring item '(token_cache\.bin\.corrupt-\d{8}T\d{6})'", kept)
    assert match, kept
    copy = keyring.lookup(profile / match.group(1))
    assert copy == '{"AccessToken": {"k": {"secret": 7}}}'
    assert not list(profile.glob("*.corrupt-*"))  # kept in the keyring, not in a file
    standin_browser(sandbox.info.ca_file, ADMIN)
    assert run(keyring, sandbox, "sign-in", ADMIN)["accounts"] == [ADMIN]  # the fresh one works


def test_a_plaintext_cache_from_before_moves_into_the_keyring(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    from tests.support.sandbox_helpers import auth_client, browser_sign_in

    standin_browser(sandbox.info.ca_file, ADMIN)
    profile = profile_of(keyring)
    browser_sign_in(auth_client(sandbox, profile))  # in this process: no Secret Service
    assert (profile / "token_cache.bin").exists()
    report = run(keyring, sandbox, "status")
    assert report["protection"] == ENCRYPTED
    assert report["accounts"] == [ADMIN] and report["source"] == "cache"
    assert not (profile / "token_cache.bin").exists()
    assert files_holding(tmp_path, issued(sandbox)) == {}


def test_profile_snapshot_lives_in_the_secret_service_not_in_a_file(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path
) -> None:
    """The offline view's last profile and photo are kept like the tokens (issue 5, part 5)."""
    marker = "Snapshot-marker-7f3a Director"
    report = run(keyring, sandbox, "snapshot", marker)
    assert report["protection"] == ENCRYPTED and report["encrypted"]
    assert report["job_title"] == marker and report["photo"]  # read back by a fresh store
    stored = keyring.lookup(profile_of(keyring) / "profile_snapshot.json")
    assert stored is not None and marker in stored
    assert not (profile_of(keyring) / "profile_snapshot.json").exists()
    assert files_holding(tmp_path, [marker]) == {}  # in no file, keyring file included
