"""The token cache in a real Secret Service: gnome-keyring on a private D-Bus session bus, real
msal signing in to the sandbox, each Lanyard in its own process (tests/support/keyring.py)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.files import atomic_write
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


# -- the store on secretstorage: what libsecret wrote is found; no default collection said -------


def test_an_item_written_by_libsecret_is_read_and_kept_in_its_format(
    sandbox: Sandbox, keyring: Keyring, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    """Lanyard before secretstorage stored the cache with libsecret's password_store (schema
    dev.lanyard.TokenCache): its item is written here the same way, by libsecret itself
    (secret-tool), and read as the saved sign-in; the items written now carry the same
    attributes and label, so an older Lanyard reads them too."""
    info = json.dumps(sandbox.info.as_json())
    standin_browser(sandbox.info.ca_file, ADMIN)
    keyring.run("sign-in", info, str(tmp_path / "scratch"), ADMIN)
    cache_text = keyring.lookup(tmp_path / "scratch" / "token_cache.bin")
    assert cache_text is not None
    old = (tmp_path / "old").resolve()
    old.mkdir()
    old_cache = old / "token_cache.bin"
    written = subprocess.run(
        [
            "secret-tool",
            "store",
            f"--label=Lanyard token cache ({old_cache})",
            "xdg:schema",
            "dev.lanyard.TokenCache",
            "cache",
            str(old_cache),
        ],
        input=cache_text,
        env=keyring.child_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert written.returncode == 0, written.stderr
    atomic_write(old / "token_cache.bin.signal", b"1")  # what the older Lanyard left beside it
    sandbox.clear_requests()
    report = keyring.run("status", info, str(old))
    assert report["accounts"] == [ADMIN] and report["source"] == "cache"
    assert report["protection"] == ENCRYPTED and report["notices"] == []
    # read from the keyring: no token asked for (a new profile folder fetches discovery once)
    assert [r for r in idp_requests(sandbox) if r["grant_type"]] == []

    standin_browser(sandbox.info.ca_file, READER)
    both = keyring.run("sign-in", info, str(old), READER)  # a save through secretstorage
    assert sorted(both["accounts"]) == sorted([ADMIN, READER])  # type: ignore[arg-type]
    ours = [i for i in keyring.items() if i.get("attribute.cache") == str(old_cache)]
    assert len(ours) == 1  # replaced, not a second item beside the old one
    assert {k: v for k, v in ours[0].items() if k.startswith("attribute.")} == {
        "attribute.xdg:schema": "dev.lanyard.TokenCache",
        "attribute.cache": str(old_cache),
    }
    assert ours[0]["label"] == f"Lanyard token cache ({old_cache})"
    assert READER in ours[0]["secret"] and ADMIN in ours[0]["secret"]


def test_a_keyring_without_a_default_collection_is_said_and_nothing_is_written(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    """A Secret Service with no default collection (no login keyring was ever made): Lanyard
    does not create one (that prompts), says so, and signs in for the session only."""
    with secret_service(tmp_path / "ring", login=False) as keyring:
        standin_browser(sandbox.info.ca_file, ADMIN)
        report = run(keyring, sandbox, "sign-in", ADMIN)
        assert report["signed_in"] == ADMIN  # in memory
        assert report["protection"] == ENCRYPTED  # kept: tried again, never plaintext
        reasons = " ".join(str(n) for n in report["notices"])  # type: ignore[attr-defined]
        assert "the keyring has no default collection" in reasons
        advice = " ".join(str(a) for a in report["advice"])  # type: ignore[attr-defined]
        assert "Create a default keyring" in advice
        assert keyring.items() == []
        assert not (profile_of(keyring) / "token_cache.bin").exists()
        assert files_holding(tmp_path, issued(sandbox)) == {}


# -- never a prompt, never an unbounded wait (the auth thread must not hang on a person) ---------

IN_SESSION = """
import json, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from desktop_app.auth import secret_service_store as sss
from desktop_app.auth.cache_store import open_token_store
sss.TIMEOUT_S = 1.0  # D-Bus's 25 s, shortened for the test
{body}
"""

REFUSE_PROMPT = """
import secretstorage
connection = sss._connect()
collection = secretstorage.get_collection_by_alias(connection, "default")
try:
    collection.unlock()  # what Lanyard never does; the connection refuses it all the same
    said = "prompted"
except sss.PromptRefused as exc:
    said = f"refused {exc}"
print(json.dumps({"said": said, "locked": collection.is_locked()}))
"""

STALLED = """
import time
started = time.monotonic()
choice = open_token_store(Path(sys.argv[1]))
print(json.dumps({"store": type(choice.store).__name__, "reason": choice.fallback_reason,
                  "seconds": time.monotonic() - started}))
