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
    __import__("sys").platform != "linux", reason="the Secret Service is the Linux store"
)

ADMIN = "megan.bowen@contoso.test"
READER = "alex.wilber@contoso.test"
ENCRYPTED = "encrypted in your keyring (Secret Service)"


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


def test_locked_keyring_is_kept_said_and_picked_up_once_unlocked(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    run(keyring, sandbox, "sign-in", ADMIN)
    saved = keyring.lookup(profile_of(keyring) / "token_cache.bin")
    keyring.lock()

    report = run(keyring, sandbox, "status")
    assert report["protection"] == ENCRYPTED  # still the keyring: tried again, never plaintext
    assert report["accounts"] == []  # the saved one cannot be read: not a silent empty cache...
    notices = report["notices"]
    assert isinstance(notices, list) and len(notices) == 1  # ...the person is told why
    assert notices[0] == "Lanyard cannot read your saved sign-in right now: the keyring is locked."
    advice = str(report["advice"][0])  # type: ignore[index]
    assert "Unlock your keyring" in advice and "no restart needed" in advice
    assert "restart Lanyard" not in advice  # it is not needed: see below

    standin_browser(sandbox.info.ca_file, READER)
    session = run(keyring, sandbox, "sign-in", READER)  # signing in still works, in memory
    assert session["signed_in"] == READER
    profile = profile_of(keyring)
    assert not (profile / "token_cache.bin").exists()  # never a plaintext fallback
    assert files_holding(tmp_path, issued(sandbox)) == {}

    unlocked = run(keyring, sandbox, "unlock-picks-it-up")  # one process: locked, then unlocked
    assert unlocked["locked"]["accounts"] == []  # type: ignore[index]
    assert unlocked["unlocked"]["accounts"] == [ADMIN]  # type: ignore[index]
    assert unlocked["source"] == "cache"
    assert unlocked["unlocked"]["notices"][-1] == f"Your sign-in is saved again ({ENCRYPTED})."  # type: ignore[index]
    assert keyring.lookup(profile / "token_cache.bin") == saved  # nothing was written over it


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
    assert report["protection"] == ENCRYPTED and report["accounts"] == []  # kept, tried again
    assert report["notices"] == [
        "Lanyard cannot read your saved sign-in right now: no Secret Service is running."
    ]
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


# -- one profile folder, one keyring item, however its path is typed (issue 15, item 12) --------


def cache_items(keyring: Keyring) -> list[str]:
    """The cache attribute of every Lanyard token cache item in the keyring."""
    return sorted(
        item["attribute.cache"]
        for item in keyring.items()
        if item.get("attribute.cache", "").endswith("token_cache.bin")
    )


def test_a_relative_profile_dir_in_two_folders_is_two_profiles(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    info = json.dumps(sandbox.info.as_json())
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    standin_browser(sandbox.info.ca_file, ADMIN)
    assert keyring.run("sign-in", info, "profile", ADMIN, cwd=first)["signed_in"] == ADMIN
    elsewhere = keyring.run("status", info, "profile", cwd=second)
    assert elsewhere["accounts"] == []  # a folder never signed in shows nobody
    assert keyring.run("status", info, "profile", cwd=first)["accounts"] == [ADMIN]
    assert cache_items(keyring) == [str((first / "profile" / "token_cache.bin").resolve())]


def test_a_symlinked_profile_dir_is_the_same_profile_and_one_item(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    info = json.dumps(sandbox.info.as_json())
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    standin_browser(sandbox.info.ca_file, ADMIN)
    assert keyring.run("sign-in", info, str(link), ADMIN)["signed_in"] == ADMIN
    sandbox.clear_requests()
    through_real = keyring.run("status", info, str(real))
    assert through_real["accounts"] == [ADMIN] and through_real["source"] == "cache"
    assert idp_requests(sandbox) == []
    assert cache_items(keyring) == [str(real.resolve() / "token_cache.bin")]


def test_an_item_keyed_by_the_symlink_before_is_adopted_into_one(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    """An older Lanyard keyed the item by the path as typed: a sign-in made through the link is
    still found, merged with the one made through the real path, and one item is left."""
    info = json.dumps(sandbox.info.as_json())
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    standin_browser(sandbox.info.ca_file, ADMIN)
    keyring.run("sign-in", info, str(tmp_path / "scratch"), ADMIN)
    admin_cache = keyring.lookup(tmp_path / "scratch" / "token_cache.bin")
    assert admin_cache is not None
    keyring.run("store-raw", info, str(link), admin_cache)  # keyed by the link, as before
    assert cache_items(keyring) == sorted(
        [str(tmp_path / "scratch" / "token_cache.bin"), str(link / "token_cache.bin")]
    )
    standin_browser(sandbox.info.ca_file, READER)
    both = keyring.run("sign-in", info, str(link), READER)  # a save: the old item is merged
    assert sorted(both["accounts"]) == sorted([ADMIN, READER])  # type: ignore[arg-type]
    assert str(link / "token_cache.bin") not in cache_items(keyring)
    assert str(real.resolve() / "token_cache.bin") in cache_items(keyring)
    assert sorted(keyring.run("status", info, str(real))["accounts"]) == sorted([ADMIN, READER])  # type: ignore[arg-type]


# -- the item deleted from outside while a session runs (issue 15, item 13) ---------------------


@pytest.mark.parametrize("when", ["before", "during"])
def test_an_item_cleared_from_outside_signs_the_session_out_and_nothing_is_written_back(
    sandbox: Sandbox, keyring: Keyring, standin_browser, when: str
) -> None:  # type: ignore[no-untyped-def]
    """``secret-tool clear`` while a session runs: before its next refresh, or while the
    refresh is in flight (its answer arrives after the item is gone). The session notices, and
    no refresh token (or anything) is written back to the keyring, read with secret-tool."""
    standin_browser(sandbox.info.ca_file, ADMIN)
    run(keyring, sandbox, "sign-in", ADMIN)
    report = run(keyring, sandbox, "cleared-mid-session", when)
    assert report["accounts"] == []  # the session saw it go
    assert report["refresh"] == "You are not signed in on this computer any more."
    assert keyring.lookup(profile_of(keyring) / "token_cache.bin") is None
    assert [i for i in keyring.items() if "RefreshToken" in i.get("secret", "")] == []
    assert cache_items(keyring) == []
