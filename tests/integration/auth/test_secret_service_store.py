"""The Secret Service store on secretstorage (issue 18, item 1), against a real gnome-keyring on a
private D-Bus (tests/support/keyring.py): what libsecret wrote is read and kept in its format, a
keyring without a default collection is said, no prompt is ever sent, no wait is unbounded, the
bus is found as GLib finds it, damage is kept, and one item is left per cache."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.files import atomic_write
from desktop_app.sandbox import Sandbox
from tests.integration.auth.test_keyring import (  # the shared helpers
    ADMIN,
    ENCRYPTED,
    READER,
    cache_items,
    issued,
    profile_of,
    run,
)
from tests.support.keyring import Keyring, secret_service
from tests.support.sandbox_helpers import files_holding, idp_requests

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="the Secret Service is the Linux store"
)


@pytest.fixture
def keyring(tmp_path: Path) -> Iterator[Keyring]:
    with secret_service(tmp_path) as ring:
        yield ring


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
        [sys.executable, "-c", script, *args],
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