"""


def in_session(
    keyring: Keyring, body: str, *args: str, env: dict[str, str] | None = None
) -> dict[str, object]:
    from tests.conftest import REPO

    script = IN_SESSION.format(repo=str(REPO), body=body)
    done = subprocess.run(
        [__import__("sys").executable, "-c", script, *args],
        env=keyring.child_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_connection_never_sends_a_prompt(keyring: Keyring) -> None:
    """A locked keyring answers Unlock with a prompt to show: the store's connection refuses to
    run it (an unlock window would hold the auth thread on a person), and it stays locked."""
    keyring.lock()
    report = in_session(keyring, REFUSE_PROMPT)
    assert report == {"said": "refused Prompt", "locked": True}


def test_a_secret_service_that_never_answers_is_waited_for_a_bounded_time(
    keyring: Keyring, tmp_path: Path
) -> None:
    """Something owns the Secret Service's name and never replies (a hung keyring): the store
    gives up after its timeout, says so, and is kept (tried again), not a plaintext file."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    keyring.stop_daemon()
    with open_dbus_connection(bus=keyring.env["DBUS_SESSION_BUS_ADDRESS"]) as silent:
        bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
        owned = silent.send_and_get_reply(
            new_method_call(bus, "RequestName", "su", ("org.freedesktop.secrets", 0)), timeout=10
        )
        assert owned.body == (1,)  # the primary owner: calls to the name come here, unanswered
        report = in_session(keyring, STALLED, str(tmp_path / "profile"))
    assert report["store"] == "SecretServiceStore"
    assert report["reason"] == "the keyring did not answer within 1 s"
    assert 0.9 <= float(str(report["seconds"])) < 10, report
    assert not (tmp_path / "profile" / "token_cache.bin").exists()


def test_without_the_bus_variable_the_bus_socket_in_the_runtime_dir_is_used(
    keyring: Keyring, tmp_path: Path
) -> None:
    """No DBUS_SESSION_BUS_ADDRESS (a systemd user session reached over ssh): the session bus
    is $XDG_RUNTIME_DIR/bus, as GLib finds it, and the keyring is used, not a plaintext file."""
    env = keyring.child_env()
    socket = Path(env.pop("DBUS_SESSION_BUS_ADDRESS").removeprefix("unix:path=").split(",")[0])
    assert socket.name == "bus"
    env["XDG_RUNTIME_DIR"] = str(socket.parent)
    report = in_session(keyring, STALLED, str(tmp_path / "profile"), env=env)
    assert report["store"] == "SecretServiceStore" and report["reason"] == ""
    del env["XDG_RUNTIME_DIR"]
    nowhere = in_session(keyring, STALLED, str(tmp_path / "other"), env=env)
    assert nowhere["store"] == "PlaintextFileStore"
    assert nowhere["reason"] == "no Secret Service is running"


def test_an_item_that_is_not_text_is_damage_kept_in_the_keyring(
    sandbox: Sandbox, keyring: Keyring
) -> None:
    """Bytes that are not UTF-8 in the cache's item (written by libsecret itself): damage, said
    as such, the bytes kept as a keyring item of their own and a fresh cache started."""
    cache = (profile_of(keyring) / "token_cache.bin").resolve()
    profile_of(keyring).mkdir(parents=True)
    written = subprocess.run(
        [
            "secret-tool",
            "store",
            "--label=x",
            "xdg:schema",
            "dev.lanyard.TokenCache",
            "cache",
            str(cache),
        ],
        input=b"\xff\xfe\x00not text",
        env=keyring.child_env(),
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert written.returncode == 0, written.stderr
    report = run(keyring, sandbox, "status")
    assert report["protection"] == ENCRYPTED and report["accounts"] == []
    assert len(report["notices"]) == 1  # type: ignore[arg-type]
    assert "it is not text" in report["notices"][0]  # type: ignore[index]
    kept = [i for i in keyring.items() if ".corrupt-" in i.get("attribute.cache", "")]
    assert len(kept) == 1 and "not text" in kept[0]["secret"]
    assert keyring.lookup(cache) is None  # a fresh cache: the damaged item is gone


DUPLICATE = """
import secretstorage
connection = sss._connect()
collection = secretstorage.get_collection_by_alias(connection, "default")
attributes = {{"xdg:schema": "dev.lanyard.TokenCache", "cache": sys.argv[1]}}
for n in range(2):  # replace=False: two items under one key, as a Secret Service may keep
    collection.create_item(f"copy {{n}}", attributes, b'{{"Account": {{}}}}', replace=False)
print(json.dumps({{"made": len(list(collection.search_items(attributes)))}}))
"""


def test_a_save_leaves_one_item_for_the_cache_where_there_were_several(
    sandbox: Sandbox, keyring: Keyring, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    cache = (profile_of(keyring) / "token_cache.bin").resolve()
    profile_of(keyring).mkdir(parents=True)
    assert in_session(keyring, DUPLICATE.format(), str(cache)) == {"made": 2}
    standin_browser(sandbox.info.ca_file, ADMIN)
    assert run(keyring, sandbox, "sign-in", ADMIN)["signed_in"] == ADMIN  # a save
    assert cache_items(keyring) == [str(cache)]  # one item, holding the sign-in
    assert "RefreshToken" in str(keyring.lookup(cache))
